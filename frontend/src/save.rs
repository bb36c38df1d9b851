//! Taking a record out of the browser: a download in any format Annals writes, and — under
//! `annals serve`, for an editor with the write token — an import into one of its streams.
//!
//! Both work from the record's log ([`Record::log`]), so what is saved or sent is exactly
//! what is on screen. The export is `annals_formats::export`, the same code as `annals export`, so
//! a file saved here and a file exported by the CLI are the same file. It runs in the
//! file-opening worker (`annals_open::export_log`, the page sends its log as NDJSON): the
//! writers of other tools' formats are needed only by someone who downloads, so the page's
//! bundle leaves them out. The import is one
//! `POST` of every record, so the service takes all of them or none (its batches are atomic)
//! and answers with the same diagnostics as `annals import`.

use annals_core::envelope::Proposed;
use annals_core::format::{ExportFormat, Exported};

use crate::i18n::{t, tf};
use crate::record::Record;

/// The file name extension and media type of a format.
pub fn file_kind(format: ExportFormat) -> (&'static str, &'static str) {
    match format {
        ExportFormat::AnnalsJson => ("json", "application/json"),
        ExportFormat::AnnalsNdjson => ("ndjson", "application/x-ndjson"),
        ExportFormat::TimelinejsJson => ("timeline.json", "application/json"),
        ExportFormat::Csv => ("csv", "text/csv"),
        ExportFormat::Ics => ("ics", "text/calendar"),
        ExportFormat::Geojson => ("geojson", "application/geo+json"),
    }
}

/// A file name from a title: lower case letters, digits and single dashes. (Each character
/// lowered on its own, as `char::to_lowercase` does, through [`crate::words::lower`].)
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut buf = [0; 4];
    for c in title.chars() {
        for c in crate::words::lower(c.encode_utf8(&mut buf)).chars() {
            if letter_or_digit(c) {
                out.push(c);
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "record".to_owned()
    } else {
        out.chars().take(60).collect()
    }
}

/// `char::is_alphanumeric`: a letter (Unicode `Alphabetic`) or a number (`Nd`, `Nl`, `No`).
///
/// *Why the browser's tables in the page:* Rust's table of the Alphabetic letters was 1.7 KB of
/// the gzipped page, for this file name alone; the browser's regular expressions know the same
/// Unicode properties. Natively (the tests) it is Rust's own; `frontend/tests/components.rs`
/// compares the two over every character in a browser.
pub fn letter_or_digit(c: char) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        if c.is_ascii() {
            return c.is_ascii_alphanumeric();
        }
        thread_local! {
            static LETTER_OR_DIGIT: web_sys::js_sys::RegExp =
                web_sys::js_sys::RegExp::new(r"^[\p{Alphabetic}\p{N}]$", "u");
        }
        LETTER_OR_DIGIT.with(|re| re.test(c.encode_utf8(&mut [0; 4])))
    }
    #[cfg(not(target_arch = "wasm32"))]
    c.is_alphanumeric()
}

/// The record written in `format`, with the file name to save it under: what the worker writes
/// for a download, here for tests (the writers are `annals-formats`, a dependency of the tests only).
#[cfg(test)]
pub fn write(record: &Record, format: ExportFormat) -> (String, Exported) {
    use annals_formats::export::{export, ExportInfo};
    let info =
        ExportInfo { stream: None, title: Some(&record.title), description: None, introduction: None, lang: None };
    let exported = export(&record.log(), format, &info);
    let (ext, _) = file_kind(format);
    (format!("{}.{ext}", slug(&record.title)), exported)
}

/// What a download said, for people.
pub fn saved_message(name: &str, format: ExportFormat, exported: &Exported) -> String {
    let mut message = tf(
        "Saved {0}: {1} as {2}",
        &[&name, &crate::words::count(exported.written, "event", "events"), &format.name()],
    );
    if exported.left_out > 0 {
        message.push_str(&tf(
            "; {0} left out because {1} cannot hold them (no coordinates, or a date the format cannot write)",
            &[&crate::i18n::number(exported.left_out as u64), &format.name()],
        ));
    }
    message
}

/// The body of an import: every record of the log as a JSON array; the service stamps the
/// time it records them.
pub fn import_body(record: &Record) -> String {
    let records: Vec<Proposed> =
        record.log().iter().map(|e| Proposed { id: e.id.clone(), event: e.event.clone(), recorded_at: None }).collect();
    serde_json::to_string(&records).unwrap_or_else(|_| "[]".to_owned())
}

/// The stream a file goes to unless the editor names another: the one it names, else its
/// name as a slug.
pub fn default_stream(named: Option<&str>, file_name: &str) -> String {
    named.map_or_else(|| slug(file_name.rsplit_once('.').map_or(file_name, |(stem, _)| stem)), str::to_owned)
}

