//! The validator's rules, checked through the NDJSON reader: each case is a small file whose
//! problems must come back with their record, field and words. *Why here and not in
//! `validate.rs`:* the reader is built on the validator, so a unit test there that calls the
//! reader would tie the two modules into an import circle.

use annals_core::format::native::read_ndjson;
use annals_core::validate::{validate_batch, Nothing};

const BASE: &str = r#"{"id":"a1","type":"ActorRegistered","payload":{"actor":"aze","kind":"country","names":{"en":"Azerbaijan"}}}
{"id":"a2","type":"ActorRegistered","payload":{"actor":"blr","kind":"country","names":{"en":"Belarus"}}}
{"id":"a3","type":"ActorRegistered","payload":{"actor":"igc","kind":"commission","names":{"en":"Commission"},"members":["aze","blr"]}}
{"id":"c1","type":"Call","payload":{"occurred":"2021-05-22","title":"Call","actors":[{"actor":"aze"},{"actor":"blr"}],"sources":[{"publisher":"P","title":"T"}]}}
"#;

/// Loads BASE plus `extra` and returns "record field: message" of every problem.
fn check(extra: &str, expected: &[&str]) {
    let text = format!("{BASE}{extra}\n");
    let loaded = read_ndjson(text.as_bytes(), &Nothing);
    let got: Vec<String> =
        loaded.diagnostics.iter().map(|d| format!("{} {}: {}", d.record.unwrap_or(0), d.field, d.message)).collect();
    let got: Vec<&str> = got.iter().map(String::as_str).collect();
    assert_eq!(got, expected, "for {extra}");
}

#[test]
fn a_clean_base() {
    check("", &[]);
}

#[test]
fn a_batch_names_a_reused_id_by_its_item() {
    let loaded = read_ndjson(BASE.as_bytes(), &Nothing);
    let mut batch = loaded.proposed();
    batch.push(batch[3].clone());
    let problems: Vec<String> =
        validate_batch(&batch, &Nothing).iter().map(|(i, p)| format!("{i} {}", p.message)).collect();
    assert_eq!(problems, ["4 \"c1\" is used twice (also by item 4); ids must be unique"]);
}

#[test]
fn corrections_must_leave_a_valid_event() {
    check(
        r#"{"id":"x","type":"Corrected","payload":{"target":"c1","changes":{"occurred":"2021-02-30"}}}"#,
        &["5 payload.changes.occurred: after the correction: day 30 does not exist in 2021-02"],
    );
    check(
        r#"{"id":"x","type":"Corrected","payload":{"target":"c1","changes":{"sources":null}}}"#,
        &["5 payload.changes.sources: after the correction: is empty; every event must cite at least one source"],
    );
    check(r#"{"id":"x","type":"Corrected","payload":{"target":"c1","changes":{"titel":"typo"}}}"#,
        &["5 payload.changes.titel: after the correction: unknown field titel; expected one of occurred, title, summary, title_html, summary_html, lang, titles, summaries, media, actors, places, sources, tags, part_of, codes, visitor, host, level, parties, documents, count, commission, session, co_chairs, outcomes"]);
    check(
        r#"{"id":"x","type":"Corrected","payload":{"target":"nope","changes":{"title":"t"}}}"#,
        &["5 payload.target: no event \"nope\" earlier in the record; expected the id of an earlier event"],
    );
    check(
        r#"{"id":"x","type":"Corrected","payload":{"target":"c1","changes":{}}}"#,
        &["5 payload.changes: is empty; expected at least one changed field"],
    );
    check(
        r#"{"id":"x","type":"Corrected","payload":{"target":"a1","changes":{"actor":"az"}}}"#,
        &["5 payload.changes.actor: an actor's id cannot change; register a new actor instead"],
    );
}

