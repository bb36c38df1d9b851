//! What the two places that write an embed snippet share: the web app's Embed panel and the
//! oEmbed answer of `annals serve`. Both write the same `<iframe>`, so its sandbox list and the
//! escaping of what goes into its attributes live here, once.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_text() {
        assert_eq!(escape_html("a\"<b>&'"), "a&quot;&lt;b&gt;&amp;&#39;");
        assert_eq!(escape_html("Азербайджан"), "Азербайджан");
    }
}
