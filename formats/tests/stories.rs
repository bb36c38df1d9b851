//! Stories: media, the title slide and rich text, from TimelineJS files into the model and
//! back, through Annals' own formats, the TimelineJS sheet and the CSV template; and hostile
//! files, whose scripts, handlers, `javascript:` links, frames and styles never survive.
//!
//! The fixtures are written for these tests in the shape of TimelineJS3's JSON format
//! (`title`, `events`, `eras`; slides with `media`, `background`, `text`).

use std::collections::BTreeMap;

use annals_core::event::{Event, MediaKind};
use annals_core::format::Loaded;
use annals_core::html::{plain_text, Allowed};
use annals_core::validate::Nothing;
use annals_core::{DomainEvent, Envelope, StreamName, Timestamp};
use annals_formats::export::{export, ExportFormat, ExportInfo};
use annals_formats::rich::sanitize;
use annals_formats::{load, Format};
use serde_json::{json, Value};

#[macro_use]
#[path = "common/corpus.rs"]
mod corpus;

const STORY: &str = r##"{
  "title": {
    "media": {"url": "https://example.org/cover.jpg", "caption": "The river at dawn", "credit": "Photo: A. Author",
              "thumbnail": "https://example.org/cover-small.jpg", "alt": "A river under mist"},
    "text": {"headline": "A river's <em>century</em>",
             "text": "<p>How a town lived with its river.</p><ul><li>Floods</li><li>Bridges</li></ul>"},
    "background": {"color": "#1a1a1a"},
    "unique_id": "cover"
  },
  "events": [
    {"start_date": {"year": "1927", "month": "4"},
     "text": {"headline": "The <strong>great</strong> flood",
              "text": "<p>The water rose for <em>nine</em> days.</p><p>See <a href=\"https://example.org/flood\">the report</a>.</p><ol><li>Houses</li><li>Farms</li></ol>"},
     "media": {"url": "https://www.youtube.com/watch?v=abc123", "caption": "Newsreel of the flood", "credit": "City archive",
               "thumbnail": "https://example.org/flood-small.jpg", "alt": "Boats in a street", "title": "Flood newsreel",
               "link": "https://example.org/archive/flood", "link_target": "_blank"},
     "background": {"url": "https://example.org/water.jpg"},
     "group": "Floods", "unique_id": "flood-1927"},
    {"start_date": {"year": "1931"},
     "media": {"url": "https://example.org/bridge.png", "caption": "The new bridge, seen from the east bank", "credit": "Town hall"},
     "unique_id": "bridge-1931"},
    {"start_date": {"year": "1940", "month": "06", "day": "02"},
     "media": {"url": "https://soundcloud.com/town/speech"},
     "unique_id": "speech-1940"},
    {"start_date": {"year": "1952"},
     "text": {"headline": "A quiet year", "text": "<blockquote><p>Nothing happened, and we were glad.</p></blockquote>"},
     "unique_id": "quiet-1952"}
  ],
  "eras": [{"start_date": {"year": "1927"}, "end_date": {"year": "1931"}, "text": {"headline": "Rebuilding"}}]
}"##;

fn read(text: &str, format: Format) -> Loaded {
    load(text.as_bytes(), "story.json", Some(format), &Nothing)
}

fn events(loaded: &Loaded) -> BTreeMap<String, &DomainEvent> {
    loaded
        .accepted
        .iter()
        .filter_map(|l| match &l.proposed.event {
            Event::Domain(_, e) => Some((l.proposed.id.to_string(), &**e)),
            _ => None,
        })
        .collect()
}

fn envelopes(loaded: &Loaded) -> Vec<Envelope> {
    loaded.clone().into_envelopes(&StreamName::from("story"), Timestamp(1_764_480_000_000))
}

fn info(loaded: &Loaded) -> ExportInfo<'_> {
    ExportInfo {
        stream: Some("story"),
        title: loaded.title.as_deref(),
        description: loaded.description.as_deref(),
        introduction: loaded.introduction.as_ref(),
        lang: None,
    }
}

