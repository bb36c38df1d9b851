//! The Annals visuals that only some readers open, in a wasm module of its own that the page
//! imports the first time it draws one: the charts, drawn with plotters on a canvas (events
//! per year by kind, stacked bars, and documents signed, cumulative, steps), and the relation
//! map's layout, label placement and paint ([`map`]).
//!
//! *Why a module of its own:* plotters and its canvas backend were 16 KB of the gzipped page
//! bundle, the map's layout and drawing 8 KB, and only readers who open the Charts or the
//! Map view need them. The page (`annals-web`'s `charts`, `map`) computes the numbers and the
//! graph views, resolves the colours, and hands over a plan as JSON ([`Plan`],
//! [`map::MapPlan`]), so this crate knows nothing of records.

pub mod keys;
pub mod map;
pub mod picture;
pub mod placement;
#[cfg(target_arch = "wasm32")]
mod save;
pub mod svg;

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// What to draw and in which colours (`#rrggbb`).
#[derive(Debug, Deserialize)]
pub struct Plan {
    /// Every year from the first to the last.
    pub years: Vec<i64>,
    /// Per year: the stacked parts.
    #[serde(default)]
    pub stacks: Vec<Stack>,
    /// Per year: documents signed up to and including it.
    #[serde(default)]
    pub cumulative: Vec<u64>,
    /// The line's colour.
    #[serde(default)]
    pub line: String,
    /// The page's paper, grid and label colours.
    pub paper: String,
    /// Grid lines.
    pub rule: String,
    /// Axis labels.
    pub muted: String,
    /// The picture's title (the axis labels' colour when not given).
    #[serde(default)]
    pub ink: String,
    /// The y axis' name.
    pub y_desc: String,
    /// The chart's caption, as the page shows it above the chart; `{0}` is the last of
    /// `cumulative` (the documents' total).
    #[serde(default)]
    pub caption: String,
    /// A year before the common era in the page's language, its number as `{0}` ("{0} BC");
    /// empty when the chart has none.
    #[serde(default)]
    pub bc: String,
    /// Under the bars when each stands for several years ([`bins`]): `{0}` is how many
    /// ("years per bar: {0}"); empty: none said.
    #[serde(default)]
    pub per_bar: String,
}

/// A bar's stacked parts, bottom first, as (colour, count).
pub type Stack = Vec<(String, u64)>;

/// Narrowest a bar of the events chart is drawn, in pixels: narrower, neighbouring stacks of
/// other colours ran into one blur (76 years on a phone's 290 px were 3.8 px a year).
pub const MIN_BAR_PX: f64 = 6.0;

/// The years of `years` (ascending, with their `stacks`) gathered into bars of `span` years —
/// 1, or the first of 2, 5, 10, 20, 50… that gives a bar at least [`MIN_BAR_PX`] of `width`
/// pixels — each bar starting at a multiple of `span` (so a bar of 1990 is 1990–1994 for all
/// readers), its stack the sum of its years' per colour, in the order the colours first come.
pub fn bins(years: &[i64], stacks: &[Stack], width: f64) -> (i64, Vec<(i64, Stack)>) {
    let (Some(first), Some(last)) = (years.first(), years.last()) else { return (1, Vec::new()) };
    let slots = (last - first + 1) as f64;
    let mut span = 1;
    for step in [2, 5].into_iter().chain((1..18).flat_map(|e| [1, 2, 5].map(|m| m * 10i64.pow(e)))) {
        if width / slots * span as f64 >= MIN_BAR_PX {
            break;
        }
        span = step;
    }
    let mut bars: Vec<(i64, Stack)> = Vec::new();
    for (year, stack) in years.iter().zip(stacks) {
        let start = year.div_euclid(span) * span;
        if bars.last().is_none_or(|b| b.0 != start) {
            bars.push((start, Vec::new()));
        }
        let Some((_, bar)) = bars.last_mut() else { continue };
        for (colour, n) in stack {
            match bar.iter_mut().find(|(c, _)| c == colour) {
                Some(part) => part.1 += n,
                None => bar.push((colour.clone(), *n)),
            }
        }
    }
    (span, bars)
}

/// Draws the stacked bars of `plan` (JSON) on `canvas`; a plan that cannot be read draws
/// nothing and says why.
#[wasm_bindgen]
pub fn per_year(canvas: HtmlCanvasElement, plan: &str) -> Result<(), JsValue> {
    draw::per_year(canvas, read(plan)?);
    Ok(())
}

