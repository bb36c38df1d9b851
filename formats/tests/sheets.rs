//! The TimelineJS and CSV readers, detection, and the writers: small fixtures written for
//! these tests, the real TimelineJS file of the shared corpus, and round trips.

use annals_core::event::{Event, EventKind};
use annals_core::validate::Nothing;
use annals_core::{DomainEvent, Envelope, StreamName, Timestamp};
use annals_formats::export::{export, ExportFormat, ExportInfo};
use annals_formats::{detect, load, Format, Loaded};

#[macro_use]
#[path = "common/corpus.rs"]
mod corpus;

fn read(text: &str, format: Format) -> Loaded {
    load(text.as_bytes(), "fixture", Some(format), &Nothing)
}

fn domain(loaded: &Loaded) -> Vec<(String, EventKind, &DomainEvent)> {
    loaded
        .accepted
        .iter()
        .filter_map(|l| match &l.proposed.event {
            Event::Domain(k, e) => Some((l.proposed.id.to_string(), *k, &**e)),
            _ => None,
        })
        .collect()
}

fn envelopes(loaded: Loaded) -> Vec<Envelope> {
    loaded.into_envelopes(&StreamName::from("test"), Timestamp(1_764_480_000_000))
}

fn problems(loaded: &Loaded) -> Vec<String> {
    loaded.diagnostics.iter().map(ToString::to_string).collect()
}

// ----------------------------------------------------------------------------------------
// TimelineJS JSON.

const TIMELINE: &str = r##"{
  "title": {"text": {"headline": "Relations <i>in brief</i>", "text": "<p>A test.</p>"}},
  "scale": "human",
  "events": [
    {"start_date": {"year": "2024", "month": "05", "day": "16"},
     "end_date": {"year": 2024, "month": 5, "day": 17},
     "text": {"headline": "State visit", "text": "<p>Talks at <b>Zagulba</b> &amp; a trip.</p><p>Second.</p>"},
     "media": {"url": "https://example.org/photo.jpg", "caption": "The <i>meeting</i>", "credit": "Press service"},
     "group": "Visits", "unique_id": "state-visit-2024",
     "background": {"color": "#123456", "opacity": "50"}},
    {"start_date": {"year": "2009"}, "text": {"headline": "Year only"}, "group": "Calls"},
    {"start_date": {"year": "2009", "month": "8"}, "text": {"headline": "Month only"}, "location": {"lat": 1}},
    {"start_date": {"year": "2021", "month": "02", "day": "03", "hour": "9", "minute": "30"},
     "text": {"headline": "With a time", "text": "a < b"}, "unique_id": "has spaces in it"}
  ],
  "eras": [{"start_date": {"year": "2020"}, "end_date": {"year": "2024"}, "text": {"headline": "Era one"}}]
}"##;

#[test]
fn timelinejs_json_keeps_precision_html_and_every_field() {
    let loaded = read(TIMELINE, Format::TimelinejsJson);
    assert!(loaded.is_clean(), "{:?}", problems(&loaded));
    assert_eq!(loaded.title.as_deref(), Some("Relations in brief"));
    assert_eq!(loaded.introduction.as_ref().and_then(|i| i.text.as_deref()), Some("A test."));
    let events = domain(&loaded);
    let got: Vec<(&str, EventKind, String, &str)> =
        events.iter().map(|(id, k, e)| (id.as_str(), *k, e.occurred.to_string(), e.title.as_str())).collect();
    assert_eq!(
        got,
        [
            ("state-visit-2024", EventKind::Other, "2024-05-16/2024-05-17".into(), "State visit"),
            ("2009-year-only", EventKind::Call, "2009".into(), "Year only"),
            ("2009-08-month-only", EventKind::Other, "2009-08".into(), "Month only"),
            ("has-spaces-in-it", EventKind::Other, "2021-02-03".into(), "With a time"),
            ("era-2020-era-one", EventKind::Other, "2020/2024".into(), "Era one"),
        ]
    );
    let visit = events[0].2;
    assert_eq!(visit.summary.as_deref(), Some("Talks at Zagulba & a trip.\nSecond."));
    assert_eq!(visit.sources.len(), 1);
    assert_eq!(visit.sources[0].publisher, "timelinejs-json file");
    let media = visit.media.as_ref().expect("the medium");
    assert_eq!(media.url, "https://example.org/photo.jpg");
    assert_eq!(media.caption.as_deref(), Some("The meeting"));
    assert_eq!(media.credit.as_deref(), Some("Press service"));
    assert_eq!(visit.summary_html.as_deref(), Some("<p>Talks at <b>Zagulba</b> &amp; a trip.</p><p>Second.</p>"));
    for (key, value) in [
        ("timelinejs:group", "Visits"),
        ("timelinejs:background.color", "#123456"),
        ("timelinejs:background.opacity", "50"),
    ] {
        assert_eq!(visit.codes.get(key).map(String::as_str), Some(value), "{key}");
    }
    assert_eq!(events[3].2.summary.as_deref(), Some("a < b"));
    assert_eq!(events[3].2.codes.get("timelinejs:start_time").map(String::as_str), Some("09:30"));
    assert_eq!(events[3].2.codes.get("timelinejs:unique_id").map(String::as_str), Some("has spaces in it"));
    assert_eq!(events[4].2.codes.get("timelinejs:type").map(String::as_str), Some("era"));
    // The unknown key and the fixed id are noted, not errors.
    let notes: Vec<String> = loaded.notes.iter().map(ToString::to_string).collect();
    assert!(notes.iter().any(|n| n.contains("events[2].location: is not a TimelineJS field")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("events[3].unique_id")), "{notes:?}");
}

