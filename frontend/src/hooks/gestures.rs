//! The timeline canvas' pointer and wheel gestures: the wheel, with the rule for a view
//! embedded in someone else's page, and the drag that tells a click from a pan. (The relation
//! map's canvas keeps the same rules in the visuals module, `annals_visuals::map::live`.)

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, PointerEvent, WheelEvent};
use yew::prelude::*;

use crate::context::InEmbed;

/// How far (in CSS pixels) a pointer must move before a press is a drag, not a click.
pub const DRAG_SLOP: f64 = 4.0;

/// Listens for the wheel on `canvas` (non-passive, so zooming does not scroll the page) and
/// hands each wheel event the view takes to `on_wheel`. Embedded in someone else's page (see
/// [`InEmbed`]) the plain wheel is left to that page; Ctrl/⌘ + wheel (a trackpad pinch sends
/// that) zooms.
#[hook]
pub fn use_wheel<F>(canvas: NodeRef, on_wheel: F)
where
    F: Fn(&WheelEvent) + 'static,
{
    let embedded = use_context::<InEmbed>().is_some();
    use_effect_with((), move |_| {
        let listener = canvas.cast::<HtmlCanvasElement>().map(|c| {
            EventListener::new_with_options(&c, "wheel", EventListenerOptions::enable_prevent_default(), move |e| {
                let Some(e) = e.dyn_ref::<WheelEvent>() else { return };
                if embedded && !(e.ctrl_key() || e.meta_key()) {
                    return;
                }
                e.prevent_default();
                on_wheel(e);
            })
        });
        move || drop(listener)
    });
}

/// Where a pointer event is on its canvas.
pub fn offset(e: &PointerEvent) -> (f64, f64) {
    (f64::from(e.offset_x()), f64::from(e.offset_y()))
}

/// Keeps the pointer's events on the element it pressed, so a drag that leaves the canvas
/// still ends on it.
pub fn capture(e: &PointerEvent) {
    if let Some(t) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
        let _ = t.set_pointer_capture(e.pointer_id());
    }
}

/// A press that becomes a drag once the pointer has moved more than [`DRAG_SLOP`] from where
/// it went down, along x: the timeline pans in time. (The map's drag, in the plane, is the
/// visuals module's.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drag {
    start: (f64, f64),
    last: (f64, f64),
    moved: bool,
}

impl Drag {
    /// A press at `at` that drags along x.
    pub fn horizontal(at: (f64, f64)) -> Self {
        Self { start: at, last: at, moved: false }
    }

    /// The pointer is at `at`: how far it moved since the last step, once it is a drag.
    pub fn step(&mut self, at: (f64, f64)) -> Option<(f64, f64)> {
        if !self.moved && (at.0 - self.start.0).abs() <= DRAG_SLOP {
            return None;
        }
        self.moved = true;
        let delta = (at.0 - self.last.0, at.1 - self.last.1);
        self.last = at;
        Some(delta)
    }

    /// Whether the press became a drag (otherwise it was a click).
    pub fn moved(&self) -> bool {
        self.moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_press_becomes_a_drag_past_the_slop() {
        let mut d = Drag::horizontal((10.0, 10.0));
        assert_eq!(d.step((13.0, 40.0)), None, "the timeline pans in time only");
        assert!(!d.moved());
        assert_eq!(d.step((20.0, 10.0)), Some((10.0, 0.0)));
        assert_eq!(d.step((21.0, 10.0)), Some((1.0, 0.0)), "once dragging, every move counts");
        assert!(d.moved());
    }
}
