//! `cargo xtask cycles`: no import circles between the modules of a crate.
//!
//! A circle (module `a` uses `b`, which uses … which uses `a`) means none of those modules can
//! be read, tested or moved without the others: the layering the code map in `ARCHITECTURE.md`
//! promises is gone, and it rots silently because the compiler accepts it. This check makes it
//! a failure with a sentence a person can act on.
//!
//! *The graph.* For every crate of the workspace (the `members` of the root `Cargo.toml`, so a
//! new crate is covered without editing this file), one node per module *file* under `src/`
//! (`lib.rs`, `a.rs`, `a/mod.rs`, `a/b.rs`; inline modules such as `mod tests { … }` belong to
//! their file). An edge `a → b` when `a` names `b` or an item defined in `b`: in `use` items
//! (`crate::…`, `super::…`, `self::…`, or a child module by its bare name, with `{…}` groups over
//! several lines) and in paths anywhere in the code (`crate::b::f()`, `<crate::b::Widget />`).
//! A path through a re-export is followed to the module that defines the item. Declaring a
//! child (`mod b;`) makes no edge; neither do comments (doc links included), strings and
//! `$crate` in macros.
//!
//! *What is a circle.* A module and what is inside it may use each other: a child lives in its
//! parent's namespace and sees its private items, and a parent re-exports or picks among its
//! children (`store/mod.rs` opening `store/sqlite.rs`, which implements `store`'s trait). What
//! must not happen is siblings using each other: at every level (the crate root, then each
//! module), each child stands for everything inside it, and the children must not form a
//! circle. So `timeline` using `embed::InEmbed` while `embed/widget` uses `timeline` is a
//! circle between `timeline` and `embed`, reported with the file behind each step:
//! `embed → timeline → embed (embed/widget uses timeline; timeline uses embed)`.
//!
//! *Why hand-written.* xtask uses only the standard library so that it builds in seconds
//! (see `main.rs`); a parser for `use` trees and paths is a small tokenizer, and a full Rust
//! parser would not resolve the paths anyway. The strongly connected components come from
//! Tarjan's algorithm; each one with more than one module is reported as one closed walk
//! through all of its modules, every arrow a real use.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::Path;

use crate::cmd::{find_files, Result, Workspace};

/// `cargo xtask cycles`: every crate of the workspace; fails listing every circle.
pub fn check(ws: &Workspace) -> Result {
    let manifest = ws.read("Cargo.toml")?;
    let mut found = Vec::new();
    let mut modules = 0;
    for member in members(&manifest) {
        let src = ws.file(&format!("{member}/src"));
        if !src.is_dir() {
            continue;
        }
        let files = read_tree(&src)?;
        modules += files.len();
        found.extend(circles(&files).into_iter().map(|circle| format!("{member}/src: {circle}")));
    }
    if found.is_empty() {
        println!("no import circles ({modules} module files)");
        return Ok(());
    }
    for line in &found {
        println!("{line}");
    }
    Err(format!("{} import circle(s) between modules (listed above)", found.len()))
}

/// The `members` of the workspace manifest, in order.
pub fn members(manifest: &str) -> Vec<String> {
    let uncommented: String =
        manifest.lines().map(|line| line.split('#').next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let Some(start) = uncommented.lines().position(|line| line.trim_start().starts_with("members")) else {
        return Vec::new();
    };
    let rest = uncommented.lines().skip(start).collect::<Vec<_>>().join("\n");
    let list = rest.split_once('[').and_then(|(_, after)| after.split_once(']')).map_or("", |(list, _)| list);
    list.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

/// The module files of one `src/` as (path relative to `src/` with `/`, text).
fn read_tree(src: &Path) -> Result<Vec<(String, String)>> {
    let is_rust = |path: &Path| path.extension().is_some_and(|ext| ext == "rs");
    find_files(src, &is_rust)
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let relative = path.strip_prefix(src).unwrap_or(&path);
            let parts: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            Ok((parts.join("/"), text))
        })
        .collect()
}

/// A module's path from the crate root (`[]` is the root).
type ModPath = Vec<String>;

