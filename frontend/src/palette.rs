//! The colours of event kinds, shared by every view that marks a kind (timeline marks, map
//! edges, chart bars, list swatches, filters, details). *Why its own module:* they are data of
//! the record's kinds, not of any one view, so no view has to import another for them.

use annals_core::EventKind;

/// Colour of a kind (Okabe–Ito palette, readable for the common colour-vision deficiencies).
pub fn kind_colour(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Visit => "#0072B2",
        EventKind::Signing => "#D55E00",
        EventKind::CommissionMeeting => "#009E73",
        EventKind::Talks => "#CC79A7",
        EventKind::Call => "#B07A00",
        EventKind::Statement => "#2F8FC4",
        EventKind::Other => "#6B6B6B",
    }
}
