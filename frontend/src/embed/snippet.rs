//! The "Embed" panel of the app: the iframe and custom-element snippets for the view on screen,
//! as copyable text, and a live preview of the iframe.
//!
//! The snippets are built here as strings by pure functions (tested natively), with every
//! value escaped for an HTML attribute: the record's title and the view's search text are data
//! and may contain quotes or markup.

use std::rc::Rc;

use annals_core::embed::{escape_html as escape, iframe_tag};
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::i18n::{t, tf, tx};

use crate::address::{encode, pairs, param};
use crate::record::Record;
use crate::state::View;

/// Where the snippets point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The app's page (absolute), e.g. `https://annals.example/` or `…/index.html`.
    pub page: String,
    /// The element script (absolute), `…/annals-embed.js`.
    pub script: String,
    /// The record file (absolute URL), if the app shows one.
    pub src: Option<String>,
    /// The service's stream, if the app shows one.
    pub stream: Option<String>,
    /// The service (absolute, ending in `/`), with `stream`.
    pub service: Option<String>,
}

/// The suggested height of a new iframe before it reports its own.
pub const FRAME_HEIGHT: u32 = 720;

/// The app page with a record and a view: `page?src=…#fragment` (the app reads the view from
/// the fragment).
pub fn app_url(page: &str, src: Option<&str>, stream: Option<&str>, fragment: &str) -> String {
    let mut url = page.to_owned();
    let mut query = Vec::new();
    if let Some(src) = src {
        query.push(format!("src={}", encode(src)));
    } else if let Some(stream) = stream {
        query.push(format!("stream={}", encode(stream)));
    }
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    if !fragment.is_empty() {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// The address of the iframe page for a view: the options in the query, like the fragment.
pub fn frame_url(target: &Target, view: &View) -> String {
    let mut query = vec!["embed=1".to_owned()];
    if let Some(src) = &target.src {
        query.push(format!("src={}", encode(src)));
    } else if let Some(stream) = &target.stream {
        query.push(format!("stream={}", encode(stream)));
    }
    query.push(view.to_fragment());
    format!("{}?{}", target.page, query.join("&"))
}

/// A listener for the host page that sizes each iframe to the height it reports (the
/// embed.ly-style message). It only resizes the iframe the message came from.
const AUTO_HEIGHT: &str = r#"<script>
addEventListener("message", function (e) {
  var d = e.data;
  if (typeof d === "string") { try { d = JSON.parse(d); } catch (_) { return; } }
  if (!d || d.context !== "iframe.resize" || typeof d.height !== "number") return;
  document.querySelectorAll("iframe").forEach(function (f) {
    if (f.contentWindow === e.source) f.style.height = Math.ceil(d.height) + "px";
  });
});
</script>"#;

/// The iframe snippet: the frame (with a `title`, lazy) and the auto-height listener.
pub fn iframe_snippet(target: &Target, view: &View, title: &str) -> String {
    let frame = iframe_tag(&frame_url(target, view), title, "100%", &FRAME_HEIGHT.to_string());
    format!("{frame}\n{AUTO_HEIGHT}")
}

/// The custom-element snippet: the script, and the element with the view as attributes.
pub fn element_snippet(target: &Target, view: &View) -> String {
    let mut attributes = Vec::new();
    if let Some(src) = &target.src {
        attributes.push(("src".to_owned(), src.clone()));
    } else if let (Some(stream), Some(service)) = (&target.stream, &target.service) {
        attributes.push(("stream".to_owned(), stream.clone()));
        attributes.push(("service".to_owned(), service.clone()));
    }
    attributes.push(("view".to_owned(), view.panel.name().to_owned()));
    for (key, value) in pairs(&view.to_fragment()) {
        let key = if key == "e" { "event".to_owned() } else { key };
        if key != "view" {
            attributes.push((key, value));
        }
    }
    let attributes: String = attributes.iter().map(|(k, v)| format!(" {k}=\"{}\"", escape(v))).collect();
    format!(
        "<script type=\"module\" src=\"{}\"></script>\n<annals-timeline{attributes}></annals-timeline>",
        escape(&target.script)
    )
}

/// Where this page's snippets point: the page itself, its `?src=` made absolute, or its stream.
fn target(record: &Record) -> Option<Target> {
    let window = web_sys::window()?;
    let location = window.location();
    let href = location.href().ok()?;
    let page = format!("{}{}", location.origin().ok()?, location.pathname().ok()?);
    let resolve = |relative: &str| web_sys::Url::new_with_base(relative, &href).ok().map(|u| u.href());
    let src = param("src").and_then(|v| resolve(&v));
    let stream = if src.is_none() { record.live.clone() } else { None };
    Some(Target {
        script: resolve("annals-embed.js")?,
        service: stream.as_ref().and_then(|_| resolve("./")),
        page,
        src,
        stream,
    })
}

/// Props of [`EmbedPanel`].
#[derive(Properties, PartialEq)]
pub struct PanelProps {
    /// The record shown.
    pub record: Rc<Record>,
    /// The view to embed.
    pub view: View,
    /// Closes the panel.
    pub onclose: Callback<()>,
}

/// The snippets for the current view, with copy buttons and a live preview.
#[function_component(EmbedPanel)]
pub fn embed_panel(props: &PanelProps) -> Html {
    let onclose = props.onclose.reform(|_: MouseEvent| ());
    let head = html! {
        <div class="embed-panel-head">
            <h2>{ tx("Embed this view") }</h2>
            <button type="button" onclick={onclose.clone()} aria-label={t("Close the embed panel")}>{ tx("Close") }</button>
        </div>
    };
    // A person's own file is in this browser only: a snippet would show the page's record.
    let target = target(&props.record).filter(|_| !props.record.own_file);
    let Some(target) = target else {
        let why = if props.record.own_file {
            tf(
                "“{0}” is a file you opened in this browser: it has no address, so another page cannot show it. \
                 To embed it, publish the file on a website that lets other sites read it, open its address here \
                 (this page with ?src= and the file's URL), then embed that. Or import it into an Annals service.",
                &[&props.record.title],
            )
        } else {
            t("This page has no address to embed.").to_owned()
        };
        return html! {
            <section class="embed-panel" aria-label={t("Embed this view")}>
                { head }
                <p class="note embed-local">{ why }</p>
            </section>
        };
    };
    let iframe = iframe_snippet(&target, &props.view, &props.record.title);
    let element = element_snippet(&target, &props.view);
    let url = frame_url(&target, &props.view);
    // The preview follows the view, but not on every zoom step: it reloads the frame.
    let preview_src = use_state(|| url.clone());
    {
        let preview_src = preview_src.clone();
        use_effect_with(url.clone(), move |url| {
            let url = url.clone();
            let timer = Timeout::new(400, move || preview_src.set(url));
            move || drop(timer)
        });
    }
    // The preview sizes itself from the frame's height messages, as a host page would.
    let preview = use_node_ref();
    let preview_height = use_state(|| FRAME_HEIGHT);
    {
        let preview = preview.clone();
        let preview_height = preview_height.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "message", move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() else { return };
                    let Some(frame) = preview.cast::<web_sys::HtmlIFrameElement>() else { return };
                    let from_preview = match (e.source(), frame.content_window()) {
                        (Some(source), Some(window)) => {
                            wasm_bindgen::JsValue::from(source) == wasm_bindgen::JsValue::from(window)
                        }
                        _ => false,
                    };
                    let height = e
                        .data()
                        .as_string()
                        .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
                        .filter(|v| v["context"] == "iframe.resize")
                        .and_then(|v| v["height"].as_u64());
                    if let (true, Some(h)) = (from_preview, height) {
                        preview_height.set(h.clamp(80, 6000) as u32);
                    }
                })
            });
            move || drop(listener)
        });
    }
    let copy = |text: String| {
        Callback::from(move |_: MouseEvent| {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&text);
            }
        })
    };
    html! {
        <section class="embed-panel" aria-label={t("Embed this view")}>
            { head }
            <p class="note">{ tx("Both show the record and the view on screen now (window, filters, selection). Paste either into any page.") }</p>
            <div class="snippets">
                <div class="snippet">
                    <label for="snippet-iframe">{ tx("iframe (any page, any CMS; resizes itself with the script)") }</label>
                    <textarea id="snippet-iframe" class="snippet-iframe" readonly=true rows="9" spellcheck="false" value={iframe.clone()} />
                    <button type="button" onclick={copy(iframe)}>{ tx("Copy iframe") }</button>
                </div>
                <div class="snippet">
                    <label for="snippet-element">{ tx("Custom element (one script; styles kept apart in a shadow root)") }</label>
                    <textarea id="snippet-element" class="snippet-element" readonly=true rows="9" spellcheck="false" value={element.clone()} />
                    <button type="button" onclick={copy(element)}>{ tx("Copy element") }</button>
                </div>
            </div>
            <h3>{ tx("Preview") }</h3>
            <iframe ref={preview} class="embed-preview" src={(*preview_src).clone()}
                title={tf("{0} (Annals timeline, preview)", &[&props.record.title])}
                style={format!("height:{}px", *preview_height)} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use annals_core::EventKind;

    fn target() -> Target {
        Target {
            page: "https://annals.example/".into(),
            script: "https://annals.example/annals-embed.js".into(),
            src: Some("https://data.example/r.json?a=1&b=2".into()),
            stream: None,
            service: None,
        }
    }

    fn view() -> View {
        View {
            from: "2024-01-01".parse::<annals_core::PartialDate>().expect("date").first_day() as f64,
            to: "2025-01-01".parse::<annals_core::PartialDate>().expect("date").first_day() as f64,
            kinds: [EventKind::Visit].into_iter().collect(),
            query: "\"><img src=x onerror=alert(1)>".into(),
            selected: Some("2024-05-16-state-visit".into()),
            ..View::default()
        }
    }

    #[test]
    fn the_iframe_snippet_carries_the_view_and_escapes_everything() {
        let s = iframe_snippet(&target(), &view(), "A & B <i>");
        assert!(
            s.starts_with("<iframe src=\"https://annals.example/?embed=1&amp;src=https://data.example/r.json%3Fa%3D1%26b%3D2&amp;e="),
            "{s}"
        );
        assert!(s.contains("title=\"A &amp; B &lt;i&gt; (Annals timeline)\""), "{s}");
        assert!(
            s.contains("&amp;e=2024-05-16-state-visit&amp;from=2024-01-01&amp;to=2024-12-31&amp;kinds=Visit"),
            "{s}"
        );
        assert!(!s.contains("<img"), "the search text stays data: {s}");
        assert!(s.contains("loading=\"lazy\" sandbox=\"allow-scripts allow-same-origin allow-popups"), "{s}");
        // The frame URL the snippet names reads back as the same view.
        let url = frame_url(&target(), &view());
        let options = super::super::Options::from_query(url.split_once('?').expect("query").1);
        assert_eq!(options.src.as_deref(), Some("https://data.example/r.json?a=1&b=2"));
        let back = options.initial_view(&View::default());
        assert_eq!((back.selected, back.kinds, back.query), (view().selected, view().kinds, view().query));
    }

    #[test]
    fn the_element_snippet_names_the_script_and_the_view() {
        let s = element_snippet(&target(), &view());
        assert!(s.starts_with("<script type=\"module\" src=\"https://annals.example/annals-embed.js\"></script>\n<annals-timeline src=\"https://data.example/r.json?a=1&amp;b=2\" view=\"timeline\" event=\"2024-05-16-state-visit\" from=\"2024-01-01\" to=\"2024-12-31\" kinds=\"Visit\" q=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\"></annals-timeline>"), "{s}");
        let streamed =
            Target { src: None, stream: Some("s".into()), service: Some("https://annals.example/".into()), ..target() };
        let s = element_snippet(&streamed, &View::default());
        assert!(
            s.contains("<annals-timeline stream=\"s\" service=\"https://annals.example/\" view=\"timeline\""),
            "{s}"
        );
    }

    #[test]
    fn the_app_link_keeps_the_record_and_the_view() {
        assert_eq!(app_url("/", Some("https://d.example/r.json"), None, "e=x"), "/?src=https://d.example/r.json#e=x");
        assert_eq!(app_url("https://a.example/", None, Some("s t"), ""), "https://a.example/?stream=s%20t");
    }
}