/// The module path of a file relative to `src/`, or `None` for a file of another crate
/// target (`bin/…`, or `main.rs` beside a `lib.rs`).
fn module_of(file: &str, has_lib: bool) -> Option<ModPath> {
    let stem = file.strip_suffix(".rs")?;
    let mut parts: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if parts.first().is_some_and(|p| p == "bin") || (has_lib && stem == "main") {
        return None;
    }
    if parts.len() == 1 && (stem == "lib" || stem == "main") {
        return Some(Vec::new());
    }
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    Some(parts)
}

/// How a module is named in a report: `embed/widget`, or `lib` / `main` for the crate root.
fn display(module: &ModPath, root: &str) -> String {
    if module.is_empty() {
        root.to_owned()
    } else {
        module.join("/")
    }
}

/// Every import circle in one crate's `src/` (files as [`read_tree`] gives them), in words:
/// a closed walk between sibling modules, then the file that makes each step, e.g.
/// `store → cli → store (store uses cli; cli/records uses store)`.
pub fn circles(files: &[(String, String)]) -> Vec<String> {
    let has_lib = files.iter().any(|(name, _)| name == "lib.rs");
    let root = if has_lib { "lib" } else { "main" };
    let sources: BTreeMap<ModPath, &str> =
        files.iter().filter_map(|(name, text)| Some((module_of(name, has_lib)?, text.as_str()))).collect();
    let known: BTreeSet<ModPath> = sources.keys().cloned().collect();
    let parsed: BTreeMap<ModPath, Parsed> =
        sources.iter().map(|(module, text)| (module.clone(), parse(module, text, &known))).collect();
    let mut uses: BTreeSet<(ModPath, ModPath)> = BTreeSet::new();
    for (from, module) in &parsed {
        for path in &module.paths {
            if let Some(to) = target(&parsed, path, 0) {
                if &to != from {
                    uses.insert((from.clone(), to));
                }
            }
        }
    }
    // Every module (and the root) is a level: its children, each standing for everything
    // inside it, must not use each other in a circle.
    let levels: BTreeSet<ModPath> = known.iter().flat_map(|m| (0..m.len()).map(|k| m[..k].to_vec())).collect();
    let mut found = Vec::new();
    for level in &levels {
        let lift = |module: &ModPath| -> Option<ModPath> {
            (module.len() > level.len() && module.starts_with(level)).then(|| module[..=level.len()].to_vec())
        };
        let mut witness: BTreeMap<(ModPath, ModPath), (ModPath, ModPath)> = BTreeMap::new();
        for (from, to) in &uses {
            if let (Some(a), Some(b)) = (lift(from), lift(to)) {
                if a != b {
                    witness.entry((a, b)).or_insert_with(|| (from.clone(), to.clone()));
                }
            }
        }
        let nodes: Vec<ModPath> =
            witness.keys().flat_map(|(a, b)| [a.clone(), b.clone()]).collect::<BTreeSet<_>>().into_iter().collect();
        let index: HashMap<&ModPath, usize> = nodes.iter().enumerate().map(|(i, m)| (m, i)).collect();
        let mut edges: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); nodes.len()];
        for (a, b) in witness.keys() {
            edges[index[a]].insert(index[b]);
        }
        for component in strongly_connected(&edges).into_iter().filter(|c| c.len() > 1) {
            let steps = walk(&edges, &component);
            let name = |i: usize| display(&nodes[i], root);
            let because: Vec<String> = steps
                .windows(2)
                .map(|pair| {
                    let (file, used) = &witness[&(nodes[pair[0]].clone(), nodes[pair[1]].clone())];
                    format!("{} uses {}", display(file, root), display(used, root))
                })
                .collect();
            let walk: Vec<String> = steps.iter().map(|&i| name(i)).collect();
            found.push(format!("{} ({})", walk.join(" → "), because.join("; ")));
        }
    }
    found
}

/// What one module file says about its uses.
#[derive(Debug, Default)]
struct Parsed {
    /// Every local path the file names, from the crate root (external crates left out).
    paths: Vec<ModPath>,
    /// Names its top level brings in with `use` (alias or last segment) → where from.
    imports: HashMap<String, ModPath>,
    /// Modules its top level glob-imports (`use a::*`).
    globs: Vec<ModPath>,
    /// Names its top level defines (functions, types, inline modules, …).
    defined: BTreeSet<String>,
}