#[test]
fn retractions_and_disputes_need_live_targets_reasons_and_claims() {
    check(
        r#"{"id":"r1","type":"Retracted","payload":{"target":"c1","reason":"duplicate"}}
{"id":"r2","type":"Retracted","payload":{"target":"c1","reason":"again"}}"#,
        &["6 payload.target: event \"c1\" has been retracted"],
    );
    check(
        r#"{"id":"r1","type":"Retracted","payload":{"target":"a1","reason":" "}}"#,
        &[
            "5 payload.target: a ActorRegistered cannot be retracted; expected a domain event",
            "5 payload.reason: is empty; expected why the event is retracted",
        ],
    );
    check(
        r#"{"id":"d1","type":"Disputed","payload":{"target":"c1","field":"occurred","claims":[{"value":"2021-05","sources":[]}]}}"#,
        &[
            "5 payload.claims: a dispute needs at least 2 claims; found 1",
            "5 payload.claims[0].sources: is empty; every event must cite at least one source",
        ],
    );
    check(
        r#"{"id":"d1","type":"Disputed","payload":{"target":"c1","field":"occurred","claims":[{"value":"May","sources":[{"publisher":"A","title":"a"}]},{"value":3,"sources":[{"publisher":"B","title":"b"}]}]}}"#,
        &[
            "5 payload.claims[0].value: expected a date as YYYY, YYYY-MM or YYYY-MM-DD (or a year beyond 9999 with its sign, such as -13800000000), found \"May\"",
            "5 payload.claims[1].value: expected a date string such as \"2023-03-15\"",
        ],
    );
}

#[test]
fn references_must_exist_and_be_of_the_right_kind() {
    check(
        r#"{"id":"m1","type":"CommissionMeeting","payload":{"occurred":"2023","title":"13th","commission":"aze","session":0,"sources":[{"publisher":"P","title":"T"}]}}"#,
        &[
            "5 payload.commission: actor \"aze\" is a country; expected a commission",
            "5 payload.session: is 0; sessions are numbered from 1",
        ],
    );
    check(
        r#"{"id":"v1","type":"Visit","payload":{"occurred":"2024","title":"V","visitor":"aze","host":"aze","documents":[{"title":"x"}],"sources":[{"publisher":"P","title":"T"}]}}"#,
        &[
            "5 payload.documents: does not apply to a Visit; expected only on Signing",
            "5 payload.host: is the same actor as the visitor",
        ],
    );
    check(
        r#"{"id":"a9","type":"ActorRegistered","payload":{"actor":"aze","kind":"country","names":{"en":"Again"},"iso3":"az"}}"#,
        &[
            "5 payload.actor: actor \"aze\" is registered twice in this batch",
            "5 payload.iso3: \"az\" is not an ISO 3166-1 alpha-3 code; expected three capital letters such as \"BLR\"",
        ],
    );
    check(r#"{"id":"c1","type":"Call","payload":{"occurred":"2021","title":"Same id","sources":[{"publisher":"P","url":"ftp://x"}]}}"#, &[
        "5 id: \"c1\" is used twice (also by line 4, record 4); ids must be unique",
        "5 payload.sources[0].url: \"ftp://x\" is not an http(s) link; expected a URL starting with https:// or http://",
    ]);
}

#[test]
fn coordinates_must_be_on_the_globe() {
    check(
        r#"{"id":"p1","type":"ActorRegistered","payload":{"actor":"baku","kind":"place","names":{"en":"Baku"},"coordinates":{"lat":91.5,"lon":-200}}}"#,
        &[
            "5 payload.coordinates.lat: 91.5 is not a latitude; expected a number from -90 to 90",
            "5 payload.coordinates.lon: -200 is not a longitude; expected a number from -180 to 180",
        ],
    );
}