fn slides(file: &Value) -> BTreeMap<String, Value> {
    file["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|s| (s["unique_id"].as_str().unwrap_or("").to_owned(), s.clone()))
        .collect()
}

#[test]
fn media_title_slide_and_rich_text_are_read_into_the_model() {
    let loaded = read(STORY, Format::TimelinejsJson);
    assert!(loaded.is_clean(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.title.as_deref(), Some("A river's century"));
    let intro = loaded.introduction.as_ref().expect("the introduction");
    assert_eq!(intro.text.as_deref(), Some("How a town lived with its river.\nFloods\nBridges"));
    assert_eq!(
        intro.text_html.as_deref(),
        Some("<p>How a town lived with its river.</p><ul><li>Floods</li><li>Bridges</li></ul>")
    );
    let cover = intro.media.as_ref().expect("the cover");
    assert_eq!(
        (cover.url.as_str(), cover.alt.as_deref()),
        ("https://example.org/cover.jpg", Some("A river under mist"))
    );
    assert_eq!(cover.kind(), MediaKind::Image);
    assert_eq!(intro.codes.get("timelinejs:background.color").map(String::as_str), Some("#1a1a1a"));

    let events = events(&loaded);
    let flood = events["flood-1927"];
    assert_eq!(flood.title, "The great flood");
    assert_eq!(flood.title_html.as_deref(), Some("The <strong>great</strong> flood"));
    assert_eq!(flood.summary.as_deref(), Some("The water rose for nine days.\nSee the report.\nHouses\nFarms"));
    let html = flood.summary_html.as_deref().expect("the text's markup");
    for kept in ["<p>", "<em>nine</em>", "<a href=\"https://example.org/flood\"", "<ol><li>Houses</li>"] {
        assert!(html.contains(kept), "{kept} in {html}");
    }
    let media = flood.media.as_ref().expect("the newsreel");
    assert_eq!(media.kind(), MediaKind::Video, "a video host's page is a video");
    assert_eq!(
        (media.caption.as_deref(), media.credit.as_deref(), media.title.as_deref(), media.link.as_deref()),
        (
            Some("Newsreel of the flood"),
            Some("City archive"),
            Some("Flood newsreel"),
            Some("https://example.org/archive/flood")
        )
    );
    assert_eq!(media.thumbnail.as_deref(), Some("https://example.org/flood-small.jpg"));
    // What the model has no field for stays a code.
    assert_eq!(flood.codes.get("timelinejs:media.link_target").map(String::as_str), Some("_blank"));
    assert_eq!(flood.codes.get("timelinejs:background.url").map(String::as_str), Some("https://example.org/water.jpg"));
    assert!(
        !flood.codes.keys().any(|k| k.starts_with("timelinejs:media.url") || k == "timelinejs:text"),
        "{:?}",
        flood.codes
    );

    // Slides with a medium and no headline are accepted, titled, and say so in a note.
    assert_eq!(events["bridge-1931"].title, "The new bridge, seen from the east bank");
    assert_eq!(events["speech-1940"].title, "Recording from soundcloud.com");
    assert_eq!(events["speech-1940"].media.as_ref().map(|m| m.kind()), Some(MediaKind::Audio));
    let notes: Vec<String> = loaded.notes.iter().map(ToString::to_string).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("events[1].text.headline: is empty; the title is made from the medium's caption")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("events[2].text.headline: is empty; the title is made from what the medium is")),
        "{notes:?}"
    );
    assert_eq!(
        events["quiet-1952"].summary_html.as_deref(),
        Some("<blockquote><p>Nothing happened, and we were glad.</p></blockquote>")
    );
}

/// TimelineJS → Annals (the native document, written and read again) → TimelineJS.
fn through_annals(text: &str) -> (Loaded, Value) {
    let first = read(text, Format::TimelinejsJson);
    assert!(first.is_clean(), "{:?}", first.diagnostics);
    let document = export(&envelopes(&first), ExportFormat::AnnalsJson, &info(&first));
    let native = load(document.text.as_bytes(), "story.annals.json", None, &Nothing);
    assert_eq!(native.format, Format::AnnalsJson);
    assert!(native.is_clean(), "{:?}", native.diagnostics);
    assert_eq!(native.introduction, first.introduction, "the document keeps the introduction");
    let out = export(&envelopes(&native), ExportFormat::TimelinejsJson, &info(&native));
    (native, serde_json::from_str(&out.text).expect("TimelineJS JSON"))
}