/// The module file a path from the crate root lands in, following re-exports to the module
/// that defines the item. `None` for a path that leaves the crate (a re-exported external).
fn target(parsed: &BTreeMap<ModPath, Parsed>, path: &[String], depth: usize) -> Option<ModPath> {
    let k = (0..=path.len()).rev().find(|&k| parsed.contains_key(&path[..k]))?;
    let module = &path[..k];
    let Some(name) = path.get(k) else { return Some(module.to_vec()) };
    let here = &parsed[module];
    if here.defined.contains(name) || depth > 16 {
        return Some(module.to_vec());
    }
    if let Some(from) = here.imports.get(name) {
        let mut through = from.clone();
        through.extend_from_slice(&path[k + 1..]);
        return target(parsed, &through, depth + 1);
    }
    for glob in &here.globs {
        let defines = parsed.get(glob).is_some_and(|m| m.defined.contains(name) || m.imports.contains_key(name));
        if defines {
            let mut through = glob.clone();
            through.extend_from_slice(&path[k..]);
            return target(parsed, &through, depth + 1);
        }
    }
    Some(module.to_vec())
}

/// A token of Rust source, as much as this check needs.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    PathSep,
    Open,
    Close,
    Semi,
    Comma,
    Star,
    Other(char),
}

/// The tokens of `text`, without comments, strings, character literals and lifetimes.
fn tokens(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            '"' => i = skip_string(&chars, i + 1, 0),
            '\'' => {
                if at(i + 1) == '\\' {
                    i += 3;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1; // a lifetime or a label
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let raw = matches!(word.as_str(), "r" | "br" | "cr");
                if matches!(word.as_str(), "b" | "c" | "r" | "br" | "cr") && at(i) == '"' {
                    i = skip_string(&chars, i + 1, usize::from(raw) * usize::MAX);
                } else if raw && at(i) == '#' {
                    let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
                    if at(i + hashes) == '"' {
                        i = skip_string(&chars, i + hashes + 1, hashes);
                    } else if word == "r" {
                        i += 1; // a raw identifier: `r#type` is the word `type`
                    }
                } else {
                    out.push(Tok::Ident(word));
                }
            }
            c if c.is_ascii_digit() => {
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
            }
            c if c.is_whitespace() => i += 1,
            ':' if at(i + 1) == ':' => {
                out.push(Tok::PathSep);
                i += 2;
            }
            _ => {
                out.push(match c {
                    '{' => Tok::Open,
                    '}' => Tok::Close,
                    ';' => Tok::Semi,
                    ',' => Tok::Comma,
                    '*' => Tok::Star,
                    other => Tok::Other(other),
                });
                i += 1;
            }
        }
    }
    out
}

/// The index after a string literal whose body starts at `i`. `hashes` is the number of `#`
/// of a raw string, `usize::MAX` for a raw string without any, 0 for an ordinary string
/// (which has escapes).
fn skip_string(chars: &[char], mut i: usize, hashes: usize) -> usize {
    let raw = hashes != 0;
    let hashes = if hashes == usize::MAX { 0 } else { hashes };
    while i < chars.len() {
        match chars[i] {
            '\\' if !raw => i += 2,
            '"' if chars[i + 1..].iter().take(hashes).filter(|&&c| c == '#').count() == hashes => {
                return i + 1 + hashes;
            }
            _ => i += 1,
        }
    }
    i
}

