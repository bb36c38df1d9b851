//! Charts (plotters on a canvas): events per year by kind, stacked, and documents signed,
//! cumulative. Both follow the filters: they count the events the timeline shows.
//!
//! A record read by the window (`remote`) holds only the events fetched for the timeline, so
//! its charts are the service's figures of the whole stream (`stats`, per year and kind: the
//! kind filters apply here, exactly), with the actor and search filters the service's
//! (`stats?actor=&q=`, judged as the page judges them). Filtered figures come in parts (the
//! service walks a bounded number of events a call): until the last, the charts say how far
//! the count is, and draw nothing — never a part as if it were the whole.
//!
//! The numbers are computed natively-testable in [`ChartData`]; drawing needs the browser.
//! Each chart also has its numbers in a table for screen readers and for copying.

use std::rc::Rc;

use annals_core::{EventKind, PerKind};
use yew::prelude::*;

use crate::i18n::{t, tf, tx};

use crate::palette::kind_colour;
use crate::record::Record;

/// The widest span of years the charts show year by year, empty years included.
pub const FILLED_YEARS: i64 = 20_000;

/// Events per kind and documents signed, by year.
type PerYear = std::collections::BTreeMap<i64, (PerKind<u32>, u64)>;

/// The numbers behind the charts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartData {
    /// Every year from the first to the last event shown (over more than [`FILLED_YEARS`],
    /// only the years with events: a record reaching back to the Big Bang has 13.8 billion).
    pub years: Vec<i64>,
    /// Events per year per kind.
    pub by_kind: Vec<PerKind<u32>>,
    /// Documents signed up to and including each year.
    pub cumulative_documents: Vec<u64>,
}

impl ChartData {
    /// Counts the given events (indices into the timeline's entries) by the year they began.
    pub fn from_events(record: &Record, visible: &[usize]) -> Self {
        let mut per_year = PerYear::new();
        let projections = record.projections();
        for r in visible.iter().filter_map(|i| projections.timeline.at(*i)) {
            let slot = per_year.entry(r.event.occurred.start().year_value()).or_default();
            slot.0[r.kind] += 1;
            if r.kind == EventKind::Signing {
                slot.1 += u64::from(r.event.documents_signed());
            }
        }
        Self::from_years(&per_year)
    }

    /// The rows of the years with events: every year from the first to the last (only those
    /// with events when they span more than [`FILLED_YEARS`]).
    fn from_years(per_year: &PerYear) -> Self {
        let (Some(&first), Some(&last)) = (per_year.keys().next(), per_year.keys().next_back()) else {
            return Self::default();
        };
        let mut data = Self::default();
        let mut total = 0;
        let years: Box<dyn Iterator<Item = i64>> = if last - first < FILLED_YEARS {
            Box::new(first..=last)
        } else {
            Box::new(per_year.keys().copied().collect::<Vec<_>>().into_iter())
        };
        for year in years {
            let (counts, docs) = per_year.get(&year).copied().unwrap_or_default();
            total += docs;
            data.years.push(year);
            data.by_kind.push(counts);
            data.cumulative_documents.push(total);
        }
        data
    }