#[test]
fn texts_in_other_languages_name_a_known_language_and_say_whose_words_they_are() {
    let call = |texts: &str| {
        format!(
            r#"{{"id":"t","type":"Call","payload":{{"occurred":"2021-11-08","title":"Lukashenko calls Aliyev","summary":"A call.",{texts},"actors":[{{"actor":"aze"}}],"sources":[{{"publisher":"President of Azerbaijan","title":"Президент Республики Беларусь Александр Лукашенко позвонил Ильхаму Алиеву","quote":"обсудили ход реализации договоренностей"}}]}}}}"#
        )
    };
    // Clean: a translation, the source's headline as its title, words inside the quote.
    check(
        &call(
            r#""titles":{"ru":{"text":"Президент Республики Беларусь Александр Лукашенко позвонил Ильхаму Алиеву","origin":"source"},"az":{"text":"Lukaşenko Əliyevə zəng edib","origin":"translation"}},"summaries":{"ru":{"text":"обсудили ход реализации","origin":"source"}}"#,
        ),
        &[],
    );
    check(
        &call(r#""titles":{"xx":{"text":"Zvonok","origin":"translation"},"ru":{"text":" ","origin":"translation"}}"#),
        &[
            "5 payload.titles.ru.text: is empty; expected text",
            "5 payload.titles.xx: \"xx\" is not a known language tag; expected a two-letter language code such as \"ru\", \"az\" or \"be\", optionally with a region or script (\"az-Latn\")",
        ],
    );
    check(
        &call(r#""titles":{"ru":{"text":"Лукашенко позвонил Алиеву","origin":"source"}}"#),
        &["5 payload.titles.ru.origin: says the text is a source's own words, but no source the event cites has it as its title or in its quote; expected \"translation\", or the source that published these words in sources"],
    );
    check(
        &call(r#""lang":"ru","titles":{"RU":{"text":"Звонок","origin":"translation"}}"#),
        &["5 payload.titles.RU: is in the record's own language (RU); expected other languages only (the text in RU is the plain field)"],
    );
    check(
        &call(r#""titles":{"ru":{"text":"Звонок"}}"#),
        &["5 payload.titles: \"ru\": the field origin is missing; expected \"source\" or \"translation\""],
    );
    check(
        &call(r#""summaries":{"ru":{"text":"Звонок","origin":"editors"}}"#),
        &["5 payload.summaries: \"ru\": origin is \"editors\"; expected \"source\" or \"translation\""],
    );
    // A source's own texts: known tags, a quote's translation beside a quote.
    check(
        r#"{"id":"t","type":"Call","payload":{"occurred":"2021","title":"Call","actors":[{"actor":"aze"}],"sources":[{"publisher":"P","title":"T","titles":{"en-":{"text":"T","origin":"translation"}},"quotes":{"ru":{"text":"Слова","origin":"translation"}}}]}}"#,
        &[
            "5 payload.sources[0].titles.en-: \"en-\" has a subtag \"\" that is not 2 to 8 letters or digits; expected a tag such as \"az-Latn\" or \"ru-BY\"",
            "5 payload.sources[0].quotes: is given without a quote; expected the quote as the source gives it too",
        ],
    );
}

/// A dispute's note in other languages is checked as titles are: known tags, not English
/// again (the note itself is English), only beside a note.
#[test]
fn a_disputes_note_in_other_languages() {
    let claims = r#""claims":[{"value":"2021-05","sources":[{"publisher":"A","title":"a"}]},{"value":"2021-06","sources":[{"publisher":"B","title":"b"}]}]"#;
    check(
        &format!(
            r#"{{"id":"d1","type":"Disputed","payload":{{"target":"c1","field":"occurred",{claims},"note":"They differ on the month.","notes":{{"ru":{{"text":"Расходятся в месяце.","origin":"translation"}}}}}}}}"#
        ),
        &[],
    );
    check(
        &format!(
            r#"{{"id":"d1","type":"Disputed","payload":{{"target":"c1","field":"occurred",{claims},"notes":{{"en":{{"text":"x","origin":"translation"}},"xx":{{"text":"y","origin":"translation"}}}}}}}}"#
        ),
        &[
            "5 payload.notes.en: is in the record's own language (en); expected other languages only (the text in en is the plain field)",
            "5 payload.notes.xx: \"xx\" is not a known language tag; expected a two-letter language code such as \"ru\", \"az\" or \"be\", optionally with a region or script (\"az-Latn\")",
            "5 payload.notes: is given without a note; expected the note in the record's own language too",
        ],
    );
}
