//! A small SVG writer for the pictures of the views: the marks of the timeline and the map
//! (plotters writes the charts' own), and the frame every picture shares — the record's
//! title and the filters in force above the view, the sources line below.
//!
//! *Why our own:* the pictures need rectangles, circles, lines and text, written once for the
//! timeline and the map; a general SVG crate would bring a document model to build the same
//! few elements. Every text and attribute value is escaped here, so a title or a label of the
//! record cannot become markup.

use std::fmt::Write as _;

/// An SVG document being written, `width` × `height` CSS pixels.
#[derive(Debug)]
pub struct Svg {
    out: String,
}

/// `text` with the characters that mean something in XML escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0; a record's text has no use for them.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// A number as an attribute: at most two decimals, no trailing zeros.
pub fn num(v: f64) -> String {
    let v = if v.is_finite() { (v * 100.0).round() / 100.0 } else { 0.0 };
    let mut s = format!("{v:.2}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

impl Svg {
    /// A document of `width` × `height`, in the given font, starting with its background.
    pub fn new(width: f64, height: f64, paper: &str) -> Svg {
        let (w, h) = (num(width), num(height));
        let mut out = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">"#
        );
        let _ = write!(out, r#"<rect width="{w}" height="{h}" fill="{}"/>"#, escape(paper));
        Svg { out }
    }

    /// Writes raw markup (already SVG: plotters' charts).
    pub fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// Opens a group with the given attributes (`class="marks"`), closed by [`Svg::close`].
    pub fn open(&mut self, attributes: &str) {
        let _ = write!(self.out, "<g {attributes}>");
    }

    /// Closes the group [`Svg::open`] opened.
    pub fn close(&mut self) {
        self.out.push_str("</g>");
    }

    /// A rectangle; `extra` are further attributes, written as given.
    pub fn rect(&mut self, (x, y, w, h): (f64, f64, f64, f64), fill: &str, extra: &str) {
        let _ = write!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}{extra}/>"#,
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0)),
            escape(fill),
            if extra.is_empty() { "" } else { " " }
        );
    }

    /// A circle.
    pub fn circle(&mut self, (x, y): (f64, f64), r: f64, fill: &str, extra: &str) {
        let _ = write!(
            self.out,
            r#"<circle cx="{}" cy="{}" r="{}" fill="{}"{}{extra}/>"#,
            num(x),
            num(y),
            num(r),
            escape(fill),
            if extra.is_empty() { "" } else { " " }
        );
    }

    /// A line.
    pub fn line(&mut self, a: (f64, f64), b: (f64, f64), stroke: &str, width: f64, extra: &str) {
        let _ = write!(
            self.out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{}{extra}/>"#,
            num(a.0),
            num(a.1),
            num(b.0),
            num(b.1),
            escape(stroke),
            num(width),
            if extra.is_empty() { "" } else { " " }
        );
    }

    /// Text with its left end at `x` and its middle at `y`, `size` pixels high.
    pub fn text(&mut self, (x, y): (f64, f64), text: &str, fill: &str, size: f64, extra: &str) {
        let _ = write!(
            self.out,
            r#"<text x="{}" y="{}" font-size="{}" dominant-baseline="central" fill="{}"{}{extra}>{}</text>"#,
            num(x),
            num(y),
            num(size),
            escape(fill),
            if extra.is_empty() { "" } else { " " },
            escape(text)
        );
    }

    /// The document, closed.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// What frames every picture: the record's title, the filters in force, the sources line, and
/// the page's colours for them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Frame {
    /// The record's title.
    pub title: String,
    /// The filters in force, in words.
    #[serde(default)]
    pub filters: String,
    /// The sources line in the reader's language, with `{0}` where the sites go ("Sources:
    /// {0} — made with Annals").
    #[serde(default)]
    pub sources: String,
    /// Every source cited by the events shown: its address, or its publisher when it has none.
    #[serde(default)]
    pub cited: Vec<String>,
}

impl Frame {
    /// The sources line: the sites (or publishers) cited, most cited first, at most four and
    /// "…" when there are more, in the page's sentence.
    pub fn sources_line(&self) -> String {
        let mut sites: Vec<(&str, usize)> = Vec::new();
        for cited in &self.cited {
            let site = match cited.split_once("://") {
                Some((_, rest)) => {
                    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
                    let host = host.rsplit('@').next().unwrap_or(host);
                    host.strip_prefix("www.").unwrap_or(host)
                }
                None => cited.as_str(),
            };
            match sites.iter_mut().find(|(s, _)| *s == site) {
                Some(seen) => seen.1 += 1,
                None => sites.push((site, 1)),
            }
        }
        // Most cited first; the first cited first among equals (a stable sort).
        sites.sort_by_key(|s| std::cmp::Reverse(s.1));
        let mut names: Vec<&str> = sites.iter().take(4).map(|(s, _)| *s).collect();
        if sites.len() > 4 {
            names.push("…");
        }
        self.sources.replace("{0}", &names.join(", "))
    }
}