pub use ui::{Export, ExportProps, Import, ImportProps};

mod ui {
    //! The two controls.

    use std::rc::Rc;

    use annals_core::format::{ExportFormat, Exported};
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{HtmlAnchorElement, HtmlInputElement, HtmlSelectElement};
    use yew::prelude::*;

    use super::{file_kind, import_body, imported_message, refusal, saved_message, slug};
    use crate::i18n::{t, tf, tx};
    use crate::record::Record;
    use crate::worker::{Answer, Reader};

    /// Props of [`Export`].
    #[derive(Properties, PartialEq)]
    pub struct ExportProps {
        /// The record on screen.
        pub record: Rc<Record>,
    }

    /// Offers the text as a file download.
    fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
        let parts = web_sys::js_sys::Array::of1(&JsValue::from_str(text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
            .map_err(|_| "the browser could not make the file")?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "the browser could not make a link")?;
        let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
        let a: HtmlAnchorElement =
            document.create_element("a").map_err(|_| "no link")?.dyn_into().map_err(|_| "no link")?;
        a.set_href(&url);
        a.set_download(name);
        a.click();
        let _ = web_sys::Url::revoke_object_url(&url);
        Ok(())
    }

    /// "Save the record as …": every format Annals writes.
    #[function_component(Export)]
    pub fn export_control(props: &ExportProps) -> Html {
        let format = use_state(|| ExportFormat::AnnalsJson);
        let status = use_state(String::new);
        let on_format = {
            let format = format.clone();
            Callback::from(move |e: Event| {
                let Some(select) = e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) else { return };
                if let Ok(f) = select.value().parse() {
                    format.set(f);
                }
            })
        };
        // The writers run in the file-opening worker (see `annals_open::export_log`): the page
        // sends its log and offers the text that comes back as the download.
        let writer = use_mut_ref(|| None::<Reader>);
        let on_save = {
            let record = props.record.clone();
            let format = format.clone();
            let status = status.clone();
            Callback::from(move |_: MouseEvent| {
                let format = *format;
                let (ext, mime) = file_kind(format);
                let name = format!("{}.{ext}", slug(&record.title));
                let log = annals_core::format::native::write_ndjson(&record.log());
                // The reader's language, as `annals export --lang` takes it.
                let request = web_sys::js_sys::Array::of5(
                    &JsValue::from_str("export"),
                    &JsValue::from_str(format.name()),
                    &JsValue::from_str(&record.title),
                    &web_sys::js_sys::Uint8Array::from(log.as_bytes()),
                    &JsValue::from_str(crate::i18n::current().code()),
                );
                status.set(tf("Writing {0}…", &[&name]));
                let answer = {
                    let status = status.clone();
                    move |answer: Answer| match answer {
                        Answer::Exported(written, left_out, text) => {
                            let exported = Exported { text, written, left_out };
                            status.set(match download(&name, mime, &exported.text) {
                                Ok(()) => saved_message(&name, format, &exported),
                                Err(e) => tf("Could not save {0}: {1}", &[&name, &e]),
                            });
                        }
                        Answer::Failed(message) => status.set(tf("Could not save {0}: {1}", &[&name, &message])),
                        Answer::Progress(..) | Answer::Checked(..) => {}
                    }
                };
                *writer.borrow_mut() = Reader::start(request, answer).map_err(|e| status.set(e)).ok();
            })
        };
        // A record read by the window holds only the events fetched so far: the download says
        // so, and the whole record is the service's to give (its events, page by page).
        // *Why not fetched whole here:* that is the record the window reading exists to avoid
        // holding (a million events are hundreds of megabytes in the page), and the service
        // writes no file of a whole stream in one answer (`annals export` on its host does).
        let here = props.record.projections().timeline.len();
        let partial = props.record.remote.as_ref().filter(|remote| (here as u64) < remote.total());
        let remote = partial.map(|remote| {
            let total = crate::i18n::number(remote.total());
            html! {
                <p class="note">
                    { tf("This record is read by the window: a download saves the {0} fetched so far, not all {1} (annals export writes the whole record where the service runs).", &[&crate::words::count(here, "event", "events"), &total]) }
                    { " " }<a href={remote.events_url()}>{ tx("The whole record's events from the service (JSON, a thousand at a time)") }</a>
                </p>
            }
        });
        let label =
            if partial.is_some() { t("Save the events fetched so far as") } else { t("Save the record on screen as") };
        html! {
            <div class="open-row save">
                { for remote }
                <label class="search">{ label }
                    <select onchange={on_format} aria-label={t("Format to save in")}>
                        { for ExportFormat::ALL.iter().map(|f| html! {
                            <option value={f.name()} selected={*format == *f}>{ f.name() }</option>
                        }) }
                    </select>
                </label>
                <button type="button" onclick={on_save}>{ tx("Download") }</button>
                if !status.is_empty() { <p class="open-done" role="status">{ (*status).clone() }</p> }
            </div>
        }
    }

    /// Props of [`Import`].
    #[derive(Properties, PartialEq)]
    pub struct ImportProps {
        /// The record to import (a checked file's valid part).
        pub record: Rc<Record>,
        /// The stream proposed.
        pub stream: AttrValue,
    }

    /// "Import into the service": stream name, write token, one atomic POST.
    #[function_component(Import)]
    pub fn import_control(props: &ImportProps) -> Html {
        let stream_ref = use_node_ref();
        let token_ref = use_node_ref();
        let status = use_state(|| None::<(bool, String)>);
        let on_import = {
            let record = props.record.clone();
            let (stream_ref, token_ref, status) = (stream_ref.clone(), token_ref.clone(), status.clone());
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                let value = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value().trim().to_owned());
                let (Some(stream), Some(token)) = (value(&stream_ref), value(&token_ref)) else { return };
                if stream.is_empty() || token.is_empty() {
                    status.set(Some((false, t("Give the stream's name and your write token.").into())));
                    return;
                }
                let body = import_body(&record);
                let count = record.log().len();
                let status = status.clone();
                status.set(Some((true, tf("Sending {0} to {1}…", &[&crate::open::records(count), &stream]))));
                wasm_bindgen_futures::spawn_local(async move {
                    let url = format!("api/streams/{}/events", crate::address::encode(&stream));
                    let bearer = format!("Bearer {token}");
                    let headers = [("Authorization", bearer.as_str()), ("Content-Type", "application/json")];
                    let answer = crate::http::send("POST", &url, &headers, Some(&body)).await;
                    status.set(Some(match answer {
                        Ok(r) if r.ok() => {
                            let text = r.text().await.unwrap_or_default();
                            (true, imported_message(&text, count, &stream))
                        }
                        Ok(r) => {
                            let code = r.status();
                            let text = r.text().await.unwrap_or_default();
                            (
                                false,
                                tf(
                                    "The service refused the import ({0}); nothing was written. {1}",
                                    &[&code, &refusal(&text)],
                                ),
                            )
                        }
                        Err(e) => (false, tf("Could not reach the service: {0}", &[&e])),
                    }));
                });
            })
        };
        html! {
            // Folded away: only the service's editors have a write token.
            <details class="import-details">
            <summary>{ tx("Editors of this service: import the file") }</summary>
            <form class="open-row import" onsubmit={on_import} aria-label={t("Import into the service")}>
                <label class="search">{ tx("Stream") }
                    <input ref={stream_ref} type="text" value={props.stream.clone()} required=true />
                </label>
                <label class="search">{ tx("Write token") }
                    <input ref={token_ref} type="password" autocomplete="off" required=true />
                </label>
                <button type="submit">{ tf("Import {0} into the service", &[&crate::open::records(props.record.log().len())]) }</button>
                if let Some((ok, message)) = &*status {
                    <p class={if *ok { "open-done" } else { "error" }} role="status">{ message.clone() }</p>
                }
            </form>
            </details>
        }
    }
}