#[test]
fn a_timelinejs_file_through_annals_keeps_its_media_title_slide_and_text() {
    let original: Value = serde_json::from_str(STORY).expect("fixture");
    let (_, written) = through_annals(STORY);

    // The title slide: headline, text, medium, background, unique_id.
    let (t0, t1) = (&original["title"], &written["title"]);
    assert_eq!(t1["media"], t0["media"]);
    assert_eq!(t1["background"], t0["background"]);
    assert_eq!(t1["unique_id"], t0["unique_id"]);
    assert_eq!(t1["text"]["headline"], t0["text"]["headline"]);
    assert_eq!(t1["text"]["text"], t0["text"]["text"]);

    let (before, after) = (slides(&original), slides(&written));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (id, s0) in &before {
        let s1 = &after[id];
        assert_eq!(s1["media"], s0["media"], "{id}: media");
        assert_eq!(s1["background"], s0.get("background").cloned().unwrap_or(Value::Null), "{id}: background");
        // Headlines and texts come back as their sanitized selves (a link gains rel="noopener
        // noreferrer"); a slide without a headline still has none.
        for (field, allowed) in [("headline", Allowed::Inline), ("text", Allowed::Blocks)] {
            let expected = s0["text"][field].as_str().map(|h| sanitize(h, allowed));
            assert_eq!(s1["text"][field].as_str().map(str::to_owned), expected, "{id}: {field}");
        }
    }
    assert_eq!(written["eras"][0]["text"]["headline"], "Rebuilding");
    // And again: the written file is a fixed point.
    let (_, again) = through_annals(&written.to_string());
    assert_eq!(again, written);
}

#[test]
fn the_native_formats_carry_media_for_the_page() {
    let loaded = read(STORY, Format::TimelinejsJson);
    let log = export(&envelopes(&loaded), ExportFormat::AnnalsNdjson, &info(&loaded));
    let line = log.text.lines().find(|l| l.contains("\"flood-1927\"")).expect("the flood's line");
    let value: Value = serde_json::from_str(line).expect("json");
    assert_eq!(value["schema_version"], json!(annals_core::envelope::current_schema("Other")));
    assert_eq!(value["payload"]["media"]["url"], "https://www.youtube.com/watch?v=abc123");
    assert!(value["payload"]["summary_html"].as_str().is_some_and(|h| h.contains("<ol>")));
    // The page reads a log through core alone.
    let reread = annals_core::format::native::load(log.text.as_bytes(), "story.ndjson", None, &Nothing);
    assert!(reread.is_clean(), "{:?}", reread.diagnostics);
    assert_eq!(events(&reread)["flood-1927"].media, events(&loaded)["flood-1927"].media);
}

#[test]
fn an_annals_file_of_the_previous_schema_keeps_its_media_on_the_way_to_timelinejs() {
    // As the reader before media wrote it: everything under `timelinejs:` codes, schema 1.
    let old = r#"{"id":"p1","type":"Other","schema_version":1,"payload":{"occurred":"1927-04","title":"The great flood","summary":"Nine days.","sources":[{"publisher":"timelinejs-json file","title":"Imported from story.json"}],"codes":{"timelinejs:media.url":"https://example.org/flood.jpg","timelinejs:media.caption":"Flooded street","timelinejs:media.credit":"Archive","timelinejs:text":"<p><em>Nine</em> days.</p>","timelinejs:group":"Floods"}}}"#;
    let loaded = load(old.as_bytes(), "old.ndjson", None, &Nothing);
    assert!(loaded.is_clean(), "{:?}", loaded.diagnostics);
    let out = export(&envelopes(&loaded), ExportFormat::TimelinejsJson, &ExportInfo::default());
    let file: Value = serde_json::from_str(&out.text).expect("json");
    let slide = &file["events"][0];
    assert_eq!(
        slide["media"],
        json!({"url": "https://example.org/flood.jpg", "caption": "Flooded street", "credit": "Archive"})
    );
    assert_eq!(slide["text"]["text"], "<p><em>Nine</em> days.</p>");
    assert_eq!(slide["group"], "Floods");
}