#[test]
fn timelinejs_json_reports_every_bad_slide_and_keeps_the_good_ones() {
    let text = r#"{"events": [
  {"start_date": {"year": "2024", "month": "13"}, "text": {"headline": "Bad month"}},
  {"start_date": {"month": "5"}, "text": {"headline": "No year"}},
  {"start_date": {"year": "2024", "day": "5"}, "text": {"headline": "Day without month"}},
  {"start_date": {"year": "twenty"}, "text": {"headline": ""}},
  {"start_date": {"year": "2024"}, "end_date": {"year": "2020"}, "text": {"headline": "Backwards"}},
  "not a slide",
  {"start_date": {"year": "-200000000000"}, "text": {"headline": "Before the Big Bang"}},
  {"start_date": {"year": "2024", "month": "02", "day": "30"}, "text": {"headline": "No such day"}},
  {"start_date": {"year": "1,999"}, "text": {"headline": "Fine"}}
]}"#;
    let loaded = read(text, Format::TimelinejsJson);
    assert_eq!(loaded.accepted.len(), 1);
    assert_eq!(loaded.rejected, 8);
    assert_eq!(
        problems(&loaded),
        [
            "line 2, record 1, events[0].start_date.month: month 13 is not between 1 and 12",
            "line 3, record 2, events[1].start_date.year: is missing but a month, day or time is given; expected the year",
            "line 4, record 3, events[2].start_date.month: is missing but a day is given; expected the month too",
            "line 5, record 4, events[3].start_date.year: \"twenty\" is not a whole number; expected a year such as 2024 (negative for BCE)",
            "line 5, record 4, events[3].text.headline: is empty and there is no text or medium; expected a headline",
            "line 6, record 5, events[4].end_date.year: range ends (2020) before it starts (2024)",
            "line 7, record 6, events[5]: is not an object; expected a slide {\"start_date\": {\"year\": …}, \"text\": {…}}",
            "line 8, record 7, events[6].start_date.year: year -200000000000 is outside the years Annals reads (-100000000000 to 100000000000)",
            "line 9, record 8, events[7].start_date.day: day 30 does not exist in 2024-02",
        ]
    );
    assert_eq!(domain(&loaded)[0].2.occurred.to_string(), "1999");
}

/// The shapes of the corpus's eras.json (eras out of order, two slides on one date, years
/// before 1000 as zero-padded strings, no ids), written for this test.
const ERAS: &str = r##"{
  "title": {"text": {"headline": "Eras <b>here</b>"}},
  "events": [
    {"start_date": {"year": "0622", "month": "08", "day": "09"}, "end_date": {"year": "0622", "month": "08", "day": "23"},
     "text": {"headline": "A journey"}},
    {"start_date": {"year": "0630"}, "text": {"headline": "One thing"}},
    {"start_date": {"year": "0630"}, "text": {"headline": "Another thing"}}
  ],
  "eras": [
    {"start_date": {"year": "0650"}, "end_date": {"year": "0700"}, "text": {"headline": "Second era"}},
    {"start_date": {"year": "0600"}, "end_date": {"year": "0650"}, "text": {"headline": "First era"}},
    {"start_date": {"year": "0700"}, "end_date": {"year": "0720"}, "text": {"headline": "Third era"}}
  ]
}"##;

#[test]
fn eras_out_of_order_and_slides_on_one_date_in_a_fixture() {
    assert_eq!(detect(ERAS.as_bytes(), "eras.json"), Some(Format::TimelinejsJson));
    let loaded = load(ERAS.as_bytes(), "eras.json", None, &Nothing);
    assert!(loaded.is_clean(), "{:?}", problems(&loaded));
    assert_eq!(loaded.format, Format::TimelinejsJson);
    assert_eq!(loaded.title.as_deref(), Some("Eras here"));
    let events = domain(&loaded);
    let eras: Vec<_> = events.iter().filter(|(_, _, e)| e.codes.contains_key("timelinejs:type")).collect();
    assert_eq!((events.len() - eras.len(), eras.len()), (3, 3));
    // Each era keeps its own span, in the file's order.
    let spans: Vec<String> = eras.iter().map(|(_, _, e)| e.occurred.to_string()).collect();
    assert_eq!(spans, ["0650/0700", "0600/0650", "0700/0720"]);
    // Zero-padded months as strings keep day precision.
    assert!(events.iter().any(|(_, _, e)| e.occurred.to_string() == "0622-08-09/0622-08-23"));
    // Two slides on the same date are both kept, with different ids.
    let mut ids: Vec<&str> = events.iter().map(|(id, _, _)| id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6);
    // Importing twice gives the same ids: a repeated import is idempotent.
    let again = load(ERAS.as_bytes(), "eras.json", None, &Nothing);
    assert_eq!(again.proposed(), loaded.proposed());
}

#[test]
fn the_corpus_file_imports() {
    let bytes = corpus!("timelinejs/eras.json");
    assert_eq!(detect(&bytes, "eras.json"), Some(Format::TimelinejsJson));
    let loaded = load(&bytes, "eras.json", None, &Nothing);
    assert!(loaded.is_clean(), "{:?}", problems(&loaded));
    assert_eq!(loaded.format, Format::TimelinejsJson);
    assert_eq!(loaded.title.as_deref(), Some("Eras Test"));
    let events = domain(&loaded);
    let eras: Vec<_> = events.iter().filter(|(_, _, e)| e.codes.contains_key("timelinejs:type")).collect();
    assert_eq!(events.len() - eras.len(), 20);
    assert_eq!(eras.len(), 3);
    // The eras are out of order in the file; each keeps its own span.
    let spans: Vec<String> = eras.iter().map(|(_, _, e)| e.occurred.to_string()).collect();
    assert_eq!(spans, ["0650/0700", "0600/0650", "0700/0720"]);
    // Zero-padded months as strings keep day precision.
    assert!(events.iter().any(|(_, _, e)| e.occurred.to_string() == "0622-08-09/0622-08-23"));
    // Two slides on the same date are both kept, with different ids.
    let mut starts: Vec<String> = events.iter().map(|(_, _, e)| e.occurred.start().to_string()).collect();
    let total = starts.len();
    starts.sort();
    starts.dedup();
    assert!(starts.len() < total, "the corpus has two slides on one date");
    let mut ids: Vec<&str> = events.iter().map(|(id, _, _)| id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 23);
    // Importing twice gives the same ids: a repeated import is idempotent.
    let again = load(&bytes, "eras.json", None, &Nothing);
    assert_eq!(again.proposed(), loaded.proposed());
}

