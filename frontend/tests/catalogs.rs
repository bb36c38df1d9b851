//! The check that no interface text is left untranslated: every text the frontend's source
//! wraps (`t("…")`, `tx("…")`, `en("…")`, `tf("…", …)`, `count(n, "one", "many")`, `plural(n, "one", "many")`),
//! every message of core, the file readers and the worker (`says!("…", …)`, which the open
//! report shows in the interface's language), and every event kind's name, is in every catalog (`frontend/lang/*.json`) — a counted word with
//! each plural category of its language —, a translation keeps the `{0}`, `{1}`… of its text,
//! and no catalog holds a text the source no longer has. See `annals_web::i18n` for the design.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use annals_core::EventKind;

/// The wrapped texts of the source: plain texts, and counted words as `"one|many"`.
#[derive(Default)]
struct Found {
    plain: BTreeMap<String, String>,
    counted: BTreeMap<String, String>,
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the source directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A Rust string literal starting at `s[0] == '"'` (or `r"`, `r#"`): its value and its length.
fn literal(s: &str) -> Option<(String, usize)> {
    if let Some(rest) = s.strip_prefix('r') {
        let hashes = rest.len() - rest.trim_start_matches('#').len();
        let body = rest[hashes..].strip_prefix('"')?;
        let close = format!("\"{}", "#".repeat(hashes));
        let end = body.find(&close)?;
        return Some((body[..end].to_owned(), 1 + hashes + 1 + end + close.len()));
    }
    let mut chars = s.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    let mut value = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, i + 1)),
            '\\' => match chars.next()?.1 {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'u' => {
                    let rest = &s[i + 2..];
                    let close = rest.find('}')?;
                    value.push(char::from_u32(u32::from_str_radix(&rest[1..close], 16).ok()?)?);
                    for _ in 0..=close {
                        chars.next();
                    }
                }
                '\n' => {
                    while chars.clone().next().is_some_and(|(_, c)| c.is_whitespace()) {
                        chars.next();
                    }
                }
                other => value.push(other),
            },
            c => value.push(c),
        }
    }
    None
}

/// The string literals among a call's arguments (`s` starts after its `(`), up to its `)`.
fn arguments(s: &str) -> Vec<String> {
    let (mut depth, mut i, mut out) = (0usize, 0usize, Vec::new());
    while i < s.len() {
        let rest = &s[i..];
        let c = rest.chars().next().unwrap_or(' ');
        if c == '"' || rest.starts_with("r\"") || rest.starts_with("r#\"") {
            if let Some((value, len)) = literal(rest) {
                if depth == 0 {
                    out.push(value);
                }
                i += len;
                continue;
            }
        }
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        i += c.len_utf8();
    }
    out
}

fn extract(file: &Path, text: &str, found: &mut Found) {
    // The tests of a module are not the interface.
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    let code: String =
        text.lines().map(|l| if l.trim_start().starts_with("//") { "" } else { l }).collect::<Vec<_>>().join("\n");
    let place = |at: usize| format!("{}:{}", file.display(), code[..at].lines().count());
    for (at, _) in code.match_indices('(') {
        let before = &code[..at];
        // A macro's name keeps its `!` (`says!`).
        let bang = usize::from(before.ends_with('!'));
        let ident = &before[..before.len() - bang];
        let name_start = ident.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
        let name = &before[name_start..];
        if before[..name_start].trim_end().ends_with("fn") {
            continue;
        }
        let args = &code[at + 1..];
        match name {
            "t" | "tf" | "tx" | "en" | "says!" => {
                if let Some((value, _)) = literal(args.trim_start()) {
                    found.plain.insert(value, place(at));
                }
            }
            "count" | "plural" => {
                let literals = arguments(args);
                if let [.., one, many] = literals.as_slice() {
                    found.counted.insert(format!("{one}|{many}"), place(at));
                }
            }
            _ => {}
        }
    }
}