/// A file whose every text field carries an attack.
const HOSTILE: &str = r##"{
  "title": {"text": {"headline": "<img src=x onerror=alert(1)>Title", "text": "<script>alert(1)</script><p onclick=\"alert(2)\">Intro</p>"},
            "media": {"url": "javascript:alert(3)"}},
  "events": [
    {"start_date": {"year": "2001"},
     "text": {"headline": "<svg onload=alert(1)>Head</svg>", "text": "<iframe src=\"https://evil.example\"></iframe><p style=\"color:red\">Body <a href=\"javascript:alert(4)\">link</a> <a href=\"https://ok.example/\" onmouseover=\"alert(5)\">ok</a></p><style>*{}</style>"},
     "media": {"url": "https://example.org/a.jpg", "caption": "<script>alert(6)</script>Caption <b onmouseover=alert(7)>bold</b>",
               "credit": "<a href=\"javascript:alert(8)\">Credit</a>", "alt": "<img src=x onerror=alert(9)>Alt"},
     "unique_id": "one"},
    {"start_date": {"year": "2002"}, "text": {"headline": "Bad medium"}, "media": {"url": "javascript:alert(10)"}, "unique_id": "two"},
    {"start_date": {"year": "2003"}, "text": {"headline": "Data medium"}, "media": {"url": "https://example.org/x.png", "thumbnail": "data:image/svg+xml,<svg onload=alert(11)>"}, "unique_id": "three"},
    {"start_date": {"year": "2004"}, "text": {"headline": "Bad background"}, "background": {"url": "javascript:alert(12)", "color": "red;background:url(x)"}, "unique_id": "four"},
    {"start_date": {"year": "2005"}, "text": {"headline": "<iframe src=\"https://evil.example\"></iframe>"}, "unique_id": "five"}
  ]
}"##;

#[test]
fn hostile_files_lose_every_script_handler_javascript_link_frame_and_style() {
    let loaded = read(HOSTILE, Format::TimelinejsJson);
    let problems: Vec<(Option<usize>, &str)> =
        loaded.diagnostics.iter().map(|d| (d.record, d.field.as_str())).collect();
    assert_eq!(
        problems,
        [
            (None, "title.media.url"),
            (Some(2), "events[1].media.url"),
            (Some(3), "events[2].media.thumbnail"),
            (Some(4), "events[3].background.url"),
            (Some(4), "events[3].background.color"),
            (Some(5), "events[4].text.headline"),
        ],
        "{:#?}",
        loaded.diagnostics
    );
    for d in &loaded.diagnostics {
        assert!(!d.message.contains("Option") && !d.message.contains("String"), "{d}");
    }
    assert!(loaded.diagnostics[1].message.contains("not an http(s) link"), "{}", loaded.diagnostics[1]);
    let events = events(&loaded);
    let one = events["one"];
    assert_eq!(one.title, "Head");
    assert_eq!(one.summary.as_deref(), Some("Body link ok"));
    let media = one.media.as_ref().expect("media");
    assert_eq!(
        (media.caption.as_deref(), media.credit.as_deref(), media.alt.as_deref()),
        (Some("Caption bold"), Some("Credit"), Some("Alt"))
    );
    let intro = loaded.introduction.as_ref().expect("the introduction, without its medium");
    assert_eq!((intro.text.as_deref(), intro.media.as_ref()), (Some("Intro"), None));
    assert_eq!(loaded.title.as_deref(), Some("Title"));

    let all = envelopes(&loaded);
    for format in
        [ExportFormat::TimelinejsJson, ExportFormat::AnnalsJson, ExportFormat::AnnalsNdjson, ExportFormat::Csv]
    {
        let text = export(&all, format, &info(&loaded)).text.to_ascii_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "onmouseover",
            "onload",
            "javascript:",
            "<iframe",
            "<svg",
            "<img",
            "style=",
            "<style",
        ] {
            assert!(!text.contains(bad), "{format}: {bad} in {text}");
        }
    }
}

#[test]
fn a_native_file_with_markup_outside_the_subset_is_refused_field_by_field() {
    let text = r#"{"annals":1,"events":[
{"id":"a","type":"Other","payload":{"occurred":"2001","title":"x","summary":"y","summary_html":"<p onclick=\"z()\">y</p>","sources":[{"publisher":"P","title":"T"}]}},
{"id":"b","type":"Other","payload":{"occurred":"2001","title":"x","title_html":"<a href=\"javascript:z()\">x</a>","sources":[{"publisher":"P","title":"T"}]}},
{"id":"c","type":"Other","payload":{"occurred":"2001","title":"x","media":{"url":"https://x.example/a.png","link":"javascript:z()"},"sources":[{"publisher":"P","title":"T"}]}}
]}"#;
    let loaded = load(text.as_bytes(), "bad.json", None, &Nothing);
    let got: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(loaded.accepted.len(), 0, "{got:?}");
    assert!(
        got[0].starts_with(
            "line 2, record 1, payload.summary_html: has the attribute \"onclick\" on <p>, which is not allowed"
        ),
        "{got:?}"
    );
    assert!(
        got[1].starts_with(
            "line 3, record 2, payload.title_html: has a link whose href \"javascript:z()\" is not an http(s) link"
        ),
        "{got:?}"
    );
    assert!(
        got[2].starts_with("line 4, record 3, payload.media.link: \"javascript:z()\" is not an http(s) link"),
        "{got:?}"
    );
}