#[test]
fn timelinejs_round_trip_keeps_what_timelinejs_holds() {
    let first = read(TIMELINE, Format::TimelinejsJson);
    let before: Vec<_> = first.proposed();
    let (title, description, introduction) =
        (first.title.clone(), first.description.clone(), first.introduction.clone());
    let info = ExportInfo {
        stream: Some("test"),
        title: title.as_deref(),
        description: description.as_deref(),
        introduction: introduction.as_ref(),
        lang: None,
    };
    let out = export(&envelopes(first), ExportFormat::TimelinejsJson, &info);
    let json: serde_json::Value = serde_json::from_str(&out.text).expect("valid JSON");
    assert_eq!(json["events"].as_array().map(Vec::len), Some(4));
    assert_eq!(json["eras"].as_array().map(Vec::len), Some(1));
    let visit = &json["events"].as_array().expect("events").iter().find(|e| e["unique_id"] == "state-visit-2024");
    let visit = visit.expect("the visit keeps its unique_id");
    assert_eq!(visit["media"]["caption"], "The meeting");
    assert_eq!(visit["group"], "Visits");
    assert_eq!(visit["text"]["text"], "<p>Talks at <b>Zagulba</b> &amp; a trip.</p><p>Second.</p>");
    assert_eq!(visit["start_date"], serde_json::json!({"year": 2024, "month": 5, "day": 16}));
    assert_eq!(detect(out.text.as_bytes(), "out.json"), Some(Format::TimelinejsJson));
    let second = load(out.text.as_bytes(), "fixture", None, &Nothing);
    assert!(second.is_clean(), "{:?}", problems(&second));
    assert_eq!((&second.title, &second.description, &second.introduction), (&title, &description, &introduction));
    let mut after = second.proposed();
    let mut before = before;
    let key = |p: &annals_core::Proposed| p.id.to_string();
    after.sort_by_key(key);
    before.sort_by_key(key);
    assert_eq!(after, before);
}

#[test]
fn corrections_and_retractions_apply_before_writing() {
    let mut records = envelopes(read(TIMELINE, Format::TimelinejsJson));
    let extra = r#"{"id":"fix","type":"Corrected","payload":{"target":"state-visit-2024","changes":{"summary":"Corrected summary."}}}
{"id":"gone","type":"Retracted","payload":{"target":"2009-year-only","reason":"duplicate"}}"#;
    let first = records.len() as u64 + 1;
    for (n, line) in (first..).zip(extra.lines()) {
        let decoded = annals_core::envelope::decode_record(line).expect("record");
        records.push(Envelope {
            position: n,
            id: decoded.proposed.id,
            stream: StreamName::from("test"),
            recorded_at: Timestamp(0),
            event: decoded.proposed.event,
        });
    }
    let out = export(&records, ExportFormat::TimelinejsJson, &ExportInfo::default());
    let json: serde_json::Value = serde_json::from_str(&out.text).expect("json");
    let events = json["events"].as_array().expect("events");
    assert_eq!(events.len(), 3, "the retracted slide is left out");
    let visit = events.iter().find(|e| e["unique_id"] == "state-visit-2024").expect("visit");
    // The kept HTML no longer says what the summary says, so the summary is written.
    assert_eq!(visit["text"]["text"], "Corrected summary.");
}

// ----------------------------------------------------------------------------------------
// CSV: the TimelineJS sheet.

#[test]
fn timelinejs_sheet_with_semicolons_bom_crlf_and_multiline_cells() {
    let text = "\u{feff}Year;Month;Day;Time;End Year;End Month;End Day;End Time;Display Date;Headline;Text;Media;Media Credit;Media Caption;Media Thumbnail;Type;Group;Background;Notes\r\n\
;;;;;;;;;The title;<p>About</p>;;;;;title;;;\r\n\
2024;5;16;;2024;5;17;;;\"State visit; Baku\";\"<p>Line one</p>\r\n<p>Line \"\"two\"\"</p>\";https://example.org/a.jpg;AP;;;;Visits;#fff;x\r\n\
\r\n\
2009;;;;;;;;;Year only;;;;;;;;;\r\n\
2009;8;;;;;;;;Month only;;;;;;;;;\r\n\
2001;;;;2005;;;;;An era;;;;;;era;;;\r\n\
2024;13;;;;;;;;Bad month;;;;;;;;;\r\n";
    assert_eq!(detect(text.as_bytes(), "sheet.csv"), Some(Format::Csv));
    let loaded = load(text.as_bytes(), "sheet.csv", None, &Nothing);
    assert_eq!(problems(&loaded), ["line 9, record 6, Month: month 13 is not between 1 and 12"]);
    assert_eq!(loaded.title.as_deref(), Some("The title"));
    assert_eq!(loaded.introduction.as_ref().and_then(|i| i.text.as_deref()), Some("About"));
    let events = domain(&loaded);
    let got: Vec<(String, &str)> = events.iter().map(|(_, _, e)| (e.occurred.to_string(), e.title.as_str())).collect();
    assert_eq!(
        got,
        [
            ("2024-05-16/2024-05-17".to_owned(), "State visit; Baku"),
            ("2009".into(), "Year only"),
            ("2009-08".into(), "Month only"),
            ("2001/2005".into(), "An era"),
        ]
    );
    assert_eq!(events[0].2.summary.as_deref(), Some("Line one\nLine \"two\""));
    let media = events[0].2.media.as_ref().expect("the medium");
    assert_eq!((media.url.as_str(), media.credit.as_deref()), ("https://example.org/a.jpg", Some("AP")));
    assert_eq!(events[0].2.codes.get("timelinejs:background.color").map(String::as_str), Some("#fff"));
    assert_eq!(events[3].2.codes.get("timelinejs:type").map(String::as_str), Some("era"));
    assert_eq!(events[0].2.sources[0].title.as_deref(), Some("Imported from sheet.csv"));
    // The extra column is a note, and the file's rows keep their physical lines.
    assert_eq!(loaded.notes.len(), 1, "{:?}", loaded.notes);
    assert_eq!(loaded.notes[0].field, "Notes");
    let lines: Vec<Option<usize>> = loaded.accepted.iter().map(|l| l.line).collect();
    assert_eq!(lines, [Some(3), Some(6), Some(7), Some(8)]);
}

#[test]
fn older_and_newer_timelinejs_sheet_columns() {
    let text = "Year,Headline,Tag,Media,Alt Text\n2024,Visit,Calls,https://example.org/a.jpg,Two presidents\n";
    let loaded = read(text, Format::Csv);
    assert!(loaded.is_clean() && loaded.notes.is_empty(), "{:?} {:?}", problems(&loaded), loaded.notes);
    let events = domain(&loaded);
    assert_eq!(events[0].1, EventKind::Call, "a v1 Tag is the group");
    assert_eq!(events[0].2.media.as_ref().and_then(|m| m.alt.as_deref()), Some("Two presidents"));
}