fn placeholders(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if after[..close].parse::<usize>().is_ok() => {
                out.insert(after[..close].to_owned());
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

#[test]
fn every_interface_text_is_in_every_catalog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    // The interface, and the messages of core, the file readers and the worker that the open
    // report shows.
    for dir in ["src", "open-worker/src", "open-messages/src", "../core/src", "../formats/src"] {
        sources(&root.join(dir), &mut files);
    }
    let mut found = Found::default();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a source file");
        extract(file.strip_prefix(root).unwrap_or(file), &text, &mut found);
    }
    for kind in EventKind::ALL {
        found.plain.insert(kind.label().to_owned(), "annals_core::EventKind::label".to_owned());
    }
    assert!(found.plain.len() > 100, "the extractor finds the wrapped texts: {}", found.plain.len());
    assert!(found.counted.contains_key("event|events"), "and the counted words");
    assert!(found.plain.contains_key("is empty; expected text"), "and core's messages");
    assert!(found.plain.contains_key("found {0}; expected a number from -10 to 10"), "and the readers'");

    let mut problems = Vec::new();
    for (code, categories) in [
        ("az", &["one", "other"][..]),
        ("ru", &["one", "few", "many", "other"]),
        ("be", &["one", "few", "many", "other"]),
    ] {
        let path = root.join("lang").join(format!("{code}.json"));
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read a catalog")).expect("a catalog is JSON");
        let name = format!("lang/{code}.json");
        if json["language"] != code {
            problems.push(format!("{name}: \"language\" is not \"{code}\""));
        }
        if json["translation"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{name}: no \"translation\" note (who translated it)"));
        }
        // Month names for browsers whose `Intl` lacks the language: twelve of each form.
        for form in ["after_day", "alone", "short_alone", "short_after_day"] {
            let names = json["months"][form]
                .as_array()
                .map_or(0, |l| l.iter().filter(|n| n.as_str().is_some_and(|n| !n.is_empty())).count());
            if names != 12 {
                problems.push(format!("{name}: \"months\".{form} has {names} month names, not 12"));
            }
        }
        let texts = json["texts"].as_object().expect("a catalog has \"texts\"");
        for (key, at) in &found.plain {
            match texts.get(key) {
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                    if placeholders(s) != placeholders(key) {
                        problems.push(format!("{name}: {key:?} is translated without its {{0}}… places: {s:?}"));
                    }
                }
                _ => problems.push(format!("{name}: no translation of {key:?} ({at})")),
            }
        }
        for (key, at) in &found.counted {
            match texts.get(key).and_then(|v| v.as_object()) {
                Some(forms) => {
                    for c in categories {
                        if forms.get(*c).and_then(|f| f.as_str()).is_none_or(str::is_empty) {
                            problems.push(format!("{name}: counted word {key:?} has no {c:?} form"));
                        }
                    }
                }
                None => problems.push(format!("{name}: no forms of the counted word {key:?} ({at})")),
            }
        }
        for key in texts.keys() {
            if !found.plain.contains_key(key) && !found.counted.contains_key(key) {
                problems.push(format!("{name}: {key:?} is no longer a text of the interface"));
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn the_extractor_reads_literals_and_calls() {
    assert_eq!(literal(r#""a \"b\" \u{2014} c" rest"#), Some(("a \"b\" \u{2014} c".to_owned(), 20)));
    assert_eq!(literal(r##"r#"x "y""# z"##).map(|l| l.0), Some("x \"y\"".to_owned()));
    assert_eq!(arguments(r#"n.len(), "note", "notes") + 1"#), ["note", "notes"]);
    let mut found = Found::default();
    extract(
        Path::new("x.rs"),
        "fn t(en: &str) {}\n// t(\"comment\")\nlet a = t(\"Timeline\"); tx(\"Story\"); tf(\"{0} in view\", &[&n]);\ncount(v.len(), \"event\", \"events\");\nProblem::new(f, says!(\"is {0} long\", n));\n#[cfg(test)]\nmod tests { t(\"test\") }",
        &mut found,
    );
    assert_eq!(found.plain.keys().collect::<Vec<_>>(), ["Story", "Timeline", "is {0} long", "{0} in view"]);
    assert_eq!(found.counted.keys().collect::<Vec<_>>(), ["event|events"]);
}