    /// The service's figures of a whole stream (`stats`: `years`, each `{year, by_kind: [one
    /// count per kind, in `EventKind::ALL`'s order], documents, …}`; filtered figures are an
    /// array of such parts, a year perhaps in two of them) with the kinds shown (all when none
    /// is chosen), as [`ChartData::from_events`] counts them; `None` when the answer is not the
    /// service's figures. Read by hand from a `Value`: a derived reader would be code of its
    /// own in the page's bundle.
    pub fn from_served(stats: &serde_json::Value, kinds: &std::collections::BTreeSet<EventKind>) -> Option<Self> {
        let shown = |k: &EventKind| kinds.is_empty() || kinds.contains(k);
        let parts = match stats.as_array() {
            Some(parts) => parts.as_slice(),
            None => std::slice::from_ref(stats),
        };
        let mut per_year = PerYear::new();
        for part in parts {
            for row in part["years"].as_array()? {
                let mut counts = PerKind::<u32>::default();
                for (k, n) in EventKind::ALL.iter().zip(row["by_kind"].as_array()?).filter(|(k, _)| shown(k)) {
                    counts[*k] = u32::try_from(n.as_u64()?).ok()?;
                }
                // (The years with no event shown are rows of the answer, not of the charts.)
                if counts.iter().any(|n| *n > 0) {
                    let documents = if shown(&EventKind::Signing) { row["documents"].as_u64()? } else { 0 };
                    let slot = per_year.entry(row["year"].as_i64()?).or_default();
                    for k in EventKind::ALL {
                        slot.0[k] += counts[k];
                    }
                    slot.1 += documents;
                }
            }
        }
        Some(Self::from_years(&per_year))
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
    /// The kinds the filters show (none: all), for a record read by the window.
    pub kinds: std::collections::BTreeSet<EventKind>,
    /// The actor and search filters as the service takes them (`remote::filter`; empty: none).
    pub filter: String,
}

/// Both charts.
#[function_component(Charts)]
pub fn charts(props: &Props) -> Html {
    let label = crate::context::use_landmark_label(t("Charts"));
    // A record read by the window: the service's figures (`None` while they are asked; the
    // last ones of the same filters stay while newer are asked, as after a live update —
    // another filter's are never shown), and while the parts of filtered figures arrive, how
    // many events are walked of how many.
    let last = use_mut_ref(|| None::<(String, crate::remote::Served)>);
    let mut counting = None;
    let served = props.record.remote.as_ref().map(|r| {
        match r.served("stats", props.filter.clone()) {
            Some(Ok(part)) if part["next"].is_string() => {
                counting = Some((part["walked"].as_u64().unwrap_or(0), part["of"].as_u64().unwrap_or(0)))
            }
            Some(answer) => *last.borrow_mut() = Some((props.filter.clone(), answer)),
            None => {}
        }
        last.borrow().as_ref().filter(|(f, _)| *f == props.filter).map(|(_, a)| a.clone())
    });
    let data = Rc::new(match &served {
        None => ChartData::from_events(&props.record, &props.visible),
        Some(Some(Ok(stats))) => ChartData::from_served(stats, &props.kinds).unwrap_or_default(),
        Some(_) => ChartData::default(),
    });
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
    // A record read by the window: the service's figures, once here (no empty canvas before).
    let said = match &served {
        Some(Some(Err(e))) => Some(("error", tf("The service could not give the figures: {0}", &[e]))),
        Some(None) => Some(match counting {
            Some((walked, of)) => {
                ("map-drawing", tf("Counting the events the filters keep: {0} of {1} looked at…", &[&walked, &of]))
            }
            None => ("map-drawing", t("Asking the service for the figures of the whole record…").to_owned()),
        }),
        _ => None,
    };
    if let Some((class, text)) = said {
        return html! {
            <section class="charts" aria-label={label}>
                <p {class} role="status">{ text }</p>
            </section>
        };
    }
    html! {
        <section class="charts" aria-label={label}>
            <figure>
                <figcaption>{ tx("Events per year, by kind") }</figcaption>
                <ul class="legend" aria-label={t("Colours of the kinds")}>
                    { for drawn.iter().map(|k| html! {
                        <li><span class="swatch" style={format!("background:{}", kind_colour(*k))} aria-hidden="true"></span>{ crate::i18n::kind(*k) }</li>
                    }) }
                </ul>
                <canvas ref={per_year} class="chart" width="900" height="320" role="img"
                    aria-label={tf("Stacked bars of events per year from {0} to {1}", &[&data.years.first().copied().unwrap_or(0), &data.years.last().copied().unwrap_or(0)])} />
            </figure>
            // (No signing among the events: a sentence, not a flat line on an empty chart.)
            if total_docs > 0 {
                <figure>
                    <figcaption>{ tf("Documents signed, cumulative ({0} in all)", &[&total_docs]) }</figcaption>
                    <canvas ref={documents} class="chart" width="900" height="260" role="img"
                        aria-label={tf("Line of documents signed, cumulative, reaching {0}", &[&total_docs])} />
                </figure>
            } else {
                <p class="note">{ tx("No documents signed among the events shown.") }</p>
            }
            <details>
                <summary>{ tx("The numbers") }</summary>
                <table class="numbers">
                    <thead><tr><th scope="col">{ tx("Year") }</th>
                        { for EventKind::ALL.iter().map(|k| html! { <th scope="col">{ crate::i18n::kind(*k) }</th> }) }
                        <th scope="col">{ tx("Documents (cumulative)") }</th></tr></thead>
                    <tbody>
                        { for data.years.iter().enumerate().filter(|(i, _)| data.by_kind[*i].iter().any(|n| *n > 0)).map(|(i, y)| html! {
                            <tr><th scope="row">{ crate::i18n::year(*y) }</th>
                                { for data.by_kind[i].iter().map(|n| html! { <td>{ n }</td> }) }
                                <td>{ data.cumulative_documents[i] }</td></tr>
                        }) }
                    </tbody>
                </table>
            </details>
        </section>
    }
}

/// The plan the visuals module draws (see `annals_visuals::Plan`): the numbers with the
/// colours resolved here, where the theme and the kinds are known.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code, reason = "drawn only in the browser; tested natively"))]
fn plan(data: &ChartData, colours: &crate::theme::Colours, documents: bool) -> String {
    let hex = |value: &str, fallback: &'static str| {
        if crate::theme::rgb(value).is_some() {
            value.to_owned()
        } else {
            fallback.to_owned()
        }
    };
    let stacks: Vec<Vec<(&str, u32)>> = if documents {
        Vec::new()
    } else {
        data.by_kind
            .iter()
            .map(|counts| {
                EventKind::ALL.iter().filter(|k| counts[**k] > 0).map(|k| (kind_colour(*k), counts[*k])).collect()
            })
            .collect()
    };
    let plan = serde_json::json!({
        "years": data.years,
        "stacks": stacks,
        "cumulative": if documents { data.cumulative_documents.clone() } else { Vec::new() },
        "line": kind_colour(EventKind::Signing),
        "paper": hex(&colours.paper, crate::theme::LIGHT.paper),
        "rule": hex(&colours.rule, crate::theme::LIGHT.rule),
        "muted": hex(&colours.muted, crate::theme::LIGHT.muted),
        "ink": hex(&colours.ink, crate::theme::LIGHT.ink),
        "y_desc": if documents { t("documents") } else { t("events") },
        // A year before the common era as the language writes it ("{0} BC"), for the axis.
        "bc": t("{0} BC"),
        // Said under the bars when each stands for several years (too many years for the width).
        "per_bar": t("years per bar: {0}"),
        // The caption the page shows above the chart, for its picture (the documents' total
        // is the module's to fill in: it has the numbers).
        "caption": if documents { t("Documents signed, cumulative ({0} in all)") } else { t("Events per year, by kind") },
    });
    annals_core::event::json_text(&plan)
}

