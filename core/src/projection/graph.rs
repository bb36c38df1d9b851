//! The relation graph: who meets whom, how often, and in what kind of event.
//!
//! Actors (countries, people, organizations, commissions; places are where things happen,
//! not who) are nodes; two actors taking part in the same event share an edge, weighted by
//! the number of such events per kind. The all-time graph is kept up to date incrementally;
//! a time window or an ego view is computed from each event's contribution on demand.
//!
//! **Edges in a bulk fold.** Each event adds one to the edge of every pair of its actors,
//! and the edge map of a large record is megabytes of hash table, so updating it event by
//! event is a cache miss per pair — most of the graph's part of a million-event fold. A
//! large bulk fold ([`RelationGraph::begin_bulk`]) therefore keeps only the contributions
//! and counts the edges once at the end, from the contributions grouped by their first
//! actor: one sequential pass to group, then one small row at a time. The counts are the
//! same, because an edge's count is the number of live contributions holding its pair.
//!
//! **Windows by year.** A window (the map as of a year, or between two dates) used to walk
//! every contribution, a million for a million events. The graph therefore keeps, once a window
//! is first asked for, what each year adds — its events' positions, the activity and the edges —
//! and adds whole years inside the window from that, walking only the events of the (at most
//! two) years it cuts. Built on first use, not in the fold: a record never looked at through
//! a window (every bulk import, the fold benchmark) does not pay for it; once built, each
//! change keeps it current.
//!
//! The layout is a force simulation that is *deterministic*: starting positions come from
//! a hash of each actor id, and the arithmetic uses only `+ - * / sqrt`, which IEEE 754
//! defines exactly, so the native service and the browser draw the same map.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::ByPosition;
use crate::catalog::{Catalog, Change, Resolved};
use crate::date::{civil_from_days, days_from_civil};
use crate::event::{ActorKind, EventKind, PerKind};
use crate::id::ActorId;

/// What one event adds to the graph: its kind, first day and (sorted, distinct) actors,
/// which live in the shared `arena` at `offset..offset + len`.
#[derive(Debug, Clone, Copy)]
struct Contribution {
    kind: EventKind,
    start: i64,
    offset: u32,
    len: u32,
}

/// Where the graph learns an actor's kind (only whether it is a place matters): the
/// catalog itself, or, when the graph is folded on another thread, a copy kept in step.
pub(crate) trait ActorKinds {
    fn kind(&self, id: &ActorId) -> Option<ActorKind>;
}