#[test]
fn the_timelinejs_sheet_reads_media_columns_and_the_title_row() {
    let sheet = "Year,Month,Day,Headline,Text,Media,Media Credit,Media Caption,Media Thumbnail,Alt Text,Type,Background\n\
,,,A river's century,<p>How a town lived.</p>,https://example.org/cover.jpg,Photo: A. Author,The river,,A misty river,title,#1a1a1a\n\
1927,4,,,,https://example.org/flood.jpg,Archive,Flooded street,https://example.org/flood-small.jpg,Boats in a street,,\n\
1931,,,Bridge,,ftp://example.org/bridge.png,,,,,,\n";
    let loaded = load(sheet.as_bytes(), "story.csv", None, &Nothing);
    let problems: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("line 4, record 3, Media: \"ftp://example.org/bridge.png\" is not an http(s) link"),
        "{problems:?}"
    );
    assert_eq!(loaded.title.as_deref(), Some("A river's century"));
    let intro = loaded.introduction.as_ref().expect("the title row");
    assert_eq!(intro.media.as_ref().and_then(|m| m.alt.as_deref()), Some("A misty river"));
    assert_eq!(intro.codes.get("timelinejs:background.color").map(String::as_str), Some("#1a1a1a"));
    let events = events(&loaded);
    let (_, flood) = events.iter().next().expect("the flood");
    assert_eq!(flood.title, "Flooded street", "titled from the caption");
    let media = flood.media.as_ref().expect("media");
    assert_eq!(
        (media.credit.as_deref(), media.thumbnail.as_deref(), media.alt.as_deref()),
        (Some("Archive"), Some("https://example.org/flood-small.jpg"), Some("Boats in a street"))
    );
}

#[test]
fn the_csv_template_carries_media_and_rich_text_both_ways() {
    let loaded = read(STORY, Format::TimelinejsJson);
    let csv = export(&envelopes(&loaded), ExportFormat::Csv, &info(&loaded));
    let header = csv.text.lines().next().expect("header");
    for column in [
        "title_html",
        "summary_html",
        "media_url",
        "media_kind",
        "media_caption",
        "media_credit",
        "media_alt",
        "media_licence",
        "media_thumbnail",
        "media_title",
        "media_link",
    ] {
        assert!(header.split(',').any(|c| c == column), "{column} in {header}");
    }
    let back = load(csv.text.as_bytes(), "story.csv", None, &Nothing);
    assert!(back.is_clean(), "{:?}", back.diagnostics);
    let (before, after) = (events(&loaded), events(&back));
    assert_eq!(before.len(), after.len());
    for (id, e) in &before {
        let a = after.get(id).unwrap_or_else(|| panic!("{id} read back"));
        assert_eq!((&a.media, &a.title_html, &a.summary_html), (&e.media, &e.title_html, &e.summary_html), "{id}");
    }
    // A bad cell names its column.
    let bad = "id,type,occurred,title,media_url,media_kind,source_publisher,source_title\n\
e1,Other,2020,x,javascript:alert(1),image,P,T\n\
e2,Other,2020,y,https://x.example/,hologram,P,T\n";
    let loaded = load(bad.as_bytes(), "bad.csv", None, &Nothing);
    let fields: Vec<&str> = loaded.diagnostics.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(fields, ["payload.media.url", "media_kind"], "{:?}", loaded.diagnostics);
}