/// Reads one module file: the paths it names, what it imports and defines.
fn parse(file_module: &ModPath, text: &str, known: &BTreeSet<ModPath>) -> Parsed {
    let toks = tokens(text);
    let word = |i: usize| match toks.get(i) {
        Some(Tok::Ident(w)) => Some(w.as_str()),
        _ => None,
    };
    let mut parsed = Parsed::default();
    // Inline modules open at this point, with the brace depth of their body.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < toks.len() {
        let mut context = file_module.clone();
        context.extend(inline.iter().map(|(name, _)| name.clone()));
        let top = inline.is_empty() && depth == 0;
        match &toks[i] {
            Tok::Open => depth += 1,
            Tok::Close => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Ident(w) if w == "use" => {
                let mut uses = Vec::new();
                i = use_item(&toks, i + 1, &mut uses);
                for (path, alias) in uses {
                    let Some(absolute) = resolve(&context, &path, known) else { continue };
                    if top {
                        match alias.as_deref() {
                            Some("*") => parsed.globs.push(absolute.clone()),
                            Some("_") => {}
                            Some(name) => {
                                parsed.imports.insert(name.to_owned(), absolute.clone());
                            }
                            None => {}
                        }
                    }
                    parsed.paths.push(absolute);
                }
                continue;
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some(name), Some(Tok::Open)) = (word(i + 1), toks.get(i + 2)) {
                    if top {
                        parsed.defined.insert(name.to_owned());
                    }
                    depth += 1;
                    inline.push((name.to_owned(), depth));
                    i += 3;
                    continue;
                }
            }
            Tok::Ident(w)
                if matches!(w.as_str(), "fn" | "struct" | "enum" | "trait" | "type" | "const" | "static" | "union") =>
            {
                if let (true, Some(name)) = (top, word(i + 1)) {
                    parsed.defined.insert(name.to_owned());
                }
            }
            Tok::Ident(first) if toks.get(i + 1) == Some(&Tok::PathSep) => {
                let after_path = i > 0 && matches!(toks[i - 1], Tok::PathSep | Tok::Other('$'));
                let mut path = vec![first.clone()];
                let mut j = i + 1;
                while toks.get(j) == Some(&Tok::PathSep) {
                    let Some(next) = word(j + 1) else { break };
                    path.push(next.to_owned());
                    j += 2;
                }
                if !after_path {
                    if let Some(absolute) = resolve(&context, &path, known) {
                        parsed.paths.push(absolute);
                    }
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parsed
}

/// Reads a `use` item from `i` (after `use`, up to and including `;`) into full paths, each
/// with the name it brings in (`*` for a glob). Returns the index after the item.
fn use_item(toks: &[Tok], i: usize, out: &mut Vec<(Vec<String>, Option<String>)>) -> usize {
    let mut i = use_tree(toks, i, &mut Vec::new(), out);
    while !matches!(toks.get(i), Some(Tok::Semi) | None) {
        i += 1;
    }
    i + 1
}

/// Reads one use tree from `i` under `prefix`; returns the index after it.
fn use_tree(
    toks: &[Tok],
    mut i: usize,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>)>,
) -> usize {
    let depth = prefix.len();
    if toks.get(i) == Some(&Tok::PathSep) {
        i += 1; // `use ::name` names an external crate; `resolve` leaves it out
        prefix.push("::".to_owned());
    }
    loop {
        match toks.get(i) {
            Some(Tok::Ident(w)) => {
                let w = w.clone();
                i += 1;
                if toks.get(i) == Some(&Tok::PathSep) {
                    prefix.push(w);
                    i += 1;
                    continue;
                }
                let (path, name) = if w == "self" {
                    (prefix.clone(), prefix.last().cloned())
                } else {
                    let mut path = prefix.clone();
                    path.push(w.clone());
                    (path, Some(w))
                };
                let name = if toks.get(i) == Some(&Tok::Ident("as".to_owned())) {
                    i += 2;
                    match toks.get(i - 1) {
                        Some(Tok::Ident(alias)) => Some(alias.clone()),
                        _ => name,
                    }
                } else {
                    name
                };
                out.push((path, name));
            }
            Some(Tok::Star) => {
                out.push((prefix.clone(), Some("*".to_owned())));
                i += 1;
            }
            Some(Tok::Open) => {
                i += 1;
                while !matches!(toks.get(i), Some(Tok::Close) | None) {
                    i = use_tree(toks, i, prefix, out);
                    if toks.get(i) == Some(&Tok::Comma) {
                        i += 1;
                    }
                }
                i += 1;
            }
            _ => {}
        }
        break;
    }
    prefix.truncate(depth);
    i
}

/// A path as written in module `context`, from the crate root; `None` when it does not start
/// in this crate (another crate, a local type such as `Kind::A`, `::name`).
fn resolve(context: &ModPath, path: &[String], known: &BTreeSet<ModPath>) -> Option<ModPath> {
    let first = path.first()?;
    let (mut base, rest) = match first.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (context.clone(), &path[1..]),
        "super" => (context.clone(), path),
        _ => {
            let mut child = context.clone();
            child.push(first.clone());
            if !known.contains(&child) {
                return None;
            }
            (context.clone(), path)
        }
    };
    let mut rest = rest;
    while let Some((head, tail)) = rest.split_first() {
        if head != "super" {
            break;
        }
        base.pop()?;
        rest = tail;
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// The strongly connected components of a graph (Tarjan's algorithm), each sorted.
fn strongly_connected(edges: &[BTreeSet<usize>]) -> Vec<Vec<usize>> {
    struct Search<'a> {
        edges: &'a [BTreeSet<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        found: Vec<Vec<usize>>,
    }
    impl Search<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.next);
            self.low[v] = self.next;
            self.next += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in self.edges[v].iter() {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(index) if self.on_stack[w] => self.low[v] = self.low[v].min(index),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                self.found.push(component);
            }
        }
    }
    let n = edges.len();
    let mut search = Search {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in 0..n {
        if search.index[v].is_none() {
            search.visit(v);
        }
    }
    search.found.sort();
    search.found
}