impl ActorKinds for Catalog {
    fn kind(&self, id: &ActorId) -> Option<ActorKind> {
        self.actor(id.as_str()).map(|a| a.kind)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl ActorKinds for FxHashMap<ActorId, ActorKind> {
    fn kind(&self, id: &ActorId) -> Option<ActorKind> {
        self.get(id).copied()
    }
}

/// The relation graph projection.
///
/// Actors are interned to small integers; each event's contribution is keyed by its log
/// position and its actor list stored in one arena, so folding an event allocates nothing
/// but the map slots it fills.
#[derive(Debug, Clone, Default)]
pub struct RelationGraph {
    index: FxHashMap<ActorId, u32>,
    names: Vec<ActorId>,
    is_place: Vec<bool>,
    contributions: ByPosition<Contribution>,
    arena: Vec<u32>,
    scratch: Vec<u32>,
    activity: Vec<u32>,
    edges: FxHashMap<(u32, u32), PerKind<u32>>,
    /// In a bulk fold that counts edges at its end: `edges` is empty until then.
    deferred: bool,
    /// What each year adds, built when a window is first asked for (see the module docs).
    years: OnceLock<Years>,
}

/// Edges between actor numbers, per kind.
pub(crate) type Edges = FxHashMap<(u32, u32), PerKind<u32>>;

/// What the events that begin in each year add to the graph.
#[derive(Debug, Clone, Default)]
struct Years {
    by_year: BTreeMap<i64, Year>,
}

/// What the events that begin in one year add.
#[derive(Debug, Clone, Default)]
struct Year {
    /// The year's first and last day.
    days: (i64, i64),
    /// The log positions of its events, in order.
    positions: Vec<u64>,
    /// Beside each position, what its event adds: a window that cuts the year reads these
    /// in order, not the graph's contributions, which lie all over the log (a cache miss an
    /// event, most of the cost of a window).
    events: Vec<YearEvent>,
    /// The actor numbers of `events` (those of events taken away are left: rare).
    actors: Vec<u32>,
    /// Events per actor.
    activity: FxHashMap<u32, u32>,
    edges: Edges,
}

/// An event of a [`Year`]: kind, first day, and `len` actor numbers from `offset` in the
/// year's `actors`.
#[derive(Debug, Clone, Copy)]
struct YearEvent {
    start: i64,
    offset: u32,
    len: u32,
    kind: EventKind,
}

impl Years {
    /// Adds (`delta` 1) or takes away (−1) one contribution.
    fn add(&mut self, position: u64, c: &Contribution, actors: &[u32], delta: i32) {
        let (year, _, _) = civil_from_days(c.start);
        let part = self.by_year.entry(year).or_insert_with(|| Year {
            days: (days_from_civil(year, 1, 1), days_from_civil(year, 12, 31)),
            ..Year::default()
        });
        match part.positions.binary_search(&position) {
            Ok(i) if delta < 0 => {
                part.positions.remove(i);
                part.events.remove(i);
            }
            Err(i) if delta > 0 => {
                part.positions.insert(i, position);
                let (offset, len) = (part.actors.len() as u32, actors.len() as u32);
                part.actors.extend_from_slice(actors);
                part.events.insert(i, YearEvent { start: c.start, offset, len, kind: c.kind });
            }
            _ => {}
        }
        count(&mut part.activity, &mut part.edges, c.kind, actors, delta);
    }
}

/// Adds `delta` to the activity of each of `actors` and to the edge of each pair of them,
/// dropping what falls to nothing.
pub(crate) fn count(
    activity: &mut FxHashMap<u32, u32>,
    edges: &mut Edges,
    kind: EventKind,
    actors: &[u32],
    delta: i32,
) {
    for (i, &a) in actors.iter().enumerate() {
        let n = activity.entry(a).or_default();
        *n = n.saturating_add_signed(delta);
        if *n == 0 {
            activity.remove(&a);
        }
        for &b in &actors[i + 1..] {
            let e = edges.entry((a, b)).or_default();
            e[kind] = e[kind].saturating_add_signed(delta);
            if delta < 0 && e.iter().all(|n| *n == 0) {
                edges.remove(&(a, b));
            }
        }
    }
}

/// A node of a graph view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// The actor.
    pub id: ActorId,
    /// Its name.
    pub label: String,
    /// Its kind, when registered.
    pub kind: Option<ActorKind>,
    /// Number of events it takes part in (within the view).
    pub activity: u32,
}

/// An edge of a graph view (`a < b` by id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// One end.
    pub a: ActorId,
    /// The other end.
    pub b: ActorId,
    /// Shared events per kind.
    pub by_kind: PerKind<u32>,
}

impl Edge {
    /// All shared events.
    pub fn weight(&self) -> u32 {
        self.by_kind.iter().sum()
    }

    /// The kind of most shared events (the first in lane order on ties).
    pub fn main_kind(&self) -> EventKind {
        let mut best = EventKind::ALL[0];
        for (kind, n) in self.by_kind.kinds() {
            if *n > self.by_kind[best] {
                best = kind;
            }
        }
        best
    }
}

/// A graph to draw: nodes sorted by id, edges sorted by their ends.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct GraphView {
    /// The nodes.
    pub nodes: Vec<Node>,
    /// The edges.
    pub edges: Vec<Edge>,
}