#[test]
fn a_title_slide_with_a_bad_background_keeps_its_medium() {
    let text = r##"{"title": {"text": {"headline": "T", "text": "Intro"}, "media": {"url": "https://example.org/c.jpg"},
      "background": {"color": "expression(alert(1))"}},
      "events": [{"start_date": {"year": "2001"}, "text": {"headline": "One"}}]}"##;
    let loaded = read(text, Format::TimelinejsJson);
    let fields: Vec<&str> = loaded.diagnostics.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(fields, ["title.background.color"]);
    let intro = loaded.introduction.as_ref().expect("introduction");
    assert_eq!(intro.media.as_ref().map(|m| m.url.as_str()), Some("https://example.org/c.jpg"));
    assert!(intro.codes.is_empty(), "{:?}", intro.codes);
    assert_eq!(loaded.accepted.len(), 1);
}

#[test]
fn the_real_timelinejs_file_through_annals_keeps_its_media_backgrounds_and_text() {
    let bytes = corpus!("timelinejs/eras.json");
    let text = String::from_utf8(bytes).expect("utf-8");
    let original: Value = serde_json::from_str(&text).expect("json");
    let (native, written) = through_annals(&text);
    let with_media = events(&native).values().filter(|e| e.media.is_some()).count();
    assert!(with_media > 0, "the corpus file has media");
    assert_eq!(written["title"]["text"], original["title"]["text"]);
    let by_headline = |file: &Value| -> BTreeMap<String, Value> {
        file["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|s| (plain_text(s["text"]["headline"].as_str().unwrap_or("")), s.clone()))
            .collect()
    };
    let (before, after) = (by_headline(&original), by_headline(&written));
    assert_eq!(before.len(), after.len());
    for (headline, s0) in &before {
        let s1 = after.get(headline).unwrap_or_else(|| panic!("{headline} written back"));
        assert_eq!(s1["media"], s0.get("media").cloned().unwrap_or(Value::Null), "{headline}: media");
        assert_eq!(s1["background"], s0.get("background").cloned().unwrap_or(Value::Null), "{headline}: background");
        // An empty text is left out.
        let expected = s0["text"]["text"].as_str().filter(|t| !t.is_empty()).map(|h| sanitize(h, Allowed::Blocks));
        assert_eq!(s1["text"]["text"].as_str().map(str::to_owned), expected, "{headline}: text");
    }
    assert_eq!(written["eras"].as_array().map(Vec::len), original["eras"].as_array().map(Vec::len));
}

#[test]
fn embedded_media_html_gives_a_quotation_or_a_frame_address_never_the_markup() {
    let text = r##"{"events": [
      {"start_date": {"year": "2001"}, "text": {"headline": "Quote"},
       "media": {"url": "<blockquote onclick=\"alert(1)\">We will rebuild.<script>alert(2)</script></blockquote>", "credit": "<b onmouseover=x()>Mayor</b>"}, "unique_id": "q"},
      {"start_date": {"year": "2002"}, "text": {"headline": "Map"},
       "media": {"url": "<iframe src=\"https://www.google.com/maps/embed?pb=abc&amp;x=1\" onload=\"alert(3)\" width=\"600\"></iframe>"}, "unique_id": "m"},
      {"start_date": {"year": "2003"}, "text": {"headline": "Bad frame"},
       "media": {"url": "<iframe src=\"javascript:alert(4)\"></iframe>"}, "unique_id": "b"}
    ]}"##;
    let loaded = read(text, Format::TimelinejsJson);
    let fields: Vec<&str> = loaded.diagnostics.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(fields, ["events[2].media.url"], "{:?}", loaded.diagnostics);
    let notes: Vec<String> = loaded.notes.iter().map(ToString::to_string).collect();
    assert!(notes.iter().any(|n| n.contains("events[0].media.url: is a quotation")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("events[1].media.url: is embed code")), "{notes:?}");
    let events = events(&loaded);
    assert_eq!(events["q"].media, None);
    let map = events["m"].media.as_ref().expect("the map's address");
    assert_eq!((map.url.as_str(), map.kind()), ("https://www.google.com/maps/embed?pb=abc&x=1", MediaKind::Page));
    let out = export(&envelopes(&loaded), ExportFormat::TimelinejsJson, &ExportInfo::default());
    let file: Value = serde_json::from_str(&out.text).expect("json");
    let quote = &slides(&file)["q"]["media"];
    assert_eq!(quote, &json!({"url": "<blockquote>We will rebuild.</blockquote>", "credit": "Mayor"}));
    let lower = out.text.to_ascii_lowercase();
    for bad in ["<script", "onclick", "onmouseover", "onload", "javascript:", "<iframe"] {
        assert!(!lower.contains(bad), "{bad} in {}", out.text);
    }
}