// ----------------------------------------------------------------------------------------
// CSV: the Annals template.

const TEMPLATE: &str = "id,type,occurred,title,summary,visitor,host,level,places,actors,source_publisher,source_title,source_url,source2_publisher,source2_title,actor,kind,lat,lon,tags,codes\n\
actor:minsk,ActorRegistered,,Minsk,,,,,,,,,,,,minsk,place,53.9,27.56,,\n\
v1,Visit,2024-05-16/2024-05-17,State visit,\"Talks, then a trip\",Ilham Aliyev,blr,state,minsk,baku-office:host,Trend,Report,https://example.org/1,BelTA,Second report,,,,,state-visit|visit,cameo=042\n\
,Call,2021-05,A call,,,,,,aliyev:caller|lukashenko:recipient,Turan,Call report,,,,,,,,,\n\
v2,Visit,2024,No host,,aliyev,,,,,P,T,,,,,,,,,\n\
c1,Corrected,,,,,,,,,,,,,,,,,,,\n\
s1,Signing,2024,Signed,,,,,,,P,T,,,,,,,,,\n\
x1,Talks,2024-02-30,Bad date,,,,,,,P,T,,,,,,1,,,\n";

#[test]
fn template_rows_become_records_and_unknown_actors_are_registered() {
    let loaded = read(TEMPLATE, Format::Csv);
    assert_eq!(
        problems(&loaded),
        [
            "line 5, record 4, payload.host: is missing; a Visit needs the host (usually a country)",
            "line 6, record 5, type: Corrected records are not read from the CSV template; write them in an Annals JSON document",
            "line 7, record 6, payload.documents: is empty and there is no count; a Signing needs the documents or the stated count",
            "line 8, record 7, lat: does not apply to a Talks row; expected it empty",
            "line 8, record 7, occurred: day 30 does not exist in 2024-02",
        ]
    );
    let registered: Vec<(String, String, String)> = loaded
        .accepted
        .iter()
        .filter_map(|l| match &l.proposed.event {
            Event::ActorRegistered(a) => Some((a.actor.to_string(), a.kind.name().to_owned(), a.name().to_owned())),
            _ => None,
        })
        .collect();
    assert_eq!(
        registered,
        [
            ("minsk".into(), "place".into(), "Minsk".into()),
            ("ilham-aliyev".into(), "person".into(), "Ilham Aliyev".into()),
            ("blr".into(), "country".into(), "BLR".into()),
            ("baku-office".into(), "person".into(), "Baku Office".into()),
            ("aliyev".into(), "person".into(), "Aliyev".into()),
            ("lukashenko".into(), "person".into(), "Lukashenko".into()),
        ]
    );
    let events = domain(&loaded);
    assert_eq!(events.len(), 2);
    let (id, kind, visit) = &events[0];
    assert_eq!((id.as_str(), *kind), ("v1", EventKind::Visit));
    assert_eq!(visit.summary.as_deref(), Some("Talks, then a trip"));
    assert_eq!(visit.sources.len(), 2);
    assert_eq!(visit.sources[1].publisher, "BelTA");
    assert_eq!(visit.tags, ["state-visit", "visit"]);
    assert_eq!(visit.codes.get("cameo").map(String::as_str), Some("042"));
    assert_eq!(events[1].0, "2021-05-a-call", "an empty id is derived from the date and title");
    assert_eq!(loaded.notes.len(), 5, "one note per actor registered on the fly: {:?}", loaded.notes);
}

#[test]
fn template_does_not_register_actors_the_stream_knows() {
    let known = load(
        br#"{"id":"a","type":"ActorRegistered","payload":{"actor":"blr","kind":"country","names":{"en":"Belarus"}}}"#,
        "x.ndjson",
        Some(Format::AnnalsNdjson),
        &Nothing,
    );
    let mut catalog = annals_core::Catalog::new();
    for env in envelopes(known) {
        catalog.apply(&env);
    }
    let text = "type,occurred,title,parties,count,source_publisher,source_title\nSigning,2024,Signed,blr|aze,2,P,T\n";
    let loaded = load(text.as_bytes(), "s.csv", None, &catalog);
    assert!(loaded.is_clean(), "{:?}", problems(&loaded));
    let ids: Vec<String> = loaded.accepted.iter().map(|l| l.proposed.id.to_string()).collect();
    assert_eq!(ids, ["actor:aze", "2024-signed"]);
}

// ----------------------------------------------------------------------------------------
// Nothing panics.

#[test]
fn garbage_and_truncated_input_never_panics() {
    let samples: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\xff\xfe\x00garbage".to_vec(),
        b"{".to_vec(),
        b"{\"events\": [{\"start_date\": {\"year\": \"20".to_vec(),
        b"{\"events\": 5, \"eras\": {}, \"title\": 3}".to_vec(),
        b"{\"events\": [{\"start_date\": 1, \"text\": [1], \"media\": 2, \"background\": null}]}".to_vec(),
        b"Year,Headline\n\"2024,unterminated".to_vec(),
        b"Year,Headline\n2024".to_vec(),
        b"type,occurred,title\nVisit".to_vec(),
        b"type,occurred,title\n\"".to_vec(),
        "type,occurred,title,actors,documents,codes,lat,lon\nTalks,2024,T,:|::|a:b:c,x:|:,=|==,NaN,inf\n"
            .as_bytes()
            .to_vec(),
        b"a;b;c\n1;2;3".to_vec(),
        b"\n\n\n".to_vec(),
        b"Year,Headline,Text\n2024,<b,&#xFFFFFFFF; &#0; &;; <<>>\n".to_vec(),
    ];
    for bytes in &samples {
        for format in [Format::Csv, Format::TimelinejsJson] {
            let loaded = load(bytes, "junk", Some(format), &Nothing);
            assert!(!loaded.accepted.is_empty() || !loaded.diagnostics.is_empty(), "{bytes:?} as {format:?}: silent");
        }
        let _ = detect(bytes, "junk.csv");
        let _ = load(bytes, "junk", None, &Nothing);
    }
    let truncated = TIMELINE.as_bytes();
    for cut in (0..truncated.len()).step_by(7) {
        let _ = load(&truncated[..cut], "cut", Some(Format::TimelinejsJson), &Nothing);
    }
    let template = TEMPLATE.as_bytes();
    for cut in 0..template.len() {
        let _ = load(&template[..cut], "cut", Some(Format::Csv), &Nothing);
    }
}