/// Draws the cumulative steps of `plan` (JSON) on `canvas`.
#[wasm_bindgen]
pub fn documents(canvas: HtmlCanvasElement, plan: &str) -> Result<(), JsValue> {
    draw::documents(canvas, read(plan)?);
    Ok(())
}

/// Lays out (once per record and canvas shape) and draws the relation map of `plan` (JSON, a
/// [`map::MapPlan`]) on `canvas` and writes what it drew on the canvas' `data-*` attributes;
/// from then on the canvas' pointer, wheel and keys are handled here (see [`map`]'s docs).
#[wasm_bindgen]
pub fn map(canvas: HtmlCanvasElement, plan: &str) -> Result<(), JsValue> {
    let plan: map::MapPlan =
        serde_json::from_str(plan).map_err(|e| JsValue::from_str(&format!("the map's plan could not be read: {e}")))?;
    #[cfg(target_arch = "wasm32")]
    return map::live::show(&canvas, plan);
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (canvas, plan);
        Ok(())
    }
}

/// Saves a picture of a view (see [`picture`]): `ask` (JSON, a [`picture::Ask`]) says which
/// view, in which format (`svg` or `png`), with which title, filters and sources; the file is
/// offered as a download. The map and the charts are pictured as this module drew them last;
/// the timeline as the page says it drew it. `_canvas` is not used (the door's signature).
#[wasm_bindgen]
pub fn picture(_canvas: JsValue, ask: &str) -> Result<(), JsValue> {
    let ask: picture::Ask = serde_json::from_str(ask)
        .map_err(|e| JsValue::from_str(&format!("the picture's request could not be read: {e}")))?;
    #[cfg(target_arch = "wasm32")]
    return save::picture(ask);
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = ask;
        Ok(())
    }
}

fn read(plan: &str) -> Result<Plan, JsValue> {
    serde_json::from_str(plan).map_err(|e| JsValue::from_str(&format!("the chart's numbers could not be read: {e}")))
}

