//! Charts (plotters on a canvas): events per year by kind, stacked, and documents signed,
//! cumulative. Both follow the filters: they count the events the timeline shows.
//!
//! The numbers are computed natively-testable in [`ChartData`]; drawing needs the browser.
//! Each chart also has its numbers in a table for screen readers and for copying.

use std::rc::Rc;

use annals_core::{EventKind, PerKind};
use yew::prelude::*;

use crate::record::Record;

/// The numbers behind the charts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartData {
    /// Every year from the first to the last event shown.
    pub years: Vec<i32>,
    /// Events per year per kind.
    pub by_kind: Vec<PerKind<u32>>,
    /// Documents signed up to and including each year.
    pub cumulative_documents: Vec<u64>,
}

impl ChartData {
    /// Counts the given events (indices into the timeline's entries) by the year they began.
    pub fn from_events(record: &Record, visible: &[usize]) -> Self {
        let mut per_year: std::collections::BTreeMap<i32, (PerKind<u32>, u64)> = std::collections::BTreeMap::new();
        let projections = record.projections();
        for r in visible.iter().filter_map(|i| projections.timeline.at(*i)) {
            let slot = per_year.entry(r.event.occurred.start().year_value()).or_default();
            slot.0[r.kind] += 1;
            if r.kind == EventKind::Signing {
                slot.1 += u64::from(r.event.documents_signed());
            }
        }
        let (Some(&first), Some(&last)) = (per_year.keys().next(), per_year.keys().next_back()) else {
            return Self::default();
        };
        let mut data = Self::default();
        let mut total = 0;
        for year in first..=last {
            let (counts, docs) = per_year.get(&year).copied().unwrap_or_default();
            total += docs;
            data.years.push(year);
            data.by_kind.push(counts);
            data.cumulative_documents.push(total);
        }
        data
    }

    /// The tallest stacked bar.
    pub fn max_events(&self) -> u32 {
        self.by_kind.iter().map(|k| k.iter().sum::<u32>()).max().unwrap_or(0)
    }
}

/// Props of [`Charts`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The record.
    pub record: Rc<Record>,
    /// The events that pass the filters.
    pub visible: Rc<crate::visible::Visible>,
}

/// Both charts.
#[function_component(Charts)]
pub fn charts(props: &Props) -> Html {
    let label = crate::context::use_landmark_label("Charts");
    let data = Rc::new(ChartData::from_events(&props.record, &props.visible));
    let per_year = use_node_ref();
    let documents = use_node_ref();
    {
        let (per_year, documents, data) = (per_year.clone(), documents.clone(), data.clone());
        use_effect(move || {
            draw::per_year(&per_year, &data);
            draw::documents(&documents, &data);
        });
    }
    let total_docs = data.cumulative_documents.last().copied().unwrap_or(0);
    // The kinds drawn, for the legend (a widget has no kind filters that would show them).
    let drawn: Vec<EventKind> =
        EventKind::ALL.iter().copied().filter(|k| data.by_kind.iter().any(|counts| counts[*k] > 0)).collect();
    html! {
        <section class="charts" aria-label={label}>
            <figure>
                <figcaption>{ "Events per year, by kind" }</figcaption>
                <ul class="legend" aria-label="Colours of the kinds">
                    { for drawn.iter().map(|k| html! {
                        <li><span class="swatch" style={format!("background:{}", crate::palette::kind_colour(*k))} aria-hidden="true"></span>{ k.label() }</li>
                    }) }
                </ul>
                <canvas ref={per_year} class="chart" width="900" height="320" role="img"
                    aria-label={format!("Stacked bars of events per year from {} to {}", data.years.first().copied().unwrap_or(0), data.years.last().copied().unwrap_or(0))} />
            </figure>
            <figure>
                <figcaption>{ format!("Documents signed, cumulative ({total_docs} in all)") }</figcaption>
                <canvas ref={documents} class="chart" width="900" height="260" role="img"
                    aria-label={format!("Line of documents signed, cumulative, reaching {total_docs}")} />
            </figure>
            <details>
                <summary>{ "The numbers" }</summary>
                <table class="numbers">
                    <thead><tr><th scope="col">{ "Year" }</th>
                        { for EventKind::ALL.iter().map(|k| html! { <th scope="col">{ k.label() }</th> }) }
                        <th scope="col">{ "Documents (cumulative)" }</th></tr></thead>
                    <tbody>
                        { for data.years.iter().enumerate().filter(|(i, _)| data.by_kind[*i].iter().any(|n| *n > 0)).map(|(i, y)| html! {
                            <tr><th scope="row">{ y }</th>
                                { for data.by_kind[i].iter().map(|n| html! { <td>{ n }</td> }) }
                                <td>{ data.cumulative_documents[i] }</td></tr>
                        }) }
                    </tbody>
                </table>
            </details>
        </section>
    }
}