/// Why the service refused an import, for people, from its JSON error: the page's own words
/// for the refusals an editor meets (a wrong token, a file too large, records it cannot take),
/// else the service's message; each record's problem in the interface's language (the
/// service sends a problem's text and values as well as its English sentence, see
/// `docs/format.md`). A field is named as the format names it.
pub fn refusal(body: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else { return String::new() };
    let error = &value["error"];
    let mut text = match error["code"].as_str() {
        Some("unauthorized") => t("The write token was not accepted.").to_owned(),
        Some("body_too_large") => t("The file is larger than the service takes in one import.").to_owned(),
        Some("invalid") => t("Some records cannot be stored:").to_owned(),
        _ => error["message"].as_str().unwrap_or_default().to_owned(),
    };
    for d in error["diagnostics"].as_array().into_iter().flatten().take(5) {
        let args: Vec<String> =
            d["args"].as_array().into_iter().flatten().filter_map(|a| Some(a.as_str()?.to_owned())).collect();
        let english = d["message"].as_str().unwrap_or_default();
        let (said, _) = crate::i18n::message(d["text"].as_str().unwrap_or_default(), &args, english);
        let record = d["record"].as_u64().map(|r| tf("record {0}, ", &[&r])).unwrap_or_default();
        text.push_str(&format!(" {record}{}: {said}.", d["field"].as_str().unwrap_or("")));
    }
    text
}