/// `#rrggbb` as its channels; grey for anything else.
pub fn channels(hex: &str) -> (u8, u8, u8) {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0x6b6b6b);
    ((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

#[cfg(target_arch = "wasm32")]
mod draw {
    use std::cell::RefCell;

    use plotters::prelude::*;
    use plotters_canvas::CanvasBackend;
    use web_sys::HtmlCanvasElement;

    use super::{bins, channels, Plan};

    thread_local! {
        /// The charts as drawn last (bars, then steps), with their canvas' size: what a
        /// picture of the charts shows.
        pub(crate) static LAST: RefCell<[Option<(Plan, u32, u32)>; 2]> = const { RefCell::new([None, None]) };
    }

    fn rgb(hex: &str) -> RGBColor {
        let (r, g, b) = channels(hex);
        RGBColor(r, g, b)
    }

    type Root<DB> = DrawingArea<DB, plotters::coord::Shift>;
    type YearChart<'a, DB> = ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordu64>,
    >;

    /// Draws on the canvas at its CSS width, on the page's paper colour, and keeps the plan.
    fn on_canvas(canvas: HtmlCanvasElement, plan: Plan, slot: usize, draw: fn(&Root<CanvasBackend>, &Plan)) {
        let width = canvas.client_width().max(300) as u32;
        canvas.set_width(width);
        let height = canvas.height();
        if let Some(root) = CanvasBackend::with_canvas_object(canvas).map(|b| b.into_drawing_area()) {
            draw(&root, &plan);
        }
        LAST.with(|last| last.borrow_mut()[slot] = Some((plan, width, height)));
    }

    /// Where the plot of a chart `root` wide starts, and how wide it is (the margins and the
    /// counts' labels left of it).
    const PLOT_LEFT: u32 = 12 + 36;

    /// The axes both charts share: one slot per year, centred on the year's tick (from the
    /// first to the last of `years`, the bars' `span` years a slot and `per_bar` said under
    /// them when more than one), counts from 0 to `max`, in the page's colours.
    fn year_chart<'a, DB: DrawingBackend + 'a>(
        root: &'a Root<DB>,
        plan: &Plan,
        (first, last, span): (i64, i64, i64),
        max: u64,
    ) -> Option<YearChart<'a, DB>> {
        root.fill(&rgb(&plan.paper)).ok()?;
        let half = span as f64 * 0.5 + 0.1;
        let x_desc = if span > 1 { plan.per_bar.replace("{0}", &span.to_string()) } else { String::new() };
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(if x_desc.is_empty() { 28 } else { 44 })
            .y_label_area_size(36)
            .build_cartesian_2d(first as f64 - half..last as f64 + half, 0u64..max)
            .ok()?;
        let muted = rgb(&plan.muted);
        // As many year labels as fit side by side (a year is about 30 px at 12 px), and never
        // more than there are years: on a phone they ran into each other ("20062008…").
        let years = usize::try_from(last - first + 1).unwrap_or(1).max(1);
        let labels = (root.dim_in_pixel().0 as usize / 64).clamp(2, 12).min(years);
        chart
            .configure_mesh()
            .x_labels(labels)
            .disable_x_mesh()
            .light_line_style(rgb(&plan.rule))
            .axis_style(muted)
            .label_style(("sans-serif", 12).into_font().color(&muted))
            .y_desc(plan.y_desc.as_str())
            .x_desc(x_desc)
            .x_label_formatter(&|x| match x.round() {
                y if y < 0.0 && !plan.bc.is_empty() => plan.bc.replace("{0}", &format!("{:.0}", -y)),
                y => format!("{y:.0}"),
            })
            .draw()
            .ok()?;
        Some(chart)
    }

    pub(super) fn per_year(canvas: HtmlCanvasElement, plan: Plan) {
        // The page draws the documents' chart after this one, or has none (no signing among
        // the events shown): a picture must not keep one drawn for an earlier choice.
        LAST.with(|last| last.borrow_mut()[1] = None);
        on_canvas(canvas, plan, 0, bars);
    }

    pub(super) fn documents(canvas: HtmlCanvasElement, plan: Plan) {
        on_canvas(canvas, plan, 1, steps);
    }

    /// The stacked bars of events per year, or per several years where a year would be
    /// narrower than [`MIN_BAR_PX`] ([`bins`]).
    pub(crate) fn bars<DB: DrawingBackend>(root: &Root<DB>, plan: &Plan) {
        let width = f64::from(root.dim_in_pixel().0.saturating_sub(PLOT_LEFT + 12));
        let (span, bars) = bins(&plan.years, &plan.stacks, width);
        let max = bars.iter().map(|(_, s)| s.iter().map(|(_, n)| n).sum::<u64>()).max().unwrap_or(0).max(1) + 1;
        // A bar's slot is centred on its middle year (on the year's tick when it is one).
        let centre = |start: i64| start as f64 + (span - 1) as f64 * 0.5;
        let (Some(first), Some(last)) = (bars.first().map(|b| centre(b.0)), bars.last().map(|b| centre(b.0))) else {
            return;
        };
        let Some(mut chart) = year_chart(root, plan, (first.floor() as i64, last.ceil() as i64, span), max) else {
            return;
        };
        let half = span as f64 * 0.4;
        for (start, stack) in &bars {
            let mut base = 0u64;
            for (colour, n) in stack {
                let x = centre(*start);
                let bar = Rectangle::new([(x - half, base), (x + half, base + n)], rgb(colour).filled());
                let _ = chart.draw_series(std::iter::once(bar));
                base += n;
            }
        }
        let _ = root.present();
    }

    /// The cumulative steps of documents signed.
    pub(crate) fn steps<DB: DrawingBackend>(root: &Root<DB>, plan: &Plan) {
        let max = plan.cumulative.last().copied().unwrap_or(0).max(1);
        let (Some(&first), Some(&last)) = (plan.years.first(), plan.years.last()) else { return };
        let Some(mut chart) = year_chart(root, plan, (first, last, 1), max + max / 10 + 1) else { return };
        let colour = rgb(&plan.line);
        let points: Vec<(f64, u64)> =
            plan.years.iter().map(|y| *y as f64).zip(plan.cumulative.iter().copied()).collect();
        // A cumulative count changes at signings, so it is drawn as steps, not slopes.
        let mut steps = Vec::with_capacity(points.len() * 2);
        let mut previous = 0;
        for (y, n) in &points {
            steps.push((*y, previous));
            steps.push((*y, *n));
            previous = *n;
        }
        let _ = chart.draw_series(LineSeries::new(steps, colour.stroke_width(2)));
        let _ = chart.draw_series(
            points
                .iter()
                .zip(std::iter::once(0).chain(points.iter().map(|p| p.1)))
                .filter(|((_, n), prev)| n > prev)
                .map(|((y, n), _)| Circle::new((*y, *n), 4, colour.filled())),
        );
        let _ = root.present();
    }

    /// The charts drawn last, one above the other, as SVG: the markup, its size and the
    /// frame's colours (paper, ink, muted).
    pub(crate) fn svg() -> Option<(String, (f64, f64), [String; 3])> {
        LAST.with(|last| {
            let last = last.borrow();
            let mut out = String::new();
            let (mut width, mut y) = (0u32, 0u32);
            let mut colours = None;
            for slot in 0..2 {
                let Some((plan, w, h)) = &last[slot] else { continue };
                let mut chart = String::new();
                {
                    let root = SVGBackend::with_string(&mut chart, (*w, *h)).into_drawing_area();
                    if slot == 0 {
                        bars(&root, plan);
                    } else {
                        steps(&root, plan);
                    }
                }
                let ink = if plan.ink.is_empty() { plan.muted.clone() } else { plan.ink.clone() };
                // Its caption and legend, as the page shows them above it.
                let head = crate::svg::caption(&mut out, f64::from(y), plan, &ink);
                y += head;
                // Each chart is an SVG of its own, placed below the one before.
                out.push_str(&chart.replacen("<svg ", &format!(r#"<svg class="chart" x="0" y="{y}" "#), 1));
                width = width.max(*w);
                y += h + 16;
                colours.get_or_insert([plan.paper.clone(), ink, plan.muted.clone()]);
            }
            Some((out, (f64::from(width), f64::from(y.saturating_sub(16))), colours?))
        })
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod draw {
    //! Natively there is no canvas: the plan is read (and tested), nothing is drawn.
    use web_sys::HtmlCanvasElement;

    use super::Plan;

    pub(super) fn per_year(_: HtmlCanvasElement, _: Plan) {}
    pub(super) fn documents(_: HtmlCanvasElement, _: Plan) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_too_narrow_for_a_bar_are_gathered_into_bars_of_round_spans() {
        let stack = |a: u64, b: u64| vec![("#a".to_owned(), a), ("#b".to_owned(), b)];
        // 76 years (1950–2025) on a phone's 290 px: 3.8 px a year, so bars of 2 years (7.6 px).
        let years: Vec<i64> = (1950..=2025).collect();
        let stacks: Vec<_> = years.iter().map(|y| stack(1, (y % 2) as u64)).collect();
        let (span, bars) = bins(&years, &stacks, 290.0);
        assert_eq!(span, 2);
        assert_eq!(bars.len(), 38);
        assert_eq!(bars[0], (1950, stack(2, 1)), "1950 and 1951, each colour added up");
        assert_eq!(bars.iter().map(|b| b.1.iter().map(|p| p.1).sum::<u64>()).sum::<u64>(), 76 + 38, "no event lost");
        // Wide enough: a bar a year, as drawn before.
        let (span, bars) = bins(&years, &stacks, 1200.0);
        assert_eq!((span, bars.len()), (1, 76));
        // Deep time: bars start at multiples of their span, also before the common era.
        let (span, bars) = bins(&[-1003, -2, 7, 1999], &[stack(1, 0), stack(0, 1), stack(1, 0), stack(0, 2)], 300.0);
        assert_eq!(span, 100, "3,003 years on 300 px: 0.1 px a year, 10 px a century");
        assert_eq!(bars.iter().map(|b| b.0).collect::<Vec<_>>(), [-1100, -100, 0, 1900]);
        assert!(bins(&[], &[], 300.0).1.is_empty());
    }

    #[test]
    fn a_plan_is_read_from_the_pages_json() {
        let plan: Plan = serde_json::from_str(
            r##"{"years":[2006,2007],"stacks":[[["#0072B2",1],["#D55E00",1]],[]],"cumulative":[9,9],"line":"#D55E00",
                "paper":"#fbfaf7","rule":"#d9d4c7","muted":"#4a5560","y_desc":"events"}"##,
        )
        .expect("plan");
        assert_eq!(plan.stacks[0][1], ("#D55E00".to_owned(), 1));
        assert_eq!(channels("#D55E00"), (0xd5, 0x5e, 0x00));
        assert_eq!(channels("rgb(1,2,3)"), (0x6b, 0x6b, 0x6b));
    }
}