#[cfg(target_arch = "wasm32")]
mod draw {
    //! Drawing is the visuals module's (see `crate::visuals`): plotters costs the page bundle
    //! 16 KB gzipped that most readers never use.

    use web_sys::HtmlCanvasElement;
    use yew::NodeRef;

    use super::{plan, ChartData};

    fn draw(which: &'static str, node: &NodeRef, data: &ChartData) {
        let Some(canvas) = node.cast::<HtmlCanvasElement>() else { return };
        let colours = crate::theme::Colours::at(&canvas);
        let plan = plan(data, &colours, which == "documents");
        crate::visuals::draw(which, canvas, plan, Box::new(crate::visuals::warn));
    }

    pub(super) fn per_year(node: &NodeRef, data: &ChartData) {
        draw("per_year", node, data);
    }

    pub(super) fn documents(node: &NodeRef, data: &ChartData) {
        draw("documents", node, data);
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
    fn the_plan_carries_the_stacks_in_kind_colours_and_the_pages_colours() {
        let record =
            crate::record::from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x").expect("record");
        let all: Vec<usize> = (0..record.projections().timeline.len()).collect();
        let data = ChartData::from_events(&record, &all);
        let mut colours = crate::theme::LIGHT.owned();
        colours.paper = "var(--x)".into(); // not a colour the module can read: the light paper instead
        let bars: serde_json::Value = serde_json::from_str(&plan(&data, &colours, false)).expect("json");
        assert_eq!(bars["paper"], crate::theme::LIGHT.paper);
        assert_eq!(bars["stacks"][0], serde_json::json!([[kind_colour(EventKind::Signing), 1]]), "1993: one signing");
        assert_eq!(bars["cumulative"], serde_json::json!([]));
        let line: serde_json::Value = serde_json::from_str(&plan(&data, &colours, true)).expect("json");
        assert_eq!(line["cumulative"].as_array().and_then(|c| c.last()), Some(&serde_json::json!(40)));
        assert_eq!(line["y_desc"], "documents");
    }

    #[test]
    fn the_services_figures_chart_as_the_records_events_do() {
        // The service's `stats` answer is core's `StatsView` as JSON (server/src/http/views.rs).
        let record =
            crate::record::from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x").expect("record");
        let stats = serde_json::to_value(record.projections().stats_view()).expect("json");
        let entries: Vec<EventKind> = record.projections().timeline.entries().map(|r| r.kind).collect();
        for kinds in [vec![], vec![EventKind::Visit], vec![EventKind::Signing, EventKind::Call]] {
            let chosen: std::collections::BTreeSet<EventKind> = kinds.iter().copied().collect();
            let shown: Vec<usize> =
                (0..entries.len()).filter(|i| chosen.is_empty() || chosen.contains(&entries[*i])).collect();
            let served = ChartData::from_served(&stats, &chosen).expect("read");
            assert_eq!(served, ChartData::from_events(&record, &shown), "kinds {kinds:?}");
        }
        assert!(ChartData::from_served(&serde_json::json!({"error": {"status": 503}}), &Default::default()).is_none());
    }

    #[test]
    fn the_parts_of_filtered_figures_chart_as_their_events_do() {
        use annals_core::projection::Stats;
        let record =
            crate::record::from_bytes(include_bytes!("../../data/azerbaijan-belarus.json"), "x").expect("record");
        let p = record.projections();
        let entries: Vec<_> = p.timeline.entries().collect();
        // As the service answers `stats?actor=…` (server/src/http/shown.rs, `figures`): each
        // part the figures of the events kept among those it walked, in the timeline's order.
        let kept: Vec<usize> = (0..entries.len()).filter(|i| entries[*i].kind != EventKind::Visit).collect();
        let parts: Vec<serde_json::Value> = kept
            .chunks(7)
            .enumerate()
            .map(|(n, chunk)| {
                let mut stats = Stats::default();
                for i in chunk {
                    stats.count(entries[*i], 1);
                }
                let mut part = serde_json::to_value(stats.view(&p.catalog)).expect("json");
                part["walked"] = serde_json::json!((n + 1) * 7);
                if (n + 1) * 7 < kept.len() {
                    part["next"] = serde_json::json!(format!("{n}.{n}.{n}"));
                }
                part
            })
            .collect();
        assert!(parts.len() > 3);
        // (Some year goes on in the next part: the charts add its rows up.)
        let first_year = |part: &serde_json::Value| part["years"][0]["year"].clone();
        let last_year =
            |part: &serde_json::Value| part["years"].as_array().and_then(|y| y.last()).map(|r| r["year"].clone());
        assert!(parts.windows(2).any(|w| last_year(&w[0]) == Some(first_year(&w[1]))));
        assert!(
            parts[..parts.len() - 1].iter().all(|p| p["next"].is_string()) && parts[parts.len() - 1]["next"].is_null()
        );
        // What `Remote::served` (`remote.rs`) keeps once the last part is here: every part, in order.
        let joined = serde_json::Value::Array(parts);
        let whole = ChartData::from_events(&record, &kept);
        assert!(whole.years.len() > 10);
        assert_eq!(ChartData::from_served(&joined, &Default::default()), Some(whole));
    }

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
