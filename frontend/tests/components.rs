//! Components rendered into a real DOM in headless Chromium (`wasm-bindgen-test`).
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p annals-web --target wasm32-unknown-unknown`
//! (`cargo xtask test` does it). On other targets this file compiles to nothing.

#![cfg(target_arch = "wasm32")]

use std::rc::Rc;
use std::time::Duration;

use annals_web::panels::{Details, DetailsProps};
use annals_web::record::{from_bytes, Record};
use annals_web::{Explorer, ExplorerProps};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const DEFAULT_RECORD: &[u8] = include_bytes!("../../data/azerbaijan-belarus.json");

fn default_record() -> Rc<Record> {
    Rc::new(from_bytes(DEFAULT_RECORD, "x").expect("the default record loads"))
}

/// A fresh `<div>` in the document body.
fn fresh_root() -> Element {
    let document = web_sys::window().expect("window").document().expect("document");
    let div = document.create_element("div").expect("div");
    document.body().expect("body").append_child(&div).expect("append");
    div
}

/// Lets yew render (its scheduler runs on the microtask/timer queue).
async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(50)).await;
}

async fn render_details(record: Rc<Record>, selected: Option<&str>) -> Element {
    let root = fresh_root();
    yew::Renderer::<Details>::with_root_and_props(
        root.clone(),
        DetailsProps { record, selected: selected.map(str::to_owned) },
    )
    .render();
    settle().await;
    root
}

fn text(root: &Element) -> String {
    root.text_content().unwrap_or_default()
}

fn select_text(root: &Element, selector: &str) -> Option<String> {
    root.query_selector(selector).expect("valid selector").map(|e| e.text_content().unwrap_or_default())
}

#[wasm_bindgen_test]
async fn details_of_the_state_visit() {
    let root = render_details(default_record(), Some("2024-05-16-state-visit")).await;
    assert_eq!(
        select_text(&root, "section#details h2").as_deref(),
        Some("Alexander Lukashenko's state visit to Azerbaijan")
    );
    let all = text(&root);
    assert!(all.contains("Visitor"), "{all}");
    assert!(all.contains("Alexander Lukashenko"), "the visitor is named: {all}");
    assert!(all.contains("16–17 May 2024"), "the dates: {all}");
    assert!(!all.contains("Documents signed"), "a visit has no documents line: {all}");
    // Eight sources in the data, seven with a URL: all listed, those seven linked, and the one
    // whose page was not found says why it has no link.
    let sources = root.query_selector_all("section#details > ul.sources > li").expect("selector");
    assert_eq!(sources.length(), 8);
    let links = root.query_selector_all("section#details > ul.sources > li a").expect("selector");
    assert_eq!(links.length(), 7);
    let unlinked = select_text(&root, "section#details > ul.sources .no-link").expect("a source says it has no link");
    assert!(unlinked.starts_with("No link: Not found"), "{unlinked}");
}

#[wasm_bindgen_test]
async fn details_of_the_state_visit_signing() {
    let root = render_details(default_record(), Some("2024-05-16-signing")).await;
    assert_eq!(select_text(&root, "section#details h2").as_deref(), Some("Documents signed during the state visit"));
    let all = text(&root);
    // Eight titles are known; whether nine were signed is a dispute, not a count.
    assert!(all.contains("Documents signed: 8"), "{all}");
    assert!(all.contains("Disputed: the number of documents"), "{all}");
    let documents = root.query_selector_all("ul.documents > li").expect("selector");
    assert_eq!(documents.length(), 8);
    let links = root.query_selector_all("section#details > ul.sources a").expect("selector");
    assert_eq!(links.length(), 6, "every source of the signing has a URL");
    let vestnik = root
        .query_selector("section#details > ul.sources a[href='https://en.vestikavkaza.ru/material/168244']")
        .expect("selector")
        .expect("the Vestnik Kavkaza page is a link");
    assert_eq!(vestnik.get_attribute("rel").as_deref(), Some("noopener noreferrer"));
}

#[wasm_bindgen_test]
async fn details_without_a_selection_or_with_an_unknown_id_invite_a_choice() {
    for selected in [None, Some("no-such-event")] {
        let root = render_details(default_record(), selected).await;
        assert!(root.query_selector("section#details.empty").expect("selector").is_some(), "{selected:?}");
        assert!(root.query_selector("section#details h2").expect("selector").is_none(), "{selected:?}");
    }
}

#[wasm_bindgen_test]
async fn the_disputed_meeting_lists_both_claims() {
    let root = render_details(default_record(), Some("2023-igc-13th-meeting")).await;
    let dispute = select_text(&root, ".dispute").expect("a dispute is shown");
    assert!(dispute.contains("15 March 2023"), "{dispute}");
    assert!(dispute.contains("15 May 2023"), "{dispute}");
}

const MARKUP: &str = "<img src=x onerror=alert(1)>";

/// A small record whose text fields carry markup.
fn hostile_record() -> Rc<Record> {
    let json = r#"{
      "annals": 1,
      "stream": "hostile",
      "title": "Hostile <b>record</b>",
      "events": [
        {"id": "actor:aze", "type": "ActorRegistered",
         "payload": {"actor": "aze", "kind": "country", "names": {"en": "Azerbaijan <script>alert(2)</script>"}, "iso3": "AZE"}},
        {"id": "actor:blr", "type": "ActorRegistered",
         "payload": {"actor": "blr", "kind": "country", "names": {"en": "Belarus"}, "iso3": "BLR"}},
        {"id": "x-1", "type": "Statement",
         "payload": {"occurred": "2024-05-16",
                     "title": "Statement <img src=x onerror=alert(1)>",
                     "summary": "Summary <img src=x onerror=alert(1)>",
                     "actors": [{"actor": "aze", "role": "participant"}],
                     "sources": [{"publisher": "Publisher <img src=x onerror=alert(1)>",
                                  "quote": "<img src=x onerror=alert(1)>",
                                  "url": "https://example.org/a?b=<c>"}]}}
      ]
    }"#;
    Rc::new(from_bytes(json.as_bytes(), "hostile.json").expect("the hostile record is valid data"))
}

fn assert_no_markup_elements(root: &Element) {
    for tag in ["img", "script", "b"] {
        assert!(
            root.query_selector(tag).expect("selector").is_none(),
            "a <{tag}> element was created from record text: {}",
            root.inner_html()
        );
    }
}

#[wasm_bindgen_test]
async fn markup_in_a_title_is_rendered_as_text_in_the_details() {
    let root = render_details(hostile_record(), Some("x-1")).await;
    assert_no_markup_elements(&root);
    assert_eq!(select_text(&root, "section#details h2"), Some(format!("Statement {MARKUP}")));
    let all = text(&root);
    assert!(all.contains(&format!("Summary {MARKUP}")), "{all}");
    assert!(all.contains(&format!("Publisher {MARKUP}")), "{all}");
    assert!(all.contains("Azerbaijan <script>alert(2)</script>"), "actor names are text too: {all}");
}

#[wasm_bindgen_test]
async fn markup_in_a_record_is_rendered_as_text_in_the_whole_explorer() {
    let root = fresh_root();
    yew::Renderer::<Explorer>::with_root_and_props(root.clone(), ExplorerProps { record: hostile_record() }).render();
    settle().await;
    assert_no_markup_elements(&root);
    assert_eq!(select_text(&root, "h1").as_deref(), Some("Hostile <b>record</b>"));
    let item = select_text(&root, r#"section.event-list li[data-id="x-1"]"#).expect("the event is listed");
    assert!(item.contains(&format!("Statement {MARKUP}")), "{item}");
    // Clicking it shows the details, still as text.
    let button =
        root.query_selector(r#"section.event-list li[data-id="x-1"] button"#).expect("selector").expect("button");
    wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&button).expect("html element").click();
    settle().await;
    assert_eq!(select_text(&root, "section#details h2"), Some(format!("Statement {MARKUP}")));
    assert_no_markup_elements(&root);
}

fn with_source_url(url: &str) -> String {
    format!(
        r#"{{
          "annals": 1,
          "events": [
            {{"id": "actor:aze", "type": "ActorRegistered",
             "payload": {{"actor": "aze", "kind": "country", "names": {{"en": "Azerbaijan"}}, "iso3": "AZE"}}}},
            {{"id": "x-1", "type": "Statement",
             "payload": {{"occurred": "2024-05-16", "title": "A statement",
                         "actors": [{{"actor": "aze", "role": "participant"}}],
                         "sources": [{{"publisher": "P", "url": {url}}}]}}}}
          ]
        }}"#,
        url = serde_json::Value::String(url.to_owned())
    )
}

#[wasm_bindgen_test]
fn the_loader_accepts_an_https_source() {
    // The control for the test below: the same file with a safe URL loads.
    from_bytes(with_source_url("https://example.org/x").as_bytes(), "ok.json").expect("an https source is fine");
}

#[wasm_bindgen_test]
fn the_loader_rejects_sources_with_unsafe_urls() {
    for url in [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//example.org/x",
        "https://",
        "https://exa mple.org/",
    ] {
        let result = from_bytes(with_source_url(url).as_bytes(), "bad.json");
        let err = result.err().unwrap_or_else(|| panic!("a source with URL {url:?} was accepted"));
        assert!(err.starts_with("bad.json: "), "the message names the file: {err}");
        assert!(err.contains("url"), "the message names the field: {err}");
    }
}

/// The same statement as [`with_source_url`] with a safe source, followed by one more record.
fn with_follow_up(follow_up: &str) -> String {
    format!(
        r#"{{
          "annals": 1,
          "events": [
            {{"id": "actor:aze", "type": "ActorRegistered",
             "payload": {{"actor": "aze", "kind": "country", "names": {{"en": "Azerbaijan"}}, "iso3": "AZE"}}}},
            {{"id": "x-1", "type": "Statement",
             "payload": {{"occurred": "2024-05-16", "title": "A statement",
                         "actors": [{{"actor": "aze", "role": "participant"}}],
                         "sources": [{{"publisher": "P", "url": "https://example.org/x"}}]}}}},
            {follow_up}
          ]
        }}"#
    )
}

#[wasm_bindgen_test]
fn unsafe_urls_cannot_come_in_through_a_correction_or_a_dispute() {
    let correction = r#"{"id": "x-1-fix", "type": "Corrected",
        "payload": {"target": "x-1", "changes": {"sources": [{"publisher": "P", "url": "javascript:alert(1)"}]},
                    "reason": "A hostile correction."}}"#;
    let dispute = r#"{"id": "x-1-dispute", "type": "Disputed",
        "payload": {"target": "x-1", "field": "occurred",
                    "claims": [{"value": "2024-05-15", "sources": [{"publisher": "P", "url": "javascript:alert(1)"}]},
                               {"value": "2024-05-16", "sources": [{"publisher": "Q", "url": "https://example.org/y"}]}]}}"#;
    // Controls: the same records with safe URLs load, so a rejection below is about the URL.
    from_bytes(
        with_follow_up(&correction.replace("javascript:alert(1)", "https://example.org/z")).as_bytes(),
        "c.json",
    )
    .expect("a correction with an https source loads");
    from_bytes(with_follow_up(&dispute.replace("javascript:alert(1)", "https://example.org/z")).as_bytes(), "d.json")
        .expect("a dispute with https sources loads");
    for (what, record) in [("correction", correction), ("dispute", dispute)] {
        let result = from_bytes(with_follow_up(record).as_bytes(), "bad.json");
        assert!(result.is_err(), "a {what} brought in a javascript: URL");
    }
}

/// The page lowers text to lower case through the browser (`words::lower`: the search, a file
/// name, the count of publishers); that must be Rust's `to_lowercase`, character by character
/// and for a final sigma, or the search would find what the service's does not.
#[wasm_bindgen_test]
fn the_browsers_lower_case_is_rusts() {
    // Every character, one a line, lowered in one call (a line break is neither cased nor
    // case-ignorable, so each is lowered as on its own).
    let all: Vec<char> = (0..=0x10_FFFF_u32).filter_map(char::from_u32).filter(|c| *c != '\n').collect();
    let text: String = all.iter().flat_map(|c| [*c, '\n']).collect();
    let browser = annals_web::words::lower(&text);
    let differ: Vec<String> = all
        .iter()
        .zip(browser.split('\n'))
        .filter(|(c, lowered)| c.to_lowercase().ne(lowered.chars()))
        .take(20)
        .map(|(c, _)| format!("U+{:04X}", *c as u32))
        .collect();
    assert!(differ.is_empty(), "the browser and Rust disagree on {differ:?}");
    assert_eq!(browser.split('\n').count(), all.len() + 1);
    for text in ["ΟΔΟΣ ΣΟΦΙΑΣ", "İstanbul", "Азербайджан", "Ⅻ ǅ ẞ"] {
        assert_eq!(annals_web::words::lower(text), text.to_lowercase(), "{text}");
    }
}

/// The page asks the browser whether a character of a title is a letter or a digit (its file
/// name, `save::slug`); that must be Rust's `char::is_alphanumeric` for every character, or a
/// download's name would differ from the service's and the command line's.
#[wasm_bindgen_test]
fn the_browsers_letters_and_digits_are_rusts() {
    let differ: Vec<String> = (0..=0x10_FFFF_u32)
        .filter_map(char::from_u32)
        .filter(|&c| annals_web::save::letter_or_digit(c) != c.is_alphanumeric())
        .take(20)
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(differ.is_empty(), "the browser and Rust disagree on {differ:?}");
    assert_eq!(annals_web::save::slug("Азербайджан — Беларусь, ½ ٣ Ⅻ 日本"), "азербайджан-беларусь-½-٣-ⅻ-日本");
}