#[cfg(target_arch = "wasm32")]
mod draw {
    use plotters::prelude::*;
    use plotters_canvas::CanvasBackend;
    use web_sys::HtmlCanvasElement;
    use yew::NodeRef;

    use super::{ChartData, EventKind};
    use crate::palette::kind_colour;

    fn rgb(hex: &str) -> RGBColor {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0x6b6b6b);
        RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
    }

    type Root = DrawingArea<CanvasBackend, plotters::coord::Shift>;
    type YearChart<'a> = ChartContext<
        'a,
        CanvasBackend,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordu64>,
    >;

    /// The theme's colours as plotters colours (hex only; anything else falls back to light).
    struct Ink {
        paper: RGBColor,
        rule: RGBColor,
        muted: RGBColor,
    }

    /// The canvas as a drawing area at its CSS width, on the page's paper colour.
    fn root(node: &NodeRef) -> Option<(Root, Ink)> {
        let canvas = node.cast::<HtmlCanvasElement>()?;
        let colours = crate::theme::Colours::at(&canvas);
        let pick = |value: &str, fallback: &str| rgb(crate::theme::rgb(value).map_or(fallback, |_| value));
        let ink = Ink {
            paper: pick(&colours.paper, crate::theme::LIGHT.paper),
            rule: pick(&colours.rule, crate::theme::LIGHT.rule),
            muted: pick(&colours.muted, crate::theme::LIGHT.muted),
        };
        let width = canvas.client_width().max(300) as u32;
        canvas.set_width(width);
        let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
        root.fill(&ink.paper).ok()?;
        Some((root, ink))
    }

    /// The axes both charts share: one slot per year, centred on the year's tick, counts
    /// from 0 to `max`, in the page's colours.
    fn year_chart<'a>(root: &'a Root, ink: &Ink, data: &ChartData, max: u64, y_desc: &str) -> Option<YearChart<'a>> {
        let (first, last) = (*data.years.first()?, *data.years.last()?);
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(36)
            .build_cartesian_2d(f64::from(first) - 0.6..f64::from(last) + 0.6, 0u64..max)
            .ok()?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(ink.rule)
            .axis_style(ink.muted)
            .label_style(("sans-serif", 12).into_font().color(&ink.muted))
            .y_desc(y_desc)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .draw()
            .ok()?;
        Some(chart)
    }

    pub(super) fn per_year(node: &NodeRef, data: &ChartData) {
        let Some((root, ink)) = root(node) else { return };
        let Some(mut chart) = year_chart(&root, &ink, data, u64::from(data.max_events().max(1)) + 1, "events") else {
            return;
        };
        for (i, year) in data.years.iter().enumerate() {
            let mut base = 0u64;
            for kind in EventKind::ALL {
                let n = u64::from(data.by_kind[i][kind]);
                if n == 0 {
                    continue;
                }
                let x = f64::from(*year);
                let bar = Rectangle::new([(x - 0.4, base), (x + 0.4, base + n)], rgb(kind_colour(kind)).filled());
                let _ = chart.draw_series(std::iter::once(bar));
                base += n;
            }
        }
        let _ = root.present();
    }

    pub(super) fn documents(node: &NodeRef, data: &ChartData) {
        let Some((root, ink)) = root(node) else { return };
        let max = data.cumulative_documents.last().copied().unwrap_or(0).max(1);
        let Some(mut chart) = year_chart(&root, &ink, data, max + max / 10 + 1, "documents") else { return };
        let colour = rgb(kind_colour(EventKind::Signing));
        let points: Vec<(f64, u64)> =
            data.years.iter().map(|y| f64::from(*y)).zip(data.cumulative_documents.iter().copied()).collect();
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
}

#[cfg(not(target_arch = "wasm32"))]
mod draw {
    //! Natively there is no canvas; the numbers are tested, drawing is not attempted.
    use super::ChartData;
    use yew::NodeRef;

    pub(super) fn per_year(_: &NodeRef, _: &ChartData) {}
    pub(super) fn documents(_: &NodeRef, _: &ChartData) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_numbers_follow_the_filter() {
        let record =
            crate::record::from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x").expect("record");
        let all: Vec<usize> = (0..record.projections().timeline.len()).collect();
        let data = ChartData::from_events(&record, &all);
        assert_eq!(data.years.first(), Some(&1993));
        assert_eq!(data.cumulative_documents.last(), Some(&40));
        let y2024 = data.years.iter().position(|y| *y == 2024).expect("2024");
        assert_eq!(data.by_kind[y2024].iter().sum::<u32>(), 16);
        let signings: Vec<usize> = record
            .projections()
            .timeline
            .entries()
            .enumerate()
            .filter(|(_, r)| r.kind == EventKind::Signing)
            .map(|(i, _)| i)
            .collect();
        let only = ChartData::from_events(&record, &signings);
        assert_eq!(only.max_events(), 1);
        assert_eq!(only.cumulative_documents.last(), Some(&40));
    }
}