/// A closed walk through every node of a strongly connected `component`, along its edges:
/// from the first node to the nearest one not yet passed, and so on, then back.
fn walk(edges: &[BTreeSet<usize>], component: &[usize]) -> Vec<usize> {
    let inside: BTreeSet<usize> = component.iter().copied().collect();
    let start = component[0];
    let mut walk = vec![start];
    let mut left: BTreeSet<usize> = inside.iter().copied().filter(|&v| v != start).collect();
    let mut at = start;
    loop {
        let goal = |v: usize| if left.is_empty() { v == start } else { left.contains(&v) };
        let Some(path) = shortest(edges, &inside, at, &goal) else { break };
        for &v in &path {
            left.remove(&v);
        }
        walk.extend(&path);
        at = *walk.last().unwrap_or(&start);
        if at == start {
            break;
        }
    }
    walk
}

/// The nodes after `from` on a shortest path inside `inside` to a node where `goal` holds.
fn shortest(
    edges: &[BTreeSet<usize>],
    inside: &BTreeSet<usize>,
    from: usize,
    goal: &dyn Fn(usize) -> bool,
) -> Option<Vec<usize>> {
    let mut came: HashMap<usize, usize> = HashMap::from([(from, from)]);
    let mut queue = VecDeque::from([from]);
    while let Some(v) = queue.pop_front() {
        for &w in &edges[v] {
            if !inside.contains(&w) || came.contains_key(&w) {
                continue;
            }
            came.insert(w, v);
            if goal(w) {
                let mut path = vec![w];
                let mut at = w;
                while let Some(&back) = came.get(&at) {
                    if back == from {
                        break;
                    }
                    path.push(back);
                    at = back;
                }
                path.reverse();
                return Some(path);
            }
            queue.push_back(w);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{circles, members, tokens, Tok};

    fn check(files: &[(&str, &str)]) -> Vec<String> {
        let files: Vec<(String, String)> = files.iter().map(|(n, t)| ((*n).to_owned(), (*t).to_owned())).collect();
        circles(&files)
    }

    #[test]
    fn reports_a_planted_circle_through_a_multi_line_group() {
        let found = check(&[
            ("lib.rs", "pub mod embed;\npub mod timeline;\nmod state;"),
            ("timeline.rs", "use crate::{\n    state,\n    embed::{self, InEmbed},\n};\npub fn draw() {}"),
            ("embed/mod.rs", "pub mod widget;\npub struct InEmbed;\nfn f() { widget::show(); }"),
            ("embed/widget.rs", "pub fn show() { crate::timeline::draw() }"),
            ("state.rs", "pub struct View;"),
        ]);
        // `embed/widget` stands for all of `embed` next to its sibling `timeline`.
        assert_eq!(found, ["embed → timeline → embed (embed/widget uses timeline; timeline uses embed)"]);
    }

    #[test]
    fn reports_every_circle_of_a_tree() {
        let found = check(&[
            ("main.rs", "mod a; mod b; mod c; mod d; mod x;"),
            ("a.rs", "use super::b::B;"),
            ("b.rs", "pub struct B; fn f() { super::a::g() }"),
            // `d` names `E` through `c`, but `E` is `d`'s own `D`: not a use of `c`.
            ("c.rs", "pub struct C;\npub use crate::d::D as E;"),
            ("d.rs", "pub struct D(crate::c::E);\nfn f() -> crate::c::C { todo!() }"),
            // Inside `x`: `x/p` and `x/q` in a circle; each also uses its parent `x`, which is
            // allowed (a module and what is inside it may use each other).
            ("x/mod.rs", "mod p; mod q; pub struct Shared; fn f() { p::g(); }"),
            ("x/p.rs", "use super::Shared; pub fn g() { super::q::h() }"),
            ("x/q.rs", "pub fn h() { let _ = super::Shared; super::p::g() }"),
        ]);
        assert_eq!(
            found,
            [
                "a → b → a (a uses b; b uses a)",
                "c → d → c (c uses d; d uses c)",
                "x/p → x/q → x/p (x/p uses x/q; x/q uses x/p)",
            ]
        );
    }

    #[test]
    fn finds_none_in_a_layered_tree() {
        let found = check(&[
            ("lib.rs", "pub mod store;\npub mod clock;\npub use store::Store;"),
            // A facade: the parent re-exports its children, the children use the parent's trait.
            ("store/mod.rs", "pub mod sqlite;\nmod api;\npub use api::Store;\npub use sqlite::Sqlite;"),
            ("store/api.rs", "pub trait Store {}\npub fn now() -> u64 { crate::clock::now() }"),
            (
                "store/sqlite.rs",
                "use super::Store;\npub struct Sqlite;\nimpl Store for Sqlite {}\n\
                 #[cfg(test)]\nmod tests {\n    use super::*;\n    use super::super::api;\n}",
            ),
            // Not code: a doc link, a comment, a string, `$crate` in a macro. Each would close a
            // circle with `store/api` if it were counted.
            (
                "clock.rs",
                "/// Read by [`crate::store::api`].\npub fn now() -> u64 { 0 } // not crate::store::api::now\n\
                 const S: &str = \"crate::store::api\";\nconst R: &str = r#\"crate::store::api\"#;\n\
                 macro_rules! m { () => { $crate::store::api::now() } }",
            ),
        ]);
        assert_eq!(found, Vec::<String>::new());
    }

    #[test]
    fn a_bin_beside_a_lib_is_another_crate() {
        let found = check(&[("lib.rs", "pub mod a;"), ("a.rs", ""), ("main.rs", "mod x; fn main() { crate::x::f() }")]);
        assert!(found.is_empty());
    }

    #[test]
    fn strings_chars_and_lifetimes_are_not_code() {
        let words = |text: &str| -> Vec<String> {
            tokens(text).into_iter().filter_map(|t| if let Tok::Ident(w) = t { Some(w) } else { None }).collect()
        };
        assert_eq!(words(r##"a r#"b " c"# d"##), ["a", "d"]);
        assert_eq!(words(r#"a "b \" c" d b"e" f"#), ["a", "d", "f"]);
        assert_eq!(
            words("fn f<'a>(x: &'a str) -> char { '\\'' } g 'x' h /* i /* j */ k */ l"),
            ["fn", "f", "a", "x", "a", "str", "char", "g", "h", "l"]
        );
    }

    #[test]
    fn reads_the_workspace_members() {
        let manifest = "[workspace]\nmembers = [\n  \"core\",\n  \"formats\", # new\n  \"frontend/open-worker\",\n]\nexclude = [\"fuzz\"]";
        assert_eq!(members(manifest), ["core", "formats", "frontend/open-worker"]);
    }
}