/// What the service's answer to an import means, for people: `201` with the new version, or
/// `200` with `"duplicate": true` when every record was stored before.
pub fn imported_message(body: &str, count: usize, stream: &str) -> String {
    let answer: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let version = answer["version"].as_u64().map(|v| tf(" (version {0})", &[&v])).unwrap_or_default();
    if answer["duplicate"].as_bool() == Some(true) {
        tf("Already in {0}{1}: every record was stored before; nothing new was written.", &[&stream, &version])
    } else {
        tf("Imported {0} into {1}{2}.", &[&crate::open::records(count), &stream, &version])
    }
}

/// Whether the page is served by `annals serve` (its API answers), checked once.
pub async fn service_here() -> bool {
    matches!(crate::http::get("api/streams").await, Ok(r) if r.ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The service's refusal of an import, as `server/tests/api.rs` holds its body, said in the
    /// reader's language with the shipped Russian catalog: the page's sentence for the refusal,
    /// and each record's problem translated with its values; without a catalog, English.
    #[test]
    fn a_refused_import_is_said_in_the_language() {
        use std::rc::Rc;

        use crate::i18n::{set, Catalog, Lang};
        let body = r#"{"error":{"status":422,"code":"invalid","message":"1 problem in the batch",
            "diagnostics":[{"record":3,"field":"payload.occurred","message":"day 30 does not exist in 2024-02",
            "text":"day {0} does not exist in {1}","args":["30","2024-02"]}]}}"#;
        assert_eq!(
            refusal(body),
            "Some records cannot be stored: record 3, payload.occurred: day 30 does not exist in 2024-02."
        );
        let catalog = Catalog::parse(Lang::Ru, include_str!("../lang/ru.json")).expect("the Russian catalog");
        set(Some(Rc::new(catalog)));
        let said = refusal(body);
        let token =
            refusal(r#"{"error":{"status":401,"code":"unauthorized","message":"a valid write token is required"}}"#);
        let other = refusal(r#"{"error":{"status":409,"code":"id_reused","message":"id c2 is used"}}"#);
        set(None);
        assert_eq!(said, "Некоторые записи не могут быть сохранены: запись 3, payload.occurred: дня 30 нет в 2024-02.");
        assert_eq!(token, "Токен записи не принят.");
        assert_eq!(other, "id c2 is used", "a refusal the page has no words for keeps the service's");
    }

    #[test]
    fn slugs_make_file_names() {
        assert_eq!(slug("Azerbaijan–Belarus relations"), "azerbaijan-belarus-relations");
        assert_eq!(slug("  ??  "), "record");
        assert_eq!(slug("Ünïcode: 2024/05"), "ünïcode-2024-05");
        assert_eq!(default_stream(None, "My Events.csv"), "my-events");
        assert_eq!(default_stream(Some("mine"), "x.csv"), "mine");
    }

    #[test]
    fn every_format_saves_the_default_record_and_the_native_ones_read_back() {
        let bytes = include_bytes!("../../data/azerbaijan-belarus.json");
        let record = crate::record::from_bytes(bytes, "azerbaijan-belarus.json").expect("record");
        for format in ExportFormat::ALL {
            let (name, exported) = write(&record, format);
            assert!(name.starts_with("azerbaijan-belarus-relations."), "{name}");
            assert!(exported.written > 0, "{format:?} wrote nothing");
            assert!(saved_message(&name, format, &exported).contains(format.name()));
        }
        for format in [ExportFormat::AnnalsJson, ExportFormat::AnnalsNdjson] {
            let (name, exported) = write(&record, format);
            let back = crate::record::from_bytes(exported.text.as_bytes(), &name).expect("reads back");
            assert_eq!(back.projections().stats_view(), record.projections().stats_view(), "{format:?}");
        }
    }

    #[test]
    fn the_answer_to_an_import_says_whether_anything_was_new() {
        assert_eq!(
            imported_message(r#"{"stream":"s","positions":[1,2],"version":2,"duplicate":false}"#, 2, "s"),
            "Imported 2 records into s (version 2)."
        );
        assert!(imported_message(r#"{"version":2,"duplicate":true}"#, 2, "s").starts_with("Already in s (version 2)"));
    }

    #[test]
    fn an_import_body_is_every_record_without_positions() {
        let bytes = include_bytes!("../../data/azerbaijan-belarus.json");
        let record = crate::record::from_bytes(bytes, "azerbaijan-belarus.json").expect("record");
        let body: Vec<serde_json::Value> = serde_json::from_str(&import_body(&record)).expect("json");
        assert_eq!(body.len(), record.log().len());
        assert!(body.iter().all(|r| r.get("position").is_none() && r.get("id").is_some() && r.get("type").is_some()));
    }
}
