//! Pictures of the views, saved as SVG or PNG: the timeline (from what the page drew, sent as
//! JSON), the relation map (from the map this module drew last) and the charts (the charts
//! this module drew last, written again by plotters' SVG backend), each framed with the
//! record's title, the filters in force and a sources line ([`crate::svg::framed`]).
//!
//! *Why one SVG for both:* the PNG is the SVG drawn on a canvas at twice the page's pixels
//! (or the screen's, if more), so both files show the same picture, and the page sends the
//! same few lines for either. *Why here:* writing SVG is needed only by readers who save a
//! picture; the page's part is a button and a call.

use serde::Deserialize;

use crate::svg::{escape, framed, num, Frame, Svg};

/// What the page asks for: which view, in which format, framed how.
#[derive(Debug, Deserialize)]
pub struct Ask {
    /// `timeline`, `map` or `charts`.
    pub which: String,
    /// `svg` or `png`.
    pub format: String,
    /// The lines around the view.
    pub frame: Frame,
    /// The timeline's drawing (as `annals-web`'s timeline describes what it drew).
    #[serde(default)]
    pub drawn: Option<Drawn>,
}

/// The timeline as the page drew it (its `data-drawn` description).
#[derive(Debug, Deserialize)]
pub struct Drawn {
    /// The canvas' size in CSS pixels.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// Where the time area begins (the lane labels' column ends).
    pub left: f64,
    /// The axis' height.
    #[serde(rename = "axis_height")]
    pub axis: f64,
    /// A dot's radius.
    pub dot: f64,
    /// Paper, band, ink, muted, rule, accent.
    pub colours: [String; 6],
    /// Lane names.
    pub lanes: Vec<String>,
    /// The lane names' lines as the canvas drew them: lane, centre, width, text (a page
    /// before them wrote none, and its names are shortened here).
    #[serde(default)]
    pub names: Vec<(usize, f64, f64, String)>,
    /// Each lane's top and height.
    pub rows: Vec<(f64, f64)>,
    /// Gridlines and their labels.
    pub ticks: Vec<(f64, String)>,
    /// The marks.
    pub marks: Vec<Mark>,
    /// The counted events ("+12").
    #[serde(default)]
    pub more: Vec<More>,
    /// The counted clusters drawn instead of events when too many fall in the window: left,
    /// right, centre, height, colour and count.
    #[serde(default)]
    pub clusters: Vec<(f64, f64, f64, f64, String, u32)>,
}

/// A mark as drawn.
#[derive(Debug, Deserialize)]
pub struct Mark {
    /// The event.
    pub id: String,
    /// Where the drawn mark begins and ends on x (a dot: its centre ± its radius).
    pub x1: f64,
    /// Right edge.
    pub x2: f64,
    /// Centre.
    pub y: f64,
    /// 0 a dot, 1 a bar, 2 a pale span.
    pub shape: u8,
    /// Its kind's colour.
    pub colour: String,
    /// Disputed ("?").
    #[serde(default)]
    pub disputed: bool,
    /// Selected (ringed).
    #[serde(default)]
    pub selected: bool,
    /// Its label as drawn.
    #[serde(default)]
    pub label: Option<Label>,
}

/// A mark's label as drawn.
#[derive(Debug, Deserialize)]
pub struct Label {
    /// Left end.
    pub x: f64,
    /// Inside its bar.
    pub inside: bool,
    /// The text, shortened as drawn.
    pub text: String,
}

/// Counted events as drawn.
#[derive(Debug, Deserialize)]
pub struct More {
    /// Extent of the events.
    pub x1: f64,
    /// Extent of the events.
    pub x2: f64,
    /// Left edge of the badge.
    pub at: f64,
    /// Centre.
    pub y: f64,
    /// How many.
    pub count: u32,
}

/// Width of a "+12" badge (the timeline's).
const MORE_WIDTH: f64 = 38.0;