#[test]
fn detection_tells_the_formats_apart() {
    let cases: [(&str, &str, Option<Format>); 9] = [
        (TIMELINE, "t.json", Some(Format::TimelinejsJson)),
        (r#"{"eras": [], "events": []}"#, "t.json", Some(Format::TimelinejsJson)),
        (r#"{"scale": "human", "events": []}"#, "t.json", Some(Format::TimelinejsJson)),
        ("{\n \"annals\": 1,\n \"events\": []\n}", "d.json", Some(Format::AnnalsJson)),
        (
            "{\n \"events\": [\n {\"id\": \"a\", \"type\": \"Call\", \"payload\": {}}\n]\n}",
            "d.json",
            Some(Format::AnnalsJson),
        ),
        (r#"{"id":"a","type":"Call","payload":{}}"#, "l.ndjson", Some(Format::AnnalsNdjson)),
        ("Year,Month,Headline\n2024,5,x\n", "anything", Some(Format::Csv)),
        ("\u{feff}id;type;occurred;title\n", "anything", Some(Format::Csv)),
        ("hello world\n", "notes.txt", None),
    ];
    for (text, name, expected) in cases {
        assert_eq!(detect(text.as_bytes(), name), expected, "{text}");
    }
}

// ----------------------------------------------------------------------------------------
// Writers on the default record.

fn default_record() -> Vec<Envelope> {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/azerbaijan-belarus.json")).expect("record");
    let loaded = load(&bytes, "azerbaijan-belarus.json", None, &Nothing);
    assert!(loaded.is_clean());
    envelopes(loaded)
}

#[test]
fn csv_export_reads_back_into_the_same_record() {
    let record = default_record();
    let out = export(&record, ExportFormat::Csv, &ExportInfo::default());
    assert_eq!(out.written, 51);
    let back = load(out.text.as_bytes(), "export.csv", None, &Nothing);
    assert_eq!(back.format, Format::Csv);
    assert!(back.is_clean(), "{:?}", problems(&back));
    assert!(back.notes.is_empty(), "every actor is registered in the export: {:?}", back.notes);
    // Folded, both give the same current picture of every event and actor.
    let fold = |envs: &[Envelope]| {
        let mut c = annals_core::Catalog::new();
        for e in envs {
            c.apply(e);
        }
        let mut events: Vec<(String, serde_json::Value)> =
            c.events().map(|r| (r.id.to_string(), serde_json::to_value(&*r.event).unwrap_or_default())).collect();
        events.sort_by(|a, b| a.0.cmp(&b.0));
        let actors: Vec<serde_json::Value> =
            c.actors().iter().map(|a| serde_json::to_value(&***a).unwrap_or_default()).collect();
        (events, actors)
    };
    let (events, actors) = fold(&record);
    let (events_back, actors_back) = fold(&envelopes(back));
    assert_eq!(events.len(), 51);
    assert_eq!(events_back, events);
    assert_eq!(actors.len(), 36);
    assert_eq!(actors_back, actors);
}

#[test]
fn ics_export_is_valid_icalendar() {
    let record = default_record();
    let out =
        export(&record, ExportFormat::Ics, &ExportInfo { stream: Some("azerbaijan-belarus"), ..ExportInfo::default() });
    assert_eq!((out.written, out.left_out), (51, 0));
    assert!(out.text.ends_with("END:VCALENDAR\r\n"));
    assert!(!out.text.replace("\r\n", "").contains('\n'), "every line ends with CRLF");
    let mut unfolded: Vec<String> = Vec::new();
    for line in out.text.split("\r\n").filter(|l| !l.is_empty()) {
        assert!(line.len() <= 75, "longer than 75 octets: {line:?}");
        match line.strip_prefix(' ') {
            Some(rest) => unfolded.last_mut().expect("a line to continue").push_str(rest),
            None => unfolded.push(line.to_owned()),
        }
    }
    assert_eq!(unfolded.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 51);
    assert_eq!(unfolded.iter().filter(|l| l.starts_with("UID:")).count(), 51);
    // The two-day state visit: DTEND is the day after the last day.
    let at = unfolded.iter().position(|l| l == "UID:2024-05-16-state-visit@azerbaijan-belarus").expect("visit");
    let block: Vec<&str> = unfolded[at..].iter().take_while(|l| *l != "END:VEVENT").map(String::as_str).collect();
    assert!(block.contains(&"DTSTART;VALUE=DATE:20240516"), "{block:?}");
    assert!(block.contains(&"DTEND;VALUE=DATE:20240518"), "{block:?}");
    // A year-precision event spans its year and says so.
    let year_events: Vec<&String> =
        unfolded.iter().filter(|l| l.starts_with("DESCRIPTION:Date as the sources give it:")).collect();
    assert!(!year_events.is_empty());
    // Text is escaped: no bare comma or semicolon inside a SUMMARY.
    for l in unfolded.iter().filter(|l| l.starts_with("SUMMARY:")) {
        let body = &l["SUMMARY:".len()..];
        let bare = body.char_indices().any(|(i, c)| (c == ',' || c == ';') && !body[..i].ends_with('\\'));
        assert!(!bare, "{l}");
    }
}

#[test]
fn ics_folds_long_lines_on_character_boundaries() {
    let text = format!("Year,Headline,Text\n2024,{},\"{}\"\n", "Визит; ".repeat(20), "Длинный, текст\n".repeat(20));
    let loaded = load(text.as_bytes(), "long.csv", None, &Nothing);
    assert!(loaded.is_clean(), "{:?}", problems(&loaded));
    let out = export(&envelopes(loaded), ExportFormat::Ics, &ExportInfo::default());
    let mut summary = String::new();
    let mut in_summary = false;
    for line in out.text.split("\r\n") {
        assert!(line.len() <= 75);
        if let Some(rest) = line.strip_prefix("SUMMARY:") {
            in_summary = true;
            summary.push_str(rest);
        } else if let (true, Some(rest)) = (in_summary, line.strip_prefix(' ')) {
            summary.push_str(rest);
        } else {
            in_summary = false;
        }
    }
    assert_eq!(summary, "Визит\\; ".repeat(20).trim_end());
    assert!(out.text.contains("DTSTART;VALUE=DATE:20240101\r\n") && out.text.contains("DTEND;VALUE=DATE:20250101\r\n"));
}

#[test]
fn geojson_export_has_points_and_visit_lines() {
    let record = default_record();
    let out = export(&record, ExportFormat::Geojson, &ExportInfo::default());
    let json: serde_json::Value = serde_json::from_str(&out.text).expect("json");
    assert_eq!(json["type"], "FeatureCollection");
    let features = json["features"].as_array().expect("features");
    let count = |t: &str| features.iter().filter(|f| f["geometry"]["type"] == t).count();
    // Every visit's visitor and host resolve to capitals (Baku and Minsk).
    assert_eq!(count("LineString"), 17);
    assert_eq!(count("Point") + count("MultiPoint"), 16);
    assert_eq!(out.left_out, 18);
    assert_eq!(features.len(), out.written);
    assert_eq!(out.written + out.left_out, 51);
    assert_eq!(json["left_out"], out.left_out);
    let line = features.iter().find(|f| f["geometry"]["type"] == "LineString").expect("a line");
    let ends = line["geometry"]["coordinates"].as_array().expect("coordinates");
    let baku = serde_json::json!([49.8671, 40.4093]);
    let minsk = serde_json::json!([27.559, 53.9006]);
    assert!(ends.contains(&baku) && ends.contains(&minsk), "{ends:?}");
    for f in features {
        for p in f["geometry"]["coordinates"].as_array().into_iter().flatten() {
            let flat: Vec<f64> = match p.as_array() {
                Some(pair) => pair.iter().filter_map(serde_json::Value::as_f64).collect(),
                None => vec![],
            };
            if let [lon, lat] = flat.as_slice() {
                assert!((-180.0..=180.0).contains(lon) && (-90.0..=90.0).contains(lat));
            }
        }
    }
}

#[test]
fn export_format_names() {
    for f in ExportFormat::ALL {
        assert_eq!(f.name().parse::<ExportFormat>(), Ok(f));
    }
    assert!("xml".parse::<ExportFormat>().is_err());
}

#[test]
fn awkward_text_survives_the_csv_template_and_icalendar_leaves_out_what_it_cannot_date() {
    let text = "type,occurred,title,summary,documents,count,parties,source_publisher,source_title,codes\n\
Signing,2024,\"Title, with comma; and \"\"quotes\"\"\",\"Line one\nLine two\",other: A \\| B|protocol: Second,2,aze|blr,P,T,k=v\\|w\n\
Other,-0044-03-15,The Ides of March,,,,,P,T,\n";
    let first = load(text.as_bytes(), "awkward.csv", None, &Nothing);
    assert!(first.is_clean(), "{:?}", problems(&first));
    let events = domain(&first);
    let signing = events[0].2;
    assert_eq!(signing.title, "Title, with comma; and \"quotes\"");
    assert_eq!(signing.summary.as_deref(), Some("Line one\nLine two"));
    let titles: Vec<&str> = signing.documents.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, ["A | B", "Second"]);
    assert_eq!(signing.codes.get("k").map(String::as_str), Some("v|w"));
    let mut before: Vec<String> = events.iter().map(|(id, k, e)| format!("{id} {k} {e:?}")).collect();
    before.sort();
    let records = envelopes(first);
    let out = export(&records, ExportFormat::Csv, &ExportInfo::default());
    let back = load(out.text.as_bytes(), "back.csv", None, &Nothing);
    assert!(back.is_clean(), "{:?}", problems(&back));
    let mut again: Vec<String> = domain(&back).iter().map(|(id, k, e)| format!("{id} {k} {e:?}")).collect();
    again.sort();
    assert_eq!(again.len(), 2);
    assert_eq!(again, before);
    let ics = export(&records, ExportFormat::Ics, &ExportInfo::default());
    assert_eq!((ics.written, ics.left_out), (1, 1), "44 BC has no four-digit iCalendar year");
    assert!(ics.text.contains("SUMMARY:Title\\, with comma\\; and \"quotes\"\r\n"), "{}", ics.text);
    let unfolded = ics.text.replace("\r\n ", "");
    assert!(
        unfolded.contains("DESCRIPTION:Date as the sources give it: 2024\\nLine one\\nLine two\\nSource: P — T\r\n"),
        "{unfolded}"
    );
}

#[test]
fn sources_survive_a_trip_through_timelinejs() {
    let record = default_record();
    let out = export(&record, ExportFormat::TimelinejsJson, &ExportInfo::default());
    let json: serde_json::Value = serde_json::from_str(&out.text).expect("json");
    let first = &json["events"][0]["text"]["text"];
    assert!(first.as_str().is_some_and(|t| t.contains("<p class=\"annals-sources\">Sources: <span")), "{first}");
    let back = load(out.text.as_bytes(), "from-timelinejs.json", None, &Nothing);
    assert!(back.is_clean(), "{:?}", problems(&back));
    let mut catalog = annals_core::Catalog::new();
    for env in &record {
        catalog.apply(env);
    }
    let events = domain(&back);
    assert_eq!(events.len(), 51);
    for (id, _, e) in events {
        let original = catalog.event(&id).expect("the unique_id is the event id");
        assert_eq!(e.sources, original.event.sources, "{id}");
        assert_eq!(
            (&e.title, &e.summary, e.occurred),
            (&original.event.title, &original.event.summary, original.event.occurred)
        );
    }
}

#[test]
fn awkward_sources_in_a_timelinejs_text() {
    let text = r#"{"events": [{"start_date": {"year": 2020}, "text": {"headline": "H", "text": "Body<p class=\"annals-sources\">Sources: <span class=\"annals-source\" data-publisher=\"A &amp; B &quot;Q&quot;\" data-title=\"T\" data-date=\"2020-13\" data-quote=\"line&#10;two\">x</span>; <span class=\"annals-source\" data-publisher=\"\">y</span></p>"}}]}"#;
    let loaded = read(text, Format::TimelinejsJson);
    // The second source has no publisher: the event is rejected by validation, as in any file.
    assert_eq!(problems(&loaded), ["line 1, record 1, payload.sources[1].publisher: is missing; expected the outlet or site that published the source", "line 1, record 1, payload.sources[1].title: is missing and there is no url; expected a title or description of the source"]);
    assert!(loaded.notes.iter().any(|n| n.message.contains("\"2020-13\" is not a date")), "{:?}", loaded.notes);
    let ok = text.replace(r#"; <span class=\"annals-source\" data-publisher=\"\">y</span>"#, "");
    let loaded = read(&ok, Format::TimelinejsJson);
    assert!(loaded.is_clean(), "{:?}", problems(&loaded));
    let events = domain(&loaded);
    let s = &events[0].2.sources[0];
    assert_eq!((s.publisher.as_str(), s.quote.as_deref(), s.date), ("A & B \"Q\"", Some("line\ntwo"), None));
    assert_eq!(events[0].2.summary.as_deref(), Some("Body"));
}

/// The content lines of an iCalendar text, unfolded.
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        match line.strip_prefix(' ') {
            Some(rest) => lines.last_mut().expect("a line to continue").push_str(rest),
            None => lines.push(line.to_owned()),
        }
    }
    lines
}

#[test]
fn exports_in_a_language_write_its_texts_and_say_whose_they_are() {
    let record = default_record();
    let lang = |l| ExportInfo { stream: Some("azerbaijan-belarus"), lang: Some(l), ..ExportInfo::default() };

    // iCalendar: the Russian title with its language; the note says it is a translation, or
    // the source's headline; a language the record lacks keeps English and says so.
    let ru = unfold(&export(&record, ExportFormat::Ics, &lang("ru")).text);
    let visit = ru.iter().position(|l| l == "UID:2024-05-16-state-visit@azerbaijan-belarus").expect("visit");
    assert!(ru[visit..]
        .contains(&"SUMMARY;LANGUAGE=ru:Государственный визит Александра Лукашенко в Азербайджан".to_owned()));
    let description = ru[visit..].iter().find(|l| l.starts_with("DESCRIPTION:")).expect("description");
    assert!(description.contains("Лукашенко совершил государственный визит"), "{description}");
    assert!(description.contains("The title is translated by the record's editors."), "{description}");
    let call = ru.iter().position(|l| l == "UID:2021-11-08-phone-call@azerbaijan-belarus").expect("call");
    let description = ru[call..].iter().find(|l| l.starts_with("DESCRIPTION:")).expect("description");
    assert!(description.contains("The title is in the source's own words\\, as published."), "{description}");
    let be = unfold(&export(&record, ExportFormat::Ics, &lang("be")).text);
    assert!(be.contains(&"SUMMARY;LANGUAGE=en:Alexander Lukashenko's state visit to Azerbaijan".to_owned()));
    assert!(!be.iter().any(|l| l.contains("translated by")));

    // TimelineJS: the Azerbaijani headline and text, marked as a translation.
    let az: serde_json::Value =
        serde_json::from_str(&export(&record, ExportFormat::TimelinejsJson, &lang("az")).text).expect("json");
    let slide = az["events"]
        .as_array()
        .and_then(|e| e.iter().find(|s| s["unique_id"] == "2024-05-16-state-visit"))
        .expect("the visit's slide");
    assert_eq!(slide["text"]["headline"], "Aleksandr Lukaşenkonun Azərbaycana dövlət səfəri");
    let text = slide["text"]["text"].as_str().expect("text");
    assert!(
        text.starts_with("Lukaşenko Azərbaycana dövlət səfəri edib")
            && text.contains("Translated by the record's editors")
    );

    // CSV: the record's own texts and the Russian columns only, which read back.
    let csv = export(&record, ExportFormat::Csv, &lang("ru")).text;
    let header = csv.lines().next().expect("header");
    assert!(header.ends_with(",summary@ru,title@ru,title@ru:source"), "{header}");
    assert!(!header.contains("@az"), "{header}");
    let back = load(csv.as_bytes(), "ru.csv", None, &Nothing);
    assert!(back.is_clean(), "{:?}", problems(&back));
    let call = back.accepted.iter().find(|l| l.proposed.id.as_str() == "2021-11-08-phone-call").expect("call");
    let Event::Domain(_, e) = &call.proposed.event else { panic!("not a domain event") };
    assert_eq!(e.title_for("ru").text, "Президент Республики Беларусь Александр Лукашенко позвонил Ильхаму Алиеву");
    assert_eq!(e.title_for("ru").origin, Some(annals_core::lang::Origin::Source));
    assert_eq!(e.summary_for("az").map(|s| s.lang), Some("en"));
}

#[test]
fn a_template_with_a_text_twice_in_one_language_says_which_column() {
    let csv = "id,type,occurred,title,title@ru,title@ru:source,source_publisher,source_title\n\
               c,Call,2021,Call,Звонок,Звонок,P,Звонок\n";
    let loaded = load(csv.as_bytes(), "t.csv", None, &Nothing);
    assert_eq!(
        problems(&loaded),
        ["line 2, record 1, title@ru:source: is a second text in ru; expected either the translation (titles column without :source) or the source's words, not both"]
    );
}

// ----------------------------------------------------------------------------------------
// Deep time.

/// Years beyond ±9999 as TimelineJS files give them: strings and numbers, negative, with
/// thousands commas; one with a month, which no source of such a year has.
const DEEP: &str = r##"{
  "title": {"text": {"headline": "From the Big Bang", "text": "Deep time"}},
  "scale": "cosmological",
  "events": [
    {"start_date": {"year": "-13800000000"}, "text": {"headline": "The Big Bang"}},
    {"start_date": {"year": -4600000000}, "text": {"headline": "The Sun"}},
    {"start_date": {"year": "-538,800,000"}, "end_date": {"year": "-251902000"}, "text": {"headline": "Paleozoic"}},
    {"start_date": {"year": "-315000"}, "text": {"headline": "Homo sapiens"}},
    {"start_date": {"year": "-3500"}, "text": {"headline": "A wheel"}},
    {"start_date": {"year": "-66000000", "month": "6"}, "text": {"headline": "A month too precise"}},
    {"start_date": {"year": "-200000000000"}, "text": {"headline": "Before everything"}}
  ]
}"##;