/// A chart's caption (bold, its `{0}` the documents' total) written to `out` at `y`, as the
/// page shows it above the chart; answers the height it takes.
pub fn caption(out: &mut String, y: f64, plan: &crate::Plan, ink: &str) -> u32 {
    if plan.caption.is_empty() {
        return 0;
    }
    let total = plan.cumulative.last().copied().unwrap_or(0).to_string();
    let mut s = Svg { out: String::new() };
    s.text((0.0, y + 10.0), &plan.caption.replace("{0}", &total), ink, 14.0, r#"class="caption" font-weight="bold""#);
    out.push_str(&s.out);
    26
}

/// Room above the view (title and filters) and below it (sources).
pub const HEAD: f64 = 58.0;
/// Room below the view.
pub const FOOT: f64 = 30.0;
/// Room left and right of the view.
pub const SIDE: f64 = 12.0;

/// The picture: `view` (markup of a `width` × `height` view, drawn from its top left corner)
/// framed with `frame`'s lines, on `paper`; answers the document and its size.
pub fn framed(
    frame: &Frame,
    view: &str,
    (width, height): (f64, f64),
    (paper, ink, muted): (&str, &str, &str),
) -> (String, f64, f64) {
    let (w, h) = (width + 2.0 * SIDE, HEAD + height + FOOT);
    let mut svg = Svg::new(w, h, paper);
    svg.text((SIDE, 20.0), &frame.title, ink, 18.0, r#"class="title" font-weight="bold""#);
    svg.text((SIDE, 42.0), &frame.filters, muted, 12.0, r#"class="filters""#);
    svg.open(&format!(r#"class="view" transform="translate({} {})""#, num(SIDE), num(HEAD)));
    svg.raw(view);
    svg.close();
    svg.text((SIDE, HEAD + height + FOOT / 2.0), &frame.sources_line(), muted, 11.0, r#"class="sources""#);
    (svg.finish(), w, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sources_line_names_the_most_cited_sites_first() {
        let cited = [
            "https://www.president.gov.by/ru/events/1",
            "https://president.az/en/articles/view/2",
            "https://president.az/en/articles/view/3?x=1",
            "BelTA",
            "http://mfa.gov.az#top",
            "https://user@www.belta.by/politics/4",
            "https://mfa.gov.by/",
            "https://president.gov.by/ru/events/5",
            "https://president.gov.by/ru/events/6",
        ];
        let frame = Frame {
            sources: "Источники: {0} — сделано в Annals".into(),
            cited: cited.iter().map(|c| (*c).to_owned()).collect(),
            ..Frame::default()
        };
        assert_eq!(
            frame.sources_line(),
            "Источники: president.gov.by, president.az, BelTA, mfa.gov.az, … — сделано в Annals"
        );
        let one = Frame { sources: "Sources: {0}".into(), cited: vec!["https://a.example".into()], ..Frame::default() };
        assert_eq!(one.sources_line(), "Sources: a.example");
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut svg = Svg::new(10.0, 10.0, "#fff\"/><script>");
        svg.text((1.0, 2.0), "<b>A & B</b>", "#000", 12.0, "");
        let out = svg.finish();
        assert!(out.contains("&lt;b&gt;A &amp; B&lt;/b&gt;"), "{out}");
        assert!(!out.contains("<script>") && !out.contains("<b>"), "{out}");
        assert!(out.contains(r##"fill="#fff&quot;/&gt;&lt;script&gt;""##), "{out}");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.35");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(0.5), "0.5");
    }

    #[test]
    fn the_frame_holds_the_title_the_filters_and_the_sources() {
        let frame = Frame {
            title: "Azerbaijan – Belarus".into(),
            filters: "51 events · only Visit".into(),
            sources: "Sources: {0} — made with Annals".into(),
            cited: vec!["https://president.az/en/articles/view/1".into()],
        };
        let (out, w, h) = framed(&frame, r#"<circle r="1"/>"#, (100.0, 50.0), ("#fff", "#111", "#555"));
        assert_eq!((w, h), (100.0 + 2.0 * SIDE, HEAD + 50.0 + FOOT));
        for part in ["Azerbaijan – Belarus", "51 events · only Visit", "Sources: president.az — made with Annals"]
        {
            assert!(out.contains(part), "{part} in {out}");
        }
        assert!(out.starts_with("<svg ") && out.ends_with("</svg>"));
    }
}