/// Which part of the graph to look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphQuery {
    /// Only events that began within these days (inclusive).
    pub window: Option<(i64, i64)>,
    /// Only this actor, its neighbours, and the edges among them.
    pub ego: Option<ActorId>,
}

impl RelationGraph {
    /// Whether any event names an actor: the all-time graph has a node (what a map draws).
    pub fn has_actors(&self) -> bool {
        self.activity.iter().any(|a| *a > 0)
    }

    fn intern(&mut self, id: &ActorId, kinds: &impl ActorKinds) -> u32 {
        if let Some(i) = self.index.get(id) {
            return *i;
        }
        let i = self.names.len() as u32;
        self.index.insert(id.clone(), i);
        self.names.push(id.clone());
        // Places are where things happen, not who takes part; an actor registered later
        // than its first use is taken as not a place.
        self.is_place.push(kinds.kind(id) == Some(ActorKind::Place));
        self.activity.push(0);
        i
    }

    /// Makes room for `additional` more events.
    pub fn reserve(&mut self, additional: usize) {
        self.contributions.reserve(additional);
        self.arena.reserve(additional * 2);
    }

    /// Starts a bulk fold of about `expected` events. When they are at least as many as the
    /// events already folded, edges are counted once in [`RelationGraph::end_bulk`] (see
    /// the module docs); queries in between see no edges.
    pub fn begin_bulk(&mut self, expected: usize) {
        if !self.deferred && expected > 0 && expected >= self.contributions.positions() {
            self.deferred = true;
            self.edges = FxHashMap::default();
            // Built again from the contributions when a window is next asked for.
            self.years = OnceLock::new();
        }
    }

    /// Ends a bulk fold: counts the edges of every live contribution.
    pub fn end_bulk(&mut self) {
        if !std::mem::take(&mut self.deferred) {
            return;
        }
        let n = self.names.len();
        // Pairs grouped by their first (smaller) actor: `next[a]..` is where a's go.
        let mut next = vec![0usize; n + 1];
        for c in self.contributions.values() {
            let actors = self.actors(c);
            for (i, &a) in actors.iter().enumerate() {
                next[a as usize + 1] += actors.len() - i - 1;
            }
        }
        for a in 1..next.len() {
            next[a] += next[a - 1];
        }
        let rows = next.clone();
        let mut pairs = vec![(0u32, EventKind::Visit); next[n]];
        for c in self.contributions.values() {
            let actors = self.actors(c);
            for (i, &a) in actors.iter().enumerate() {
                for &b in &actors[i + 1..] {
                    let slot = &mut next[a as usize];
                    pairs[*slot] = (b, c.kind);
                    *slot += 1;
                }
            }
        }
        // One row at a time: `column[b]` is b's place in the row while it is counted.
        let mut column = vec![u32::MAX; n];
        let mut row: Vec<(u32, PerKind<u32>)> = Vec::new();
        let mut edges: Vec<((u32, u32), PerKind<u32>)> = Vec::new();
        for a in 0..n {
            for &(b, k) in &pairs[rows[a]..rows[a + 1]] {
                let at = &mut column[b as usize];
                if *at == u32::MAX {
                    *at = row.len() as u32;
                    row.push((b, PerKind::default()));
                }
                let count = &mut row[*at as usize].1[k];
                *count = count.saturating_add(1);
            }
            for (b, by_kind) in row.drain(..) {
                column[b as usize] = u32::MAX;
                edges.push(((a as u32, b), by_kind));
            }
        }
        self.edges.reserve(edges.len());
        self.edges.extend(edges);
    }

    fn actors(&self, c: &Contribution) -> &[u32] {
        &self.arena[c.offset as usize..(c.offset + c.len) as usize]
    }