#[test]
fn deep_years_are_read_to_the_year_and_written_back() {
    let loaded = read(DEEP, Format::TimelinejsJson);
    assert_eq!(
        problems(&loaded),
        [
            "line 10, record 6, events[5].start_date.month: year -66000000 lies beyond the calendar years (-9999 to 9999), where Annals keeps a date to the year only; give the year without a month or day",
            "line 11, record 7, events[6].start_date.year: year -200000000000 is outside the years Annals reads (-100000000000 to 100000000000)"
        ]
    );
    assert!(loaded.notes.iter().all(|n| n.field != "scale"), "a cosmological scale needs no note: {:?}", loaded.notes);
    let got: Vec<(String, String)> =
        domain(&loaded).iter().map(|(_, _, e)| (e.occurred.to_string(), e.occurred.label())).collect();
    assert_eq!(
        got,
        [
            ("-13800000000".to_owned(), "13.8 billion years ago".to_owned()),
            ("-4600000000".into(), "4.6 billion years ago".into()),
            ("-538800000/-251902000".into(), "538.8 million years ago – 251.902 million years ago".into()),
            ("-315000".into(), "315,000 years ago".into()),
            ("-3500".into(), "3500 BC".into()),
        ]
    );
    let before = loaded.proposed();
    let out = export(&envelopes(loaded), ExportFormat::TimelinejsJson, &ExportInfo::default());
    let json: serde_json::Value = serde_json::from_str(&out.text).expect("valid JSON");
    let starts: Vec<&serde_json::Value> =
        json["events"].as_array().expect("events").iter().map(|e| &e["start_date"]).collect();
    assert_eq!(starts[0], &serde_json::json!({"year": -13_800_000_000i64}), "a year and nothing else");
    let again = load(out.text.as_bytes(), "fixture", None, &Nothing);
    assert!(again.is_clean(), "{:?}", problems(&again));
    let key = |p: &annals_core::Proposed| p.id.to_string();
    let (mut before, mut after) = (before, again.proposed());
    before.sort_by_key(key);
    after.sort_by_key(key);
    assert_eq!(after, before);
    // The Annals CSV template and the native format take them back as written.
    for format in [ExportFormat::Csv, ExportFormat::AnnalsNdjson, ExportFormat::AnnalsJson] {
        let written = export(&envelopes(read(DEEP, Format::TimelinejsJson)), format, &ExportInfo::default());
        let back = load(written.text.as_bytes(), "back", None, &Nothing);
        assert!(back.is_clean(), "{format:?}: {:?}", problems(&back));
        let dates: Vec<String> = domain(&back).iter().map(|(_, _, e)| e.occurred.to_string()).collect();
        assert_eq!(dates[..2], ["-13800000000", "-4600000000"], "{format:?}");
    }
    // A calendar file cannot date them (its years have four digits): left out and counted.
    let ics = export(&envelopes(read(DEEP, Format::TimelinejsJson)), ExportFormat::Ics, &ExportInfo::default());
    assert_eq!((ics.written, ics.left_out), (0, 5));
    let geojson = export(&envelopes(read(DEEP, Format::TimelinejsJson)), ExportFormat::Geojson, &ExportInfo::default());
    assert!(serde_json::from_str::<serde_json::Value>(&geojson.text).is_ok());
}