/// The timeline's view as SVG markup, its size, and the frame's colours. `measure` gives a
/// text's width in the lane labels' font (13 px), to shorten a lane's name as the canvas does.
pub fn timeline(d: &Drawn, measure: &dyn Fn(&str) -> f64) -> (String, (f64, f64), [String; 3]) {
    let [paper, band, ink, muted, rule, accent] = &d.colours;
    let mut s = Svg::new(d.width, d.height, paper);
    for (i, (top, h)) in d.rows.iter().enumerate().step_by(2) {
        let _ = i;
        s.rect((0.0, *top, d.width, *h), band, "");
    }
    s.open(r#"class="lanes""#);
    for (_, y, _, line) in &d.names {
        s.text((8.0, *y), line, ink, 13.0, "");
    }
    for (name, (top, _)) in d.lanes.iter().zip(&d.rows).filter(|_| d.names.is_empty()) {
        s.text((8.0, top + 15.0), &shorten(name, d.left - 12.0, measure), ink, 13.0, "");
    }
    s.close();
    s.open(&format!(r#"class="axis" stroke="{}""#, escape(rule)));
    for (x, _) in &d.ticks {
        s.line((*x, d.axis - 6.0), (*x, d.height), rule, 1.0, "");
    }
    s.close();
    s.open(r#"class="ticks""#);
    for (x, label) in &d.ticks {
        if x + 4.0 + measure(label) * 12.0 / 13.0 <= d.width {
            s.text((x + 4.0, d.axis / 2.0), label, muted, 12.0, "");
        }
    }
    s.close();
    // The time area clips the marks, as on the canvas.
    s.raw(&format!(
        r#"<clipPath id="time"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath><g clip-path="url(#time)">"#,
        num(d.left),
        num(d.axis),
        num(d.width - d.left),
        num(d.height - d.axis)
    ));
    s.open(r#"class="marks""#);
    for m in &d.marks {
        let id = format!(r#"class="mark" data-id="{}""#, escape(&m.id));
        match m.shape {
            0 => s.circle(((m.x1 + m.x2) / 2.0, m.y), d.dot, &m.colour, &id),
            1 => s.rect((m.x1, m.y - 8.0, (m.x2 - m.x1).max(6.0), 16.0), &m.colour, &id),
            _ => s.rect(
                (m.x1 + 0.5, m.y - 8.5, (m.x2 - m.x1 - 1.0).max(3.0), 17.0),
                &m.colour,
                &format!(r#"{id} fill-opacity="0.18" stroke="{}" stroke-dasharray="4 3""#, escape(&m.colour)),
            ),
        }
        if m.disputed {
            s.text((m.x2 + 1.0, m.y - 9.0), "?", accent, 11.0, r#"font-weight="bold""#);
        }
        if m.selected {
            let ring = format!(r#"stroke="{}" stroke-width="2""#, escape(ink));
            s.rect((m.x1 - 3.0, m.y - 11.0, m.x2 - m.x1 + 6.0, 22.0), "none", &ring);
        }
    }
    s.close();
    s.open(r#"class="labels""#);
    for m in &d.marks {
        if let Some(l) = &m.label {
            let colour = if l.inside && m.shape == 1 { "#ffffff" } else { ink.as_str() };
            s.text((l.x, m.y), &l.text, colour, 12.0, "");
        }
    }
    s.close();
    for c in &d.more {
        s.rect((c.x1, c.y - 2.0, (c.x2 - c.x1).max(1.0), 4.0), muted, "");
        s.rect((c.at, c.y - 8.0, MORE_WIDTH, 16.0), muted, r#"class="more""#);
        s.text((c.at + 4.0, c.y), &format!("+{}", c.count), paper, 11.0, r#"font-weight="bold""#);
    }
    // Clusters as the canvas draws them: a bar as tall as its count's logarithm, the count
    // inside where it fits (counted in the counts' bold 11 px, measured in 13 px).
    s.open(r#"class="clusters" fill-opacity="0.75""#);
    for (x1, x2, y, h, colour, _) in &d.clusters {
        s.rect((x1 + 0.5, y - h / 2.0, (x2 - x1 - 1.0).max(1.0), *h), colour, r#"class="cluster""#);
    }
    s.close();
    for (x1, x2, y, _, _, n) in &d.clusters {
        let count = n.to_string();
        if x2 - x1 > 24.0 && measure(&count) * 11.0 / 13.0 + 4.0 <= x2 - x1 {
            s.text(
                ((x1 + x2) / 2.0, *y),
                &count,
                "#ffffff",
                11.0,
                r#"font-weight="bold" text-anchor="middle" class="count""#,
            );
        }
    }
    s.raw("</g>");
    let inner = s.finish();
    (inner, (d.width, d.height), [paper.clone(), ink.clone(), muted.clone()])
}

/// `text` shortened with "…" to `room` pixels.
fn shorten(text: &str, room: f64, measure: &dyn Fn(&str) -> f64) -> String {
    if measure(text) <= room {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 0 {
        n -= 1;
        let t: String = chars[..n].iter().collect::<String>() + "…";
        if measure(&t) <= room {
            return t;
        }
    }
    String::new()
}

/// The relation map of `scene` as SVG markup (what the canvas shows: edges, nodes with their
/// rings, labels on their boxes with leader lines).
pub fn map(s: &crate::map::Scene, plan: &crate::map::MapPlan) -> String {
    let mut svg = Svg::new(plan.width, plan.height, &plan.paper);
    let lit = |id: &str| plan.highlight.iter().any(|h| h == id);
    svg.open(r#"class="edges""#);
    for (a, b, weight, colour, strong) in &s.lines {
        let w = f64::from(*weight).sqrt();
        if *strong {
            svg.line(*a, *b, &plan.accent, 6.0 + w, "");
            svg.line(*a, *b, colour, 2.0 + w * 0.5, "");
        } else {
            let (width, alpha) = s.plain_edge(*weight, !plan.highlight.is_empty());
            svg.line(*a, *b, colour, width, &format!(r#"stroke-opacity="{alpha:.2}""#));
        }
    }
    svg.close();
    svg.open(r#"class="nodes""#);
    for (d, colour) in &s.dots {
        let paper = escape(&plan.paper);
        svg.circle((d.x, d.y), d.r, colour, &format!(r#"class="node" data-id="{}" stroke="{paper}""#, escape(&d.id)));
        if plan.ego.as_deref() == Some(d.id.as_str()) || lit(&d.id) {
            svg.circle(
                (d.x, d.y),
                d.r + 3.5,
                "none",
                &format!(r#"stroke="{}" stroke-width="3""#, escape(&plan.accent)),
            );
        }
    }
    svg.close();
    svg.open(r#"class="labels""#);
    for (_, text, r, leader) in &s.labels {
        if let Some((from, to)) = leader {
            svg.line(*from, *to, &plan.muted, 1.0, "");
        }
        svg.rect((r.x, r.y, r.w, r.h), &plan.paper, r#"fill-opacity="0.85""#);
        svg.text((r.x + 2.0, r.y + r.h / 2.0), text, &plan.ink, 12.0, "");
    }
    svg.close();
    svg.finish()
}

/// A file name for the picture: the record's title as a few words joined by dashes, the view,
/// the date ("azerbaijan-belarus-timeline-2026-12-04.svg").
pub fn file_name(title: &str, which: &str, today: &str, format: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.chars().count() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "annals" } else { slug };
    let today = if today.is_empty() { String::new() } else { format!("-{today}") };
    format!("{slug}-{which}{today}.{format}")
}

/// The framed picture of `ask`, given the view's markup and size.
pub fn document(ask: &Ask, view: &str, size: (f64, f64), colours: &[String; 3]) -> (String, f64, f64) {
    framed(&ask.frame, view, size, (&colours[0], &colours[1], &colours[2]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn() -> Drawn {
        serde_json::from_str(
            r##"{"width":600,"height":120,"left":130,"axis_height":28,"dot":5,
                "colours":["#fbfaf7","#f1eee6","#1d2733","#4a5560","#d9d4c7","#b3261e"],
                "lanes":["Visit","A lane whose name is far too long for its column"],"rows":[[28,40],[68,40]],
                "ticks":[[200.5,"2024"],[590.5,"2025"]],
                "marks":[{"id":"a","lane":0,"row":0,"x1":300,"x2":310,"y":48,"shape":0,"colour":"#0072B2","disputed":true,"selected":true,
                          "label":{"x":316,"room":100,"inside":false,"text":"Visit to <Minsk> & Baku"}},
                         {"id":"b","lane":1,"row":0,"x1":320,"x2":420,"y":88,"shape":1,"colour":"#D55E00","label":null},
                         {"id":"c","lane":1,"row":0,"x1":430,"x2":560,"y":88,"shape":2,"colour":"#009E73","label":null}],
                "more":[{"lane":0,"x1":400,"x2":450,"at":400,"y":60,"count":12,"focused":false}]}"##,
        )
        .expect("drawn")
    }

    #[test]
    fn the_timeline_has_one_mark_per_drawn_event_and_its_labels() {
        let d = drawn();
        let (svg, size, colours) = timeline(&d, &|t: &str| t.chars().count() as f64 * 7.0);
        assert_eq!(size, (600.0, 120.0));
        assert_eq!(colours[1], "#1d2733");
        assert_eq!(svg.matches(r#"class="mark""#).count(), 3);
        for id in ["a", "b", "c"] {
            assert!(svg.contains(&format!(r#"data-id="{id}""#)), "{id}");
        }
        assert!(svg.contains("Visit to &lt;Minsk&gt; &amp; Baku"), "labels are escaped");
        assert!(svg.contains(">+12<"), "the counted events");
        assert!(svg.contains(r#"stroke-dasharray="4 3""#), "the pale span is dashed");
        assert!(svg.contains(">?<"), "the dispute");
        assert!(
            svg.contains("A lane whose name…") || svg.contains("…</text>"),
            "the long lane name is shortened: {svg}"
        );
        // The last tick's label would run past the edge: its line stays, its label does not.
        assert!(svg.contains(">2024<") && !svg.contains(">2025<"));
    }

    #[test]
    fn lane_names_are_drawn_in_the_lines_the_canvas_drew() {
        let mut d = drawn();
        d.names = vec![
            (0, 48.0, 30.0, "Visit".into()),
            (1, 81.0, 90.0, "Commission".into()),
            (1, 95.0, 60.0, "meeting".into()),
        ];
        let (svg, _, _) = timeline(&d, &|t: &str| t.chars().count() as f64 * 7.0);
        for (y, line) in [(81, "Commission"), (95, "meeting")] {
            assert!(svg.contains(&format!(r#"y="{y}""#)) && svg.contains(&format!(">{line}</text>")), "{line}: {svg}");
        }
        assert!(!svg.contains("A lane whose"), "the lanes' names are the canvas' lines");
    }

    #[test]
    fn a_request_is_read_as_the_page_writes_it() {
        let ask: Ask = serde_json::from_str(
            r#"{"which":"map","format":"png","frame":{"title":"T","filters":"3 events","sources":"Sources: {0}",
                "cited":["https://a.example/1","B"]},"drawn":null}"#,
        )
        .expect("ask");
        assert_eq!((ask.which.as_str(), ask.format.as_str()), ("map", "png"));
        assert_eq!(ask.frame.sources_line(), "Sources: a.example, B");
        assert!(ask.drawn.is_none());
    }

    #[test]
    fn file_names_are_the_title_the_view_and_the_day() {
        assert_eq!(
            file_name("Azerbaijan – Belarus: 30 years", "timeline", "2026-12-04", "svg"),
            "azerbaijan-belarus-30-years-timeline-2026-12-04.svg"
        );
        assert_eq!(file_name("Беларусь", "map", "", "png"), "беларусь-map.png");
        assert_eq!(file_name("…", "charts", "2026-12-04", "png"), "annals-charts-2026-12-04.png");
    }
}
