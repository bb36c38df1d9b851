//! What the two places that write an embed snippet share: the web app's Embed panel and the
//! oEmbed answer of `annals serve`. Both write the same `<iframe>`, so the tag itself, its
//! sandbox list and the escaping of what goes into its attributes live here, once.

/// What an embedded frame may do, and no more: run its scripts, read its own origin's files
/// (the bundle, records, the API), and open "Open in Annals" in a new, unsandboxed tab. No
/// forms, no top navigation, no downloads.
pub const IFRAME_SANDBOX: &str = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox";

/// Escapes text for a double- or single-quoted HTML attribute or for element content.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The `<iframe>` both snippets hand out: the frame at `src` (already an address; escaped
/// here), titled after the record for screen readers, lazy, borderless and sandboxed.
/// `width` and `height` are attribute values such as `100%` or `720`.
pub fn iframe_tag(src: &str, record_title: &str, width: &str, height: &str) -> String {
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"{}\" height=\"{}\" style=\"border:0;max-width:100%\" loading=\"lazy\" sandbox=\"{IFRAME_SANDBOX}\"></iframe>",
        escape_html(src),
        escape_html(&format!("{record_title} (Annals timeline)")),
        escape_html(width),
        escape_html(height),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_text() {
        assert_eq!(escape_html("a\"<b>&'"), "a&quot;&lt;b&gt;&amp;&#39;");
        assert_eq!(escape_html("Азербайджан"), "Азербайджан");
    }

    #[test]
    fn the_iframe_is_titled_sandboxed_and_escaped() {
        let tag = iframe_tag("https://a.example/?embed=1&x=\"", "<b>R</b>", "100%", "720");
        assert_eq!(
            tag,
            "<iframe src=\"https://a.example/?embed=1&amp;x=&quot;\" title=\"&lt;b&gt;R&lt;/b&gt; (Annals timeline)\" \
             width=\"100%\" height=\"720\" style=\"border:0;max-width:100%\" loading=\"lazy\" \
             sandbox=\"allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox\"></iframe>"
        );
    }
}