#[test]
fn a_timelinejs_sheet_and_the_template_take_deep_years() {
    let sheet = "Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text\n\
-13800000000,,,,,,,,,The Big Bang,\n\
-66000000,1,,,,,,,,Too precise,\n";
    let loaded = read(sheet, Format::Csv);
    assert_eq!(
        problems(&loaded),
        ["line 3, record 2, Month: year -66000000 lies beyond the calendar years (-9999 to 9999), where Annals keeps a date to the year only; give the year without a month or day"]
    );
    assert_eq!(domain(&loaded)[0].2.occurred.to_string(), "-13800000000");
    let template = "id,type,occurred,title,source_publisher,source_title\n\
bang,Other,-13800000000,The Big Bang,P,T\n\
bad,Other,-13800000000-01,Too precise,P,T\n\
unsigned,Other,13800000000,No sign,P,T\n";
    let loaded = read(template, Format::Csv);
    let messages = problems(&loaded);
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("year -13800000000 lies beyond the calendar years"), "{messages:?}");
    assert!(messages[1].contains("(or a year beyond 9999 with its sign, such as -13800000000)"), "{messages:?}");
    assert_eq!(domain(&loaded)[0].2.occurred.label(), "13.8 billion years ago");
}

/// TimelineJS's own cosmology template (`src/template/cosmo.json` of TimelineJS3): seven slides
/// from the Big Bang to a wheeled vehicle, years as strings up to eleven digits.
#[test]
fn the_cosmology_template_reads_whole_and_writes_back() {
    // The corpus's copy, else TimelineJS's own package (a dev dependency of the end-to-end
    // tests, installed by `cargo xtask setup`; never copied into the repository).
    let package = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/e2e/node_modules/@knight-lab/timelinejs/src/template/cosmo.json");
    let Some(bytes) = [corpus::dir().join("timelinejs/cosmo.json"), package].iter().find_map(|p| std::fs::read(p).ok())
    else {
        eprintln!("skipped: timelinejs/cosmo.json: neither in the corpus (../shared/corpus, or ANNALS_CORPUS) nor installed with TimelineJS's package (cargo xtask setup)");
        return;
    };
    let original: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    let loaded = load(&bytes, "cosmo.json", None, &Nothing);
    assert!(loaded.is_clean(), "{:?}", problems(&loaded));
    let events = domain(&loaded);
    assert_eq!(events.len(), 7, "all seven slides");
    let labels: Vec<String> = events.iter().map(|(_, _, e)| e.occurred.label()).collect();
    assert_eq!(labels[0], "13.8 billion years ago");
    assert_eq!(labels[1], "13.79963 billion years ago", "precision is kept, not rounded away");
    let out = export(
        &envelopes(load(&bytes, "cosmo.json", None, &Nothing)),
        ExportFormat::TimelinejsJson,
        &ExportInfo::default(),
    );
    let written: serde_json::Value = serde_json::from_str(&out.text).expect("json");
    let years = |file: &serde_json::Value, which: &str| -> Vec<Option<i64>> {
        let mut years: Vec<Option<i64>> = file["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|s| match &s[which]["year"] {
                serde_json::Value::String(t) => t.parse().ok(),
                v => v.as_i64(),
            })
            .collect();
        years.sort();
        years
    };
    assert_eq!(years(&written, "start_date"), years(&original, "start_date"));
    assert_eq!(years(&written, "end_date"), years(&original, "end_date"));
    let again = load(out.text.as_bytes(), "cosmo.json", None, &Nothing);
    assert!(again.is_clean(), "{:?}", problems(&again));
    assert_eq!(again.proposed(), loaded.proposed());
}
