//! `use_live`: live updates from `annals serve` — an `EventSource` on the stream's `/live`,
//! from the position the page has. The browser reconnects by itself and sends
//! `Last-Event-ID`, so nothing is lost or repeated; each envelope is folded into the record
//! by its reducer (in place, see `record`), so no update is applied to a stale copy.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};
use yew::prelude::*;

use crate::address::encode;
use crate::record::{RecordAction, RecordState};

/// Follows the record in `records` live while it is a stream of the service at `service`;
/// the connection closes when the stream changes or the component goes away.
#[hook]
pub fn use_live(records: &UseReducerHandle<RecordState>, service: &str) {
    let live = match &**records {
        RecordState::Ready(r) => r.live.clone().map(|s| (s, r.position())),
        _ => None,
    };
    let follow = live.as_ref().map(|(s, _)| s.clone());
    let (dispatcher, service) = (records.dispatcher(), service.to_owned());
    use_effect_with(follow, move |_| {
        let source = live.and_then(|(stream, after)| Following::open(&service, &stream, after, dispatcher));
        move || drop(source)
    });
}

/// The open connection; closed when dropped.
struct Following {
    source: EventSource,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Following {
    fn open(base: &str, stream: &str, after: u64, records: UseReducerDispatcher<RecordState>) -> Option<Following> {
        let url = format!("{base}api/streams/{}/live?after={after}", encode(stream));
        let source = EventSource::new(&url).ok()?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(text) = e.data().as_string() else { return };
            let Ok(env) = serde_json::from_str::<annals_core::Envelope>(&text) else { return };
            records.dispatch(RecordAction::Append(Box::new(env)));
        });
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Following { source, _on_message: on_message })
    }
}

impl Drop for Following {
    fn drop(&mut self) {
        self.source.close();
    }
}
