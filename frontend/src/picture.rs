//! "Save picture": the view on screen (timeline, relation map or charts) as a PNG or SVG file,
//! framed with the record's title, the filters in force and a sources line ("Sources:
//! president.az, … — made with Annals"), so a picture taken out of the page still says what it
//! shows and where it comes from.
//!
//! *Why so little here:* writing SVG and encoding PNG are the visuals module's (see
//! `crate::visuals`, `annals_visuals::picture`), loaded on first use; the page only says
//! what to frame the picture with. The map and the charts are pictured as the module drew
//! them last; the timeline, which the page paints itself, hands over what it drew (its
//! description, through [`Drawing`]).

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::i18n::{t, tx};
use crate::record::Record;
use crate::state::View;
use crate::visible::Visible;

/// What the timeline drew, as JSON, for its picture: the timeline (given it by the record
/// view) puts here how to describe it, since only it knows what it drew; the Save control
/// asks when the reader saves.
#[derive(Clone, Default)]
pub struct Drawing(pub Rc<RefCell<Option<Describe>>>);

/// Describes what the timeline drew, as JSON.
pub type Describe = Rc<dyn Fn() -> String>;

impl PartialEq for Drawing {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Two buttons, PNG and SVG, that save a picture of the visual on screen. (A function, not a
/// component: a component of its own cost the page's bundle more than its buttons.)
pub fn save(record: &Rc<Record>, view: &View, visible: &Rc<Visible>, drawing: &Drawing) -> Html {
    let button = |format: &'static str, name: &'static str| {
        let (record, view, visible, drawing) = (record.clone(), view.clone(), visible.clone(), drawing.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            let projections = record.projections();
            // A stream read by the window: its events in all (the count the service's map and
            // charts show), not those fetched; filtered, the filters alone.
            let shown = match &record.remote {
                None => Some(visible.len() as u64),
                Some(r) => {
                    (view.kinds.is_empty() && view.actor.is_none() && view.query.trim().is_empty()).then(|| r.total())
                }
            };
            let mut filters = shown.map(|n| crate::words::count(n, "event", "events")).unwrap_or_default();
            if let Some(f) = crate::print::filters_in_words(&view, |a| projections.catalog.actor_name(a).to_owned()) {
                filters = if filters.is_empty() { f } else { format!("{filters} · {f}") };
            }
            let which = view.panel.name();
            let text = |t: &str| serde_json::to_string(t).unwrap_or_default();
            let drawn = match (which, drawing.0.borrow().as_ref()) {
                ("timeline", Some(describe)) => describe(),
                _ => String::new(),
            };
            let drawn = if drawn.is_empty() { "null".to_owned() } else { drawn };
            // Every source's address (or publisher): the module names the sites, most cited
            // first.
            let mut sources = String::new();
            for r in visible.iter().filter_map(|i| projections.timeline.at(*i)) {
                for s in &r.event.sources {
                    sources.push_str(&text(s.url.as_deref().unwrap_or(&s.publisher)));
                    sources.push(',');
                }
            }
            sources.pop();
            let ask = format!(
                r#"{{"which":"{which}","format":"{format}","frame":{{"title":{},"filters":{},"sources":{},"cited":[{sources}]}},"drawn":{drawn}}}"#,
                text(&record.title),
                text(&filters),
                text(t("Sources: {0} — made with Annals")),
            );
            #[cfg(target_arch = "wasm32")]
            crate::visuals::draw(
                "picture",
                wasm_bindgen::JsCast::unchecked_into(wasm_bindgen::JsValue::NULL),
                ask,
                Box::new(crate::visuals::warn),
            );
            #[cfg(not(target_arch = "wasm32"))]
            let _ = ask;
            drop(projections);
        });
        html! { <button type="button" {onclick}>{ name }</button> }
    };
    // A group named by its visible words: "Save picture: PNG, SVG".
    html! {
        <p class="save-picture" role="group" aria-label={t("Save picture")}>
            { tx("Save picture") }{ button("png", "PNG") }{ button("svg", "SVG") }
        </p>
    }
}