    /// How many actors the graph has numbered (every actor it has met).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn numbered(&self) -> usize {
        self.names.len()
    }

    /// The numbers of an event's actors as its contribution lists them (places left out,
    /// sorted, distinct), into `out`: for events already folded in, whose actors the graph
    /// has met (an unknown actor is left out).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn actors_of(&self, r: &Resolved, out: &mut Vec<u32>) {
        out.clear();
        for a in r.event.participant_ids() {
            if let Some(&i) = self.index.get(a) {
                if !self.is_place[i as usize] {
                    out.push(i);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Builds the year index now (it is otherwise built by the first window asked for).
    pub fn prepare_windows(&self) {
        self.years();
    }

    /// Takes in one change from the catalog.
    pub fn change(&mut self, change: &Change, catalog: &Catalog) {
        self.change_with(change, catalog);
    }

    /// Takes in one change, with the kinds of actors as the catalog had them then.
    pub(crate) fn change_with(&mut self, change: &Change, kinds: &impl ActorKinds) {
        if let Some(old) = &change.before {
            if let Some(c) = self.contributions.remove(old.position) {
                self.add(c, -1);
                self.add_to_years(old.position, c, -1);
            }
        }
        if let Some(new) = &change.after {
            let c = self.contribution(new, kinds);
            self.add(c, 1);
            self.add_to_years(new.position, c, 1);
            self.contributions.insert(new.position, c);
        }
    }

    fn contribution(&mut self, r: &Resolved, kinds: &impl ActorKinds) -> Contribution {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        for a in r.event.participant_ids() {
            let i = self.intern(a, kinds);
            if !self.is_place[i as usize] {
                scratch.push(i);
            }
        }
        // An event has a handful of actors: an insertion sort is the fastest there, and small
        // code (the standard sort would be one more copy of itself in the browser bundle).
        for i in 1..scratch.len() {
            let mut j = i;
            while j > 0 && scratch[j - 1] > scratch[j] {
                scratch.swap(j - 1, j);
                j -= 1;
            }
        }
        scratch.dedup();
        let offset = self.arena.len() as u32;
        self.arena.extend_from_slice(&scratch);
        let len = scratch.len() as u32;
        self.scratch = scratch;
        Contribution { kind: r.kind, start: r.event.occurred.first_day(), offset, len }
    }

    fn add(&mut self, c: Contribution, delta: i32) {
        let k = c.kind;
        let (lo, hi) = (c.offset as usize, (c.offset + c.len) as usize);
        for i in lo..hi {
            let a = self.arena[i];
            self.activity[a as usize] = self.activity[a as usize].saturating_add_signed(delta);
            if self.deferred {
                continue;
            }
            for j in i + 1..hi {
                let b = self.arena[j];
                let e = self.edges.entry((a, b)).or_default();
                e[k] = e[k].saturating_add_signed(delta);
                if delta < 0 && e.iter().all(|n| *n == 0) {
                    self.edges.remove(&(a, b));
                }
            }
        }
    }

    /// Keeps the year index current, once it is built.
    fn add_to_years(&mut self, position: u64, c: Contribution, delta: i32) {
        if let Some(years) = self.years.get_mut() {
            let actors = &self.arena[c.offset as usize..(c.offset + c.len) as usize];
            years.add(position, &c, actors, delta);
        }
    }

    /// The year index, built from the contributions on first use.
    fn years(&self) -> &Years {
        self.years.get_or_init(|| {
            let mut years = Years::default();
            for (position, c) in self.contributions.iter() {
                years.add(position, c, self.actors(c), 1);
            }
            years
        })
    }

    /// Activity and edges of the events that begin within `from..=to` (days): whole years
    /// from the year index, the years the window cuts event by event.
    fn window(&self, from: i64, to: i64) -> (Vec<u32>, Edges) {
        let mut activity = vec![0u32; self.names.len()];
        let mut edges = Edges::default();
        for year in self.years().by_year.values() {
            let (first, last) = year.days;
            if last < from || first > to {
                continue;
            }
            if from <= first && last <= to {
                for (&a, &n) in &year.activity {
                    activity[a as usize] += n;
                }
                for (&pair, by_kind) in &year.edges {
                    let e = edges.entry(pair).or_default();
                    for (kind, n) in by_kind.kinds() {
                        e[kind] += *n;
                    }
                }
                continue;
            }
            for c in &year.events {
                if c.start >= from && c.start <= to {
                    let actors = &year.actors[c.offset as usize..(c.offset + c.len) as usize];
                    for (i, &a) in actors.iter().enumerate() {
                        activity[a as usize] += 1;
                        for &b in &actors[i + 1..] {
                            edges.entry((a, b)).or_default()[c.kind] += 1;
                        }
                    }
                }
            }
        }
        edges.retain(|_, by_kind| by_kind.iter().any(|n| *n > 0));
        (activity, edges)
    }

    /// The graph for a query, nodes and edges in a deterministic order.
    pub fn view(&self, query: &GraphQuery, catalog: &Catalog) -> GraphView {
        let (activity, edges) = match query.window {
            None => (self.activity.clone(), self.edges.clone()),
            Some((from, to)) => self.window(from, to),
        };
        self.view_of(&activity, &edges, query.ego.as_ref(), catalog)
    }

    /// The graph of these activity counts (by actor number) and edges, nodes and edges in a
    /// deterministic order: what [`RelationGraph::view`] shows, from counts made elsewhere
    /// (the history's, as of a log position).
    pub(crate) fn view_of(
        &self,
        activity: &[u32],
        edges: &Edges,
        ego: Option<&ActorId>,
        catalog: &Catalog,
    ) -> GraphView {
        let activity = |i: u32| activity.get(i as usize).copied().unwrap_or(0);
        let ego = ego.and_then(|e| self.index.get(e).copied());
        let keep_node = |i: u32| -> bool {
            match ego {
                None => activity(i) > 0,
                Some(e) => i == e || edges.contains_key(&(i.min(e), i.max(e))),
            }
        };
        let mut nodes: Vec<Node> = (0..self.names.len() as u32)
            .filter(|i| keep_node(*i))
            .map(|i| {
                let id = &self.names[i as usize];
                let reg = catalog.actor(id.as_str());
                Node {
                    id: id.clone(),
                    label: catalog.actor_name(id.as_str()).to_owned(),
                    kind: reg.map(|a| a.kind),
                    activity: activity(i),
                }
            })
            .collect();
        crate::order::sort_by(&mut nodes, |a, b| a.id.cmp(&b.id));
        let mut list: Vec<Edge> = edges
            .iter()
            .filter(|((a, b), _)| keep_node(*a) && keep_node(*b))
            .map(|((a, b), by_kind)| {
                let (x, y) = (&self.names[*a as usize], &self.names[*b as usize]);
                let (a, b) = if x <= y { (x.clone(), y.clone()) } else { (y.clone(), x.clone()) };
                Edge { a, b, by_kind: *by_kind }
            })
            .collect();
        crate::order::sort_by(&mut list, |p, q| (&p.a, &p.b).cmp(&(&q.a, &q.b)));
        GraphView { nodes, edges: list }
    }
}

/// Positions of a graph's nodes in the square −1..=1, in the order of `view.nodes`.
///
/// A Fruchterman–Reingold simulation with a fixed number of steps and a cooling schedule.
/// Deterministic: the same view gives bit-identical positions on every platform.
pub fn layout(view: &GraphView, iterations: u32) -> Vec<(f64, f64)> {
    layout_in(view, iterations, 1.0)
}

/// Positions of a graph's nodes in a box `aspect` times as wide as it is high: x in
/// −aspect..=aspect, y in −1..=1, in the order of `view.nodes`; the drawing touches the box on
/// at least one axis and keeps its own proportions.
///
/// *Why a box:* a force layout settles into a round cloud, and a round cloud in a wide canvas
/// leaves its sides empty (stretching it afterwards distorts distances and squeezes labels,
/// which run sideways). Here the nodes start spread over the box, the ideal edge length is
/// that of the box's area, and the pull towards the centre is weaker sideways, so the cloud
/// settles into the box's shape. `aspect` is clamped to 1/4..=4; 1 is [`layout`].
/// Deterministic like [`layout`]: the same view and aspect give bit-identical positions.
pub fn layout_in(view: &GraphView, iterations: u32, aspect: f64) -> Vec<(f64, f64)> {
    let n = view.nodes.len();
    if n == 0 {
        return Vec::new();
    }
    if n == 1 {
        return vec![(0.0, 0.0)];
    }
    let aspect = if aspect.is_finite() { aspect.clamp(0.25, 4.0) } else { 1.0 };
    let index: BTreeMap<&str, usize> = view.nodes.iter().enumerate().map(|(i, node)| (node.id.as_str(), i)).collect();
    let mut pos: Vec<(f64, f64)> = view
        .nodes
        .iter()
        .map(|node| {
            let (x, y) = seed_position(node.id.as_str());
            (x * aspect, y)
        })
        .collect();
    let edges: Vec<(usize, usize, f64)> = view
        .edges
        .iter()
        .filter_map(|e| Some((*index.get(e.a.as_str())?, *index.get(e.b.as_str())?, f64::from(e.weight()))))
        .collect();
    // Ideal edge length: twice the side of a node's share of the 2·aspect × 2 box. Long
    // edges and a strong pull to the centre spread a dense core over the box while keeping
    // loose nodes in it: with short edges and a weak pull, a busy core stayed a clump and a
    // few unconnected actors, far out, decided the drawing's extent.
    let k = 2.0 * (4.0 * aspect / n as f64).sqrt();
    // Gravity per axis: the pull along x is weaker by aspect^¾ (by square roots, which are
    // exact), so the cloud settles about as much wider as the box.
    let (gx, gy) = (4.0 / (aspect.sqrt() * aspect.sqrt().sqrt()), 4.0);
    let mut temperature = 0.2 * aspect.max(1.0);
    let cooling = temperature / f64::from(iterations.max(1) + 1);
    let mut disp = vec![(0.0f64, 0.0f64); n];
    for _ in 0..iterations {
        disp.iter_mut().for_each(|d| *d = (0.0, 0.0));
        for i in 0..n {
            for j in i + 1..n {
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d2 = (dx * dx + dy * dy).max(1e-6);
                let f = k * k / d2; // repulsion k²/d, along the unit vector (dx/d)
                disp[i].0 += dx * f;
                disp[i].1 += dy * f;
                disp[j].0 -= dx * f;
                disp[j].1 -= dy * f;
            }
        }
        for &(a, b, w) in &edges {
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let d = (dx * dx + dy * dy).sqrt().max(1e-3);
            let f = d / k * (1.0 + 0.35 * w.ln_1p()); // attraction d²/k, a little stronger for busier edges
            disp[a].0 -= dx * f;
            disp[a].1 -= dy * f;
            disp[b].0 += dx * f;
            disp[b].1 += dy * f;
        }
        for i in 0..n {
            // Gravity keeps disconnected parts on the canvas.
            disp[i].0 -= pos[i].0 * gx;
            disp[i].1 -= pos[i].1 * gy;
            let len = (disp[i].0 * disp[i].0 + disp[i].1 * disp[i].1).sqrt();
            if len > 0.0 {
                let step = len.min(temperature) / len;
                // No walls: nodes pressed against a border pile up on it. Gravity keeps
                // the drawing compact and `normalise` fits it to the box at the end.
                pos[i].0 += disp[i].0 * step;
                pos[i].1 += disp[i].1 * step;
            }
        }
        temperature -= cooling;
    }
    normalise(&mut pos, aspect);
    pos
}

/// Scales positions to fit −aspect..=aspect × −1..=1, centred, keeping their proportions.
fn normalise(pos: &mut [(f64, f64)], aspect: f64) {
    let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in pos.iter() {
        min_x = min_x.min(p.0);
        max_x = max_x.max(p.0);
        min_y = min_y.min(p.1);
        max_y = max_y.max(p.1);
    }
    let span = ((max_x - min_x) / aspect).max(max_y - min_y);
    if span <= 0.0 {
        return;
    }
    let (cx, cy) = ((min_x + max_x) / 2.0, (min_y + max_y) / 2.0);
    for p in pos.iter_mut() {
        p.0 = (p.0 - cx) * 2.0 / span;
        p.1 = (p.1 - cy) * 2.0 / span;
    }
}

/// A starting position from a 64-bit FNV-1a hash of the id.
fn seed_position(id: &str) -> (f64, f64) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let x = (h >> 32) as f64 / f64::from(u32::MAX) * 2.0 - 1.0;
    let y = (h & 0xffff_ffff) as f64 / f64::from(u32::MAX) * 2.0 - 1.0;
    (x * 0.9, y * 0.9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::PerKind;

    /// A bulk fold leaves the year index to be built; `prepare_reads` builds it (a service
    /// calls it after its fold, so the first window does not pay), and later changes keep it
    /// current, as a window of the walked contributions shows.
    #[test]
    fn the_year_index_is_built_by_prepare_reads_and_kept_current() {
        use crate::synth::{synthetic_log, SynthOptions};
        let log = synthetic_log(SynthOptions { events: 3_000, ..SynthOptions::default() });
        let (head, tail) = log.split_at(2_000);
        let mut p = crate::projection::Projections::default();
        p.extend(head);
        assert!(p.graph.years.get().is_none(), "not built by the fold");
        p.prepare_reads();
        assert!(p.graph.years.get().is_some(), "built by prepare_reads");
        for env in tail {
            p.apply(env);
        }
        let (from, to) = (days_from_civil(1960, 3, 1), days_from_civil(1990, 6, 30));
        assert_eq!(p.graph.window(from, to), window_by_walking(&p.graph, from, to));
    }

    /// `has_actors` says what the map's all-time view says: nodes, or none.
    #[test]
    fn has_actors_is_whether_the_all_time_graph_has_nodes() {
        use crate::synth::{synthetic_log, SynthOptions};
        let mut p = crate::projection::Projections::default();
        assert!(!p.graph.has_actors());
        p.extend(&synthetic_log(SynthOptions { events: 200, ..SynthOptions::default() }));
        assert!(p.graph.has_actors());
        assert_eq!(p.graph.has_actors(), !p.graph_view(&GraphQuery::default()).nodes.is_empty());
    }

    /// A graph of `n` actors: a chain, with every fifth actor also meeting the first.
    fn chain(n: usize) -> GraphView {
        let id = |i: usize| ActorId::from(format!("actor-{i:03}"));
        let nodes = (0..n).map(|i| Node { id: id(i), label: format!("Actor {i}"), kind: None, activity: 1 }).collect();
        let mut edges = Vec::new();
        for i in 1..n {
            let mut by_kind = PerKind::<u32>::default();
            by_kind[EventKind::Call] = 1;
            edges.push(Edge { a: id(i - 1), b: id(i), by_kind });
            if i % 5 == 0 {
                edges.push(Edge { a: id(0), b: id(i), by_kind });
            }
        }
        GraphView { nodes, edges }
    }

    fn extent(pos: &[(f64, f64)]) -> (f64, f64) {
        let span = |f: fn(&(f64, f64)) -> f64| {
            let (lo, hi) = pos.iter().map(f).fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
            hi - lo
        };
        (span(|p| p.0), span(|p| p.1))
    }

    /// Activity and edges of a window, walking every contribution (what `window` did before
    /// the year index), to check the index against.
    fn window_by_walking(g: &RelationGraph, from: i64, to: i64) -> (Vec<u32>, Edges) {
        let mut activity = vec![0u32; g.names.len()];
        let mut edges = Edges::default();
        for c in g.contributions.values().filter(|c| c.start >= from && c.start <= to) {
            let actors = g.actors(c);
            for (i, &a) in actors.iter().enumerate() {
                activity[a as usize] += 1;
                for &b in &actors[i + 1..] {
                    edges.entry((a, b)).or_default()[c.kind] += 1;
                }
            }
        }
        (activity, edges)
    }

    #[test]
    fn windows_from_the_year_index_are_the_windows_walked() {
        use crate::projection::{AsOf, Projections};
        use crate::synth::{synthetic_log, SplitMix, SynthOptions};
        let log = synthetic_log(SynthOptions { events: 6_000, seed: 7, ..SynthOptions::default() });
        let (head, tail) = log.split_at(log.len() * 2 / 3);
        // Folded in bulk, then asked (the index is built), then the rest one by one (the
        // index follows each change: corrections, retractions and new events).
        let mut p = Projections::fold(head, AsOf::NOW);
        let mut rng = SplitMix::new(3);
        let day = |y: i64, m: u8, d: u8| days_from_civil(y, m, d);
        let windows = |rng: &mut SplitMix| {
            let mut w = vec![
                (i64::MIN, day(1990, 12, 31)),
                (i64::MIN / 2, day(2000, 3, 9)),
                (day(1960, 1, 1), day(1969, 12, 31)),
                (day(1975, 6, 15), day(1975, 6, 15)),
                (day(1800, 1, 1), day(1900, 1, 1)),
                (i64::MIN, i64::MAX),
            ];
            for _ in 0..20 {
                let a = day(1945, 1, 1) + rng.below(30_000) as i64;
                w.push((a, a + rng.below(4_000) as i64));
            }
            w
        };
        for (from, to) in windows(&mut rng) {
            assert_eq!(p.graph.window(from, to), window_by_walking(&p.graph, from, to), "{from}..={to}");
        }
        for env in tail {
            p.apply(env);
        }
        for (from, to) in windows(&mut rng) {
            assert_eq!(p.graph.window(from, to), window_by_walking(&p.graph, from, to), "{from}..={to} after changes");
        }
        let again = Projections::fold(&log, AsOf::NOW);
        let query = GraphQuery { window: Some((day(1970, 2, 1), day(2001, 8, 31))), ego: None };
        assert_eq!(p.graph_view(&query), again.graph_view(&query), "kept current = folded anew");
    }

    #[test]
    fn a_square_box_is_the_plain_layout() {
        let view = chain(30);
        assert_eq!(layout_in(&view, 200, 1.0), layout(&view, 200));
    }

    #[test]
    fn a_wide_box_gets_a_wide_drawing_that_fits_it() {
        let view = chain(40);
        let (w, h) = extent(&layout(&view, 300));
        assert!(w / h < 1.4, "the plain layout is roundish: {w} × {h}");
        for aspect in [2.3, 1.6] {
            let pos = layout_in(&view, 300, aspect);
            assert_eq!(pos, layout_in(&view, 300, aspect), "deterministic");
            let (w, h) = extent(&pos);
            assert!(w / h > aspect * 0.7, "aspect {aspect}: the drawing is {w} × {h}");
            assert!(pos.iter().all(|(x, y)| x.abs() <= aspect + 1e-9 && y.abs() <= 1.0 + 1e-9), "{pos:?}");
            assert!((w - 2.0 * aspect).abs() < 1e-9 || (h - 2.0).abs() < 1e-9, "it touches the box: {w} × {h}");
        }
    }

    #[test]
    fn a_tall_or_silly_box_is_clamped() {
        let view = chain(12);
        let pos = layout_in(&view, 100, f64::NAN);
        assert_eq!(pos, layout(&view, 100));
        let pos = layout_in(&view, 100, 100.0);
        assert!(pos.iter().all(|(x, y)| x.abs() <= 4.0 + 1e-9 && y.abs() <= 1.0 + 1e-9));
    }
}
