//! HistoryAtState XML: visits of foreign leaders to the United States, and travels abroad of
//! US presidents and secretaries of state.
//!
//! The Office of the Historian of the US Department of State publishes both as XML (public
//! domain): `<visits><visit>` (`id`, `start-date`, `end-date`, `visitor`, `from@id`,
//! `description`) and `<trips><trip role who>` (`id`, `role`, `name`, `start-date`,
//! `end-date`, `country@id`, `locale`, `remarks`). Both become Visits:
//! - a visit: the foreign leader (a person of their country) visits the United States;
//! - a trip: the traveller (a person of the United States) visits the country, in the locale
//!   (a place).
//!
//! Decisions, and why:
//! - **Levels from free text.** A visit's `description` is typed by hand ("Offical Visit.",
//!   "Working visit.", "State Visit.", "Official Working Visit."). The word before "visit"
//!   decides the level, case and typos aside (`offical` is official); "Official Working Visit"
//!   is a working visit (the US protocol category of that name is a working visit with some
//!   ceremony). A leader who "attended" a summit is at the `multilateral` level. Anything else
//!   ("Abraham Accords Signing Ceremony.") gets no level: Annals does not guess, and the text
//!   itself is kept in `codes["historyatstate:description"]` either way.
//! - **People are split, not merged.** "King Abdullah and Crown Prince Hussein" are two
//!   visitors: the first is the Visit's `visitor`, the others take part as visitors. A title
//!   the Office prefixes ("Prime Minister", "King") becomes the person's `office`, so the same
//!   leader under one title is one actor.
//! - **Sources are the Office's own pages**, whose addresses follow from the data: a visit is
//!   listed on the page of its year (`/departmenthistory/visits/2020`), a trip on the
//!   traveller's page (`/departmenthistory/travels/secretary/clinton-hillary-rodham`).
//! - **Dates** are `xsd:date`; start and end make a range (one day when they agree).
//!   `created-datetime` is when the Office wrote the entry, not when the log learned it, and the
//!   always-empty `last-modified-datetime` is ignored.

use annals_core::problem::{Quoted, Said};
use annals_core::says;

use roxmltree::{Document, Node};

use crate::countries::slug;
use crate::import::Actors;
use annals_core::date::{Occurred, PartialDate};
use annals_core::envelope::Proposed;
use annals_core::event::{
    ActorKind, ActorRegistration, DomainEvent, Event, EventKind, Participant, Role, Source, VisitLevel,
};
use annals_core::format::{finish, Format, Loaded, Located, Parsed};
use annals_core::id::{check_actor_id, ActorId};
use annals_core::validate::Known;
use annals_core::Problem;

/// The publisher of both datasets.
const PUBLISHER: &str = "Office of the Historian, U.S. Department of State";
/// Where the Office publishes them.
const SITE: &str = "https://history.state.gov/departmenthistory";
/// The id of the United States: the host of every visit and the country of every traveller.
const UNITED_STATES: &str = "united-states";

/// Titles the Office prefixes to a leader's name, longest first so "Prime Minister" wins
/// over "Prime".
const TITLES: [&str; 24] = [
    "Interim President",
    "General Secretary",
    "Crown Prince",
    "Prime Minister",
    "Vice President",
    "Grand Duke",
    "Chancellor",
    "Chairman",
    "President",
    "Taoiseach",
    "Governor",
    "Premier",
    "Emperor",
    "Empress",
    "Sultan",
    "Sheikh",
    "Prince",
    "Queen",
    "King",
    "Emir",
    "Amir",
    "Pope",
    "Shah",
    "Sir",
];

/// Reads a HistoryAtState visits or trips file.
///
/// The file's name is not needed: every record cites the Office's page it is listed on.
pub fn read(bytes: &[u8], _name: &str, known: &dyn Known) -> Loaded {
    let mut parsed = Parsed::default();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            parsed.diagnostics.push(file_diag(
                None,
                says!("the file is not UTF-8 (invalid byte at offset {0}); expected UTF-8 XML", e.valid_up_to()),
            ));
            return finish(Format::HistoryAtState, parsed, known);
        }
    };
    let doc = match Document::parse(text) {
        Ok(d) => d,
        Err(e) => {
            parsed.diagnostics.push(file_diag(Some(e.pos().row as usize), says!("is not well-formed XML: {0}", e)));
            return finish(Format::HistoryAtState, parsed, known);
        }
    };
    let root = doc.root_element();
    let mut reader = Reader { doc: &doc, actors: Actors::default(), known, parsed: &mut parsed };
    match root.tag_name().name() {
        "visits" => reader.records(root, "visit", Reader::visit),
        "trips" => reader.records(root, "trip", Reader::trip),
        other => reader.parsed.diagnostics.push(file_diag(
            Some(line_of(&doc, root)),
            says!("the root element is <{0}>; expected <visits> or <trips> (HistoryAtState)", other),
        )),
    }
    finish(Format::HistoryAtState, parsed, known)
}

fn file_diag(line: Option<usize>, message: Said) -> Problem {
    Problem::about_file(message).at(line, None)
}

fn line_of(doc: &Document<'_>, node: Node<'_, '_>) -> usize {
    doc.text_pos_at(node.range().start).row as usize
}

/// The text of an element and its descendants (`<em>` included), whitespace collapsed.
fn text_of(node: Node<'_, '_>) -> String {
    let raw: String = node.descendants().filter(Node::is_text).filter_map(|n| n.text()).collect();
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first child element of that name.
fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

struct Reader<'d, 'i, 'p> {
    doc: &'d Document<'i>,
    actors: Actors,
    known: &'d dyn Known,
    parsed: &'p mut Parsed,
}

/// What one record's problems are collected in: (field, message).
type Problems = Vec<Problem>;

impl Reader<'_, '_, '_> {
    fn records<'a, 'i>(
        &mut self,
        root: Node<'a, 'i>,
        element: &str,
        read: fn(&mut Self, Node<'a, 'i>, usize, usize, &mut Problems) -> Option<Proposed>,
    ) {
        let mut record = 0;
        for node in root.children().filter(Node::is_element) {
            record += 1;
            let line = line_of(self.doc, node);
            let mut problems = Vec::new();
            let proposed = if node.tag_name().name() == element {
                read(self, node, line, record, &mut problems)
            } else {
                problems.push(Problem::new(
                    String::new(),
                    says!("found <{0}>; expected <{1}>", node.tag_name().name(), element),
                ));
                None
            };
            match proposed {
                Some(p) if problems.is_empty() => {
                    self.actors.flush(&mut self.parsed.records, Some(line), record);
                    self.parsed.records.push(Located { line: Some(line), record, proposed: p });
                }
                _ => {
                    self.parsed.undecodable += 1;
                    self.parsed.diagnostics.extend(problems.into_iter().map(|p| p.at(Some(line), Some(record))));
                }
            }
        }
    }

    /// A required element's text; a problem when missing or empty.
    fn required(node: Node<'_, '_>, name: &str, what: &str, problems: &mut Problems) -> Option<String> {
        match child(node, name).map(text_of) {
            Some(t) if !t.is_empty() => Some(t),
            Some(_) => {
                problems.push(Problem::new(name, says!("is empty; expected {0}", what)));
                None
            }
            None => {
                problems.push(Problem::new(name, says!("is missing; expected {0}", what)));
                None
            }
        }
    }

    /// `start-date` and `end-date` as a day or a range.
    fn dates(node: Node<'_, '_>, problems: &mut Problems) -> Option<Occurred> {
        let date = |name: &str, problems: &mut Problems| -> Option<PartialDate> {
            let t = Self::required(node, name, &says!("a date as YYYY-MM-DD").carried(), problems)?;
            match t.parse::<PartialDate>() {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(Problem::new(name, e.said()));
                    None
                }
            }
        };
        let start = date("start-date", problems);
        // A missing end date is a one-day event; a present one must be a date.
        let end = match child(node, "end-date").map(text_of) {
            Some(t) if !t.is_empty() => match t.parse::<PartialDate>() {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(Problem::new("end-date", e.said()));
                    return None;
                }
            },
            _ => None,
        };
        let start = start?;
        match end {
            Some(end) if end != start => match Occurred::between(start, end) {
                Ok(o) => Some(o),
                Err(e) => {
                    problems.push(Problem::new("end-date", e.said()));
                    None
                }
            },
            _ => Some(Occurred::on(start)),
        }
    }

    /// A country from an element with an `id` attribute and its name as text.
    fn country(&mut self, node: Node<'_, '_>, name: &str, problems: &mut Problems) -> Option<ActorId> {
        let Some(el) = child(node, name) else {
            problems.push(Problem::new(name, says!("is missing; expected the country, as <{0} id=\"…\">", name)));
            return None;
        };
        let label = text_of(el);
        let id = match el.attribute("id").map(str::trim) {
            Some(id) if check_actor_id(id).is_ok() => id.to_owned(),
            Some(id) => match slug(id) {
                Some(s) => s,
                None => {
                    problems.push(Problem::new(
                        format!("{name}@id"),
                        says!("found {0}; expected a country id such as \"greece\"", Quoted(&id)),
                    ));
                    return None;
                }
            },
            None => match slug(&label) {
                Some(s) => s,
                None => {
                    problems.push(Problem::new(format!("{name}@id"), says!("is missing and the country has no name")));
                    return None;
                }
            },
        };
        let english = if label.is_empty() { id.clone() } else { label };
        Some(self.intern(&id, |id| {
            let mut reg = ActorRegistration::new(id, ActorKind::Country, english);
            reg.codes.insert("historyatstate".to_owned(), reg.actor.to_string());
            reg
        }))
    }

    fn united_states(&mut self) -> ActorId {
        self.intern(UNITED_STATES, |id| {
            let mut reg = ActorRegistration::new(id, ActorKind::Country, "United States");
            reg.iso3 = Some("USA".to_owned());
            reg.codes.insert("historyatstate".to_owned(), UNITED_STATES.to_owned());
            reg
        })
    }

    /// Interns an actor unless the stream already has it.
    fn intern(&mut self, id: &str, make: impl FnOnce(ActorId) -> ActorRegistration) -> ActorId {
        if self.known.actor_kind(id).is_some() {
            return ActorId::from(id);
        }
        self.actors.intern(id, make)
    }

    /// A person: "Prime Minister Kyriakos Mitsotakis" → office "Prime Minister of Greece".
    fn person(&mut self, text: &str, country: &ActorId, country_name: &str) -> Option<ActorId> {
        let (title, name) = split_title(text);
        let id = slug(name)?;
        let office = title.map(|t| format!("{t} of {country_name}"));
        let country = country.clone();
        Some(self.intern(&id, |id| {
            let mut reg = ActorRegistration::new(id, ActorKind::Person, name);
            reg.country = Some(country);
            reg.office = office;
            reg
        }))
    }

    fn visit(&mut self, node: Node<'_, '_>, _line: usize, _record: usize, problems: &mut Problems) -> Option<Proposed> {
        let id = Self::required(node, "id", &says!("the visit's number").carried(), problems);
        let occurred = Self::dates(node, problems);
        let visitor_text = Self::required(
            node,
            "visitor",
            &says!("who visited, such as \"Prime Minister Kyriakos Mitsotakis\"").carried(),
            problems,
        );
        let description = child(node, "description").map(text_of).filter(|d| !d.is_empty());
        let country_name = child(node, "from").map(text_of).unwrap_or_default();
        let country = self.country(node, "from", problems);
        if let Some(id) = &id {
            if !id.bytes().all(|b| b.is_ascii_digit()) {
                problems.push(Problem::new("id", says!("found {0}; expected a number", Quoted(&id))));
            }
        }
        if !problems.is_empty() {
            return None;
        }
        let (id, occurred, visitor_text, country) = (id?, occurred?, visitor_text?, country?);
        let country_name = if country_name.is_empty() { country.to_string() } else { country_name };
        let mut people = Vec::new();
        for part in split_people(&visitor_text) {
            match self.person(part, &country, &country_name) {
                Some(p) if !people.contains(&p) => people.push(p),
                Some(_) => {}
                None => {
                    problems.push(Problem::new("visitor", says!("found {0}; expected a person's name", Quoted(&part))))
                }
            }
        }
        let host = self.united_states();
        let (visitor, others) = people.split_first()?;
        let level = description.as_deref().and_then(visit_level);
        let kind_words = match level {
            Some(VisitLevel::Multilateral) | None => "visit".to_owned(),
            Some(l) => format!("{} visit", l.name()),
        };
        let mut event = DomainEvent::new(
            occurred,
            format!("{0} ({1}): {2} to the United States", visitor_text, country_name, kind_words),
        );
        event.summary = description.clone();
        event.visitor = Some(visitor.clone());
        event.host = Some(host);
        event.level = level;
        event.actors = others.iter().map(|p| Participant { actor: p.clone(), role: Role::Visitor }).collect();
        event.codes.insert("historyatstate:visit".to_owned(), id.clone());
        if let Some(d) = description {
            event.codes.insert("historyatstate:description".to_owned(), d);
        }
        let year = occurred.start().year_value();
        event.sources.push(Source {
            publisher: PUBLISHER.to_owned(),
            title: Some(format!("Visits by Foreign Leaders in {0}", year)),
            url: Some(format!("{SITE}/visits/{year}")),
            ..Source::default()
        });
        Some(Proposed::new(
            format!("historyatstate:visit-{id}"),
            Event::Domain(EventKind::Visit, std::sync::Arc::new(event)),
        ))
    }

    fn trip(&mut self, node: Node<'_, '_>, _line: usize, _record: usize, problems: &mut Problems) -> Option<Proposed> {
        let id = Self::required(node, "id", &says!("the trip's number").carried(), problems);
        let occurred = Self::dates(node, problems);
        let name = Self::required(node, "name", &says!("the traveller's name").carried(), problems);
        let role = node.attribute("role").map(str::to_owned).or_else(|| child(node, "role").map(text_of));
        let who = node.attribute("who").map(str::to_owned);
        let locale = child(node, "locale").map(text_of).filter(|t| !t.is_empty());
        let remarks = child(node, "remarks").map(text_of).filter(|t| !t.is_empty());
        let country = self.country(node, "country", problems);
        let office = match role.as_deref() {
            Some("secretary") => "Secretary of State of the United States",
            Some("president") => "President of the United States",
            Some(other) => {
                problems.push(Problem::new(
                    "role",
                    says!("found {0}; expected \"secretary\" or \"president\" (travel-role-codes)", Quoted(&other)),
                ));
                ""
            }
            None => {
                problems.push(Problem::new("role", says!("is missing; expected \"secretary\" or \"president\"")));
                ""
            }
        };
        if let Some(id) = &id {
            if !id.bytes().all(|b| b.is_ascii_digit()) {
                problems.push(Problem::new("id", says!("found {0}; expected a number", Quoted(&id))));
            }
        }
        let traveller_id = match who.as_deref().map(str::trim) {
            Some(w) if check_actor_id(w).is_ok() => Some(w.to_owned()),
            Some(w) => {
                problems.push(Problem::new(
                    "@who",
                    says!("found {0}; expected an id such as \"clinton-hillary-rodham\"", Quoted(&w)),
                ));
                None
            }
            None => name.as_deref().and_then(slug),
        };
        if !problems.is_empty() {
            return None;
        }
        let (id, occurred, name, country, traveller_id, role) = (id?, occurred?, name?, country?, traveller_id?, role?);
        let us = self.united_states();
        let traveller = self.intern(&traveller_id, |aid| {
            let mut reg = ActorRegistration::new(aid, ActorKind::Person, name.clone());
            reg.country = Some(us.clone());
            reg.office = Some(office.to_owned());
            reg
        });
        let country_name =
            child(node, "country").map(text_of).filter(|t| !t.is_empty()).unwrap_or_else(|| country.to_string());
        let mut event = DomainEvent::new(
            occurred,
            format!("{name} in {}", locale.as_deref().map_or(country_name.clone(), |l| format!("{l}, {country_name}"))),
        );
        event.summary = remarks;
        event.visitor = Some(traveller);
        event.host = Some(country.clone());
        if let Some(l) = &locale {
            if let Some(place) = self.place(l, &country) {
                event.places.push(place);
            }
        }
        event.codes.insert("historyatstate:trip".to_owned(), id.clone());
        event.sources.push(Source {
            publisher: PUBLISHER.to_owned(),
            title: Some(format!("Travels Abroad: {0}", name)),
            url: Some(format!("{SITE}/travels/{role}/{traveller_id}")),
            ..Source::default()
        });
        Some(Proposed::new(
            format!("historyatstate:trip-{id}"),
            Event::Domain(EventKind::Visit, std::sync::Arc::new(event)),
        ))
    }

    /// A locale as a place of its country. Several locales ("Paris, Lyon") stay one place
    /// named as the Office wrote it: splitting at commas would break "Washington, DC".
    fn place(&mut self, locale: &str, country: &ActorId) -> Option<ActorId> {
        let id = slug(&format!("{} {}", locale, country))?;
        match self.known.actor_kind(&id) {
            Some(ActorKind::Place) => return Some(ActorId::from(id)),
            Some(_) => return None,
            None => {}
        }
        let country = country.clone();
        Some(self.actors.intern(&id, |id| {
            let mut reg = ActorRegistration::new(id, ActorKind::Place, locale);
            reg.country = Some(country);
            reg
        }))
    }
}

/// Splits "King Abdullah and Crown Prince Hussein" into the people it names. Only an "and"
/// followed by a title splits, so "Trinidad and Tobago" style names stay whole.
fn split_people(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some(at) = find_and_title(rest) {
        out.push(rest[..at].trim());
        rest = rest[at + " and ".len()..].trim();
    }
    out.push(rest);
    out.retain(|p| !p.is_empty());
    out
}

fn find_and_title(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(" and ") {
        let at = from + i;
        let after = &text[at + " and ".len()..];
        if TITLES.iter().any(|t| after.starts_with(t) && after[t.len()..].starts_with(' ')) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Splits a leading title off a name: `("Prime Minister", "Kyriakos Mitsotakis")`.
fn split_title(text: &str) -> (Option<&str>, &str) {
    let text = text.trim();
    for t in TITLES {
        if let Some(rest) = text.strip_prefix(t) {
            if rest.starts_with(' ') && !rest.trim().is_empty() {
                return (Some(t), rest.trim());
            }
        }
    }
    (None, text)
}

/// The level a visit's free-text description states, if it states one.
pub fn visit_level(description: &str) -> Option<VisitLevel> {
    let words: Vec<String> =
        description.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    if let Some(i) = words.iter().position(|w| w == "visit" || w == "visits") {
        let before = i.checked_sub(1).and_then(|j| words.get(j)).map_or("", String::as_str);
        let level = match before {
            "state" => Some(VisitLevel::State),
            "working" => Some(VisitLevel::Working),
            "private" => Some(VisitLevel::Private),
            w if is_official(w) => Some(VisitLevel::Official),
            _ => None,
        };
        if level.is_some() {
            return level;
        }
    }
    let attended = words.iter().any(|w| w == "attended" || w == "guest" || w == "attend");
    (attended && words.iter().any(|w| w == "summit" || w == "summits")).then_some(VisitLevel::Multilateral)
}

/// "official" and the ways it is mistyped in the files ("offical", "oficial").
fn is_official(word: &str) -> bool {
    matches!(word, "official" | "offical" | "oficial" | "officail" | "offcial" | "officical")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use annals_core::validate::Nothing;

    fn messages(loaded: &Loaded) -> Vec<String> {
        loaded.diagnostics.iter().map(ToString::to_string).collect()
    }

    fn visits(loaded: &Loaded) -> Vec<(&str, &DomainEvent)> {
        loaded
            .accepted
            .iter()
            .filter_map(|l| match &l.proposed.event {
                Event::Domain(EventKind::Visit, e) => Some((l.proposed.id.as_str(), e.as_ref())),
                _ => None,
            })
            .collect()
    }

    fn registration<'a>(loaded: &'a Loaded, actor: &str) -> Option<&'a ActorRegistration> {
        loaded.accepted.iter().find_map(|l| match &l.proposed.event {
            Event::ActorRegistered(r) if r.actor.as_str() == actor => Some(r.as_ref()),
            _ => None,
        })
    }

    fn count_kinds(loaded: &Loaded) -> BTreeMap<ActorKind, usize> {
        let mut out = BTreeMap::new();
        for l in &loaded.accepted {
            if let Event::ActorRegistered(r) = &l.proposed.event {
                *out.entry(r.kind).or_default() += 1;
            }
        }
        out
    }

    #[test]
    fn the_2020s_visits_import_with_levels_from_free_text() {
        let loaded = read(&corpus!("historyatstate/visits-2020.xml"), "visits-2020.xml", &Nothing);
        assert_eq!(messages(&loaded), Vec::<String>::new());
        let all = visits(&loaded);
        assert_eq!(all.len(), 276);
        let mut levels: BTreeMap<Option<VisitLevel>, usize> = BTreeMap::new();
        for (_, e) in &all {
            *levels.entry(e.level).or_default() += 1;
            assert_eq!(e.host.as_ref().map(ActorId::as_str), Some("united-states"));
        }
        // Counted from the descriptions apart from this reader.
        let expected: BTreeMap<Option<VisitLevel>, usize> = [
            (Some(VisitLevel::Multilateral), 166),
            (Some(VisitLevel::Working), 75),
            (Some(VisitLevel::Official), 9),
            (Some(VisitLevel::State), 4),
            (Some(VisitLevel::Private), 2),
            (None, 20),
        ]
        .into_iter()
        .collect();
        assert_eq!(levels, expected);
        // 146 countries visited from, plus the host.
        assert_eq!(count_kinds(&loaded).get(&ActorKind::Country), Some(&147));
        let (_, first) = all[0];
        assert_eq!(first.title, "Prime Minister Kyriakos Mitsotakis (Greece): working visit to the United States");
        assert_eq!(first.codes.get("historyatstate:description").map(String::as_str), Some("Official Working Visit."));
        assert_eq!(first.sources[0].url.as_deref(), Some("https://history.state.gov/departmenthistory/visits/2020"));
        let pm = registration(&loaded, "kyriakos-mitsotakis").expect("the visitor is a person");
        assert_eq!(pm.kind, ActorKind::Person);
        assert_eq!(pm.office.as_deref(), Some("Prime Minister of Greece"));
        assert_eq!(pm.country.as_ref().map(ActorId::as_str), Some("greece"));
    }

    #[test]
    fn two_leaders_in_one_visit_are_two_visitors() {
        let loaded = read(&corpus!("historyatstate/visits-2020.xml"), "x", &Nothing);
        let both = visits(&loaded)
            .into_iter()
            .find(|(_, e)| e.title.starts_with("President Andrzej Duda and Prime Minister Donald Tusk"))
            .map(|(_, e)| e);
        let Some(both) = both else { panic!("the Duda and Tusk visit") };
        assert_eq!(both.visitor.as_ref().map(ActorId::as_str), Some("andrzej-duda"));
        assert_eq!(both.actors, vec![Participant { actor: ActorId::from("donald-tusk"), role: Role::Visitor }]);
        assert_eq!(
            registration(&loaded, "donald-tusk").and_then(|r| r.office.as_deref()),
            Some("Prime Minister of Poland")
        );
    }

    #[test]
    fn clintons_travels_include_both_baku_trips() {
        let loaded = read(&corpus!("historyatstate/secretary-travels-clinton.xml"), "x", &Nothing);
        assert_eq!(messages(&loaded), Vec::<String>::new());
        let all = visits(&loaded);
        assert_eq!(all.len(), 239);
        let kinds = count_kinds(&loaded);
        // 114 countries visited plus the United States; one traveller.
        assert_eq!((kinds.get(&ActorKind::Country), kinds.get(&ActorKind::Person)), (Some(&115), Some(&1)));
        // Distinct (locale, country) pairs of the file.
        assert_eq!(kinds.get(&ActorKind::Place), Some(&156));
        let clinton = registration(&loaded, "clinton-hillary-rodham").expect("the traveller");
        assert_eq!(clinton.name(), "Hillary Rodham Clinton");
        assert_eq!(clinton.office.as_deref(), Some("Secretary of State of the United States"));
        let baku: Vec<&DomainEvent> = all
            .iter()
            .filter(|(_, e)| e.host.as_ref().is_some_and(|h| h.as_str() == "azerbaijan"))
            .map(|(_, e)| *e)
            .collect();
        let dates: Vec<String> = baku.iter().map(|e| e.occurred.to_string()).collect();
        assert_eq!(dates, vec!["2010-07-04", "2012-06-06/2012-06-07"]);
        assert_eq!(baku[0].places, vec![ActorId::from("baku-azerbaijan")]);
        assert_eq!(baku[0].summary.as_deref(), Some("Met with President Aliyev and Foreign Minister Mammadyarov."));
        assert_eq!(baku[0].title, "Hillary Rodham Clinton in Baku, Azerbaijan");
        assert_eq!(
            baku[0].sources[0].url.as_deref(),
            Some("https://history.state.gov/departmenthistory/travels/secretary/clinton-hillary-rodham")
        );
        assert_eq!(baku[0].level, None);
    }

    #[test]
    fn visits_in_a_fixture_name_people_offices_and_levels() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<visits>
    <visit>
        <id>1</id>
        <start-date>2020-01-07</start-date>
        <end-date>2020-01-07</end-date>
        <visitor>Prime Minister Kyriakos Mitsotakis</visitor>
        <from id="greece">Greece</from>
        <description>Official Working Visit.</description>
        <created-by>someone</created-by>
    </visit>
    <visit>
        <id>2</id>
        <start-date>2020-06-24</start-date>
        <end-date>2020-06-24</end-date>
        <visitor>President Andrzej Duda and Prime Minister Donald Tusk</visitor>
        <from id="poland">Poland</from>
        <description>Offical Visit.</description>
    </visit>
</visits>"#;
        let loaded = read(text.as_bytes(), "visits-2020.xml", &Nothing);
        assert_eq!(messages(&loaded), Vec::<String>::new());
        let all = visits(&loaded);
        assert_eq!(all.len(), 2);
        let (_, first) = all[0];
        assert_eq!(first.host.as_ref().map(ActorId::as_str), Some("united-states"));
        assert_eq!(first.level, Some(VisitLevel::Working));
        assert_eq!(first.title, "Prime Minister Kyriakos Mitsotakis (Greece): working visit to the United States");
        assert_eq!(first.codes.get("historyatstate:description").map(String::as_str), Some("Official Working Visit."));
        assert_eq!(first.sources[0].url.as_deref(), Some("https://history.state.gov/departmenthistory/visits/2020"));
        let pm = registration(&loaded, "kyriakos-mitsotakis").expect("the visitor is a person");
        assert_eq!(pm.kind, ActorKind::Person);
        assert_eq!(pm.office.as_deref(), Some("Prime Minister of Greece"));
        assert_eq!(pm.country.as_ref().map(ActorId::as_str), Some("greece"));
        // Two leaders in one visit are two visitors.
        let (_, both) = all[1];
        assert_eq!(both.level, Some(VisitLevel::Official));
        assert_eq!(both.visitor.as_ref().map(ActorId::as_str), Some("andrzej-duda"));
        assert_eq!(both.actors, vec![Participant { actor: ActorId::from("donald-tusk"), role: Role::Visitor }]);
        assert_eq!(
            registration(&loaded, "donald-tusk").and_then(|r| r.office.as_deref()),
            Some("Prime Minister of Poland")
        );
        assert_eq!(count_kinds(&loaded).get(&ActorKind::Country), Some(&3), "two countries and the host");
    }

    #[test]
    fn a_secretarys_travels_in_a_fixture_are_visits_to_places() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<trips>
    <trip role="secretary" who="clinton-hillary-rodham">
        <id>1</id>
        <role>secretary</role>
        <name>Hillary Rodham Clinton</name>
        <start-date>2010-07-04</start-date>
        <end-date>2010-07-04</end-date>
        <country id="azerbaijan">Azerbaijan</country>
        <locale>Baku</locale>
        <remarks>Met with the President and the Foreign Minister.</remarks>
    </trip>
    <trip role="secretary" who="clinton-hillary-rodham">
        <id>2</id>
        <name>Hillary Rodham Clinton</name>
        <start-date>2012-06-06</start-date>
        <end-date>2012-06-07</end-date>
        <country id="azerbaijan">Azerbaijan</country>
        <locale>Baku</locale>
        <remarks>Met with the President. Attended
            a trade show.</remarks>
    </trip>
    <trip role="secretary" who="clinton-hillary-rodham">
        <id>3</id>
        <name>Hillary Rodham Clinton</name>
        <start-date>2012-06-07</start-date>
        <end-date>2012-06-07</end-date>
        <country id="georgia">Georgia</country>
        <locale>Batumi</locale>
    </trip>
</trips>"#;
        let loaded = read(text.as_bytes(), "x", &Nothing);
        assert_eq!(messages(&loaded), Vec::<String>::new());
        let all = visits(&loaded);
        assert_eq!(all.len(), 3);
        let kinds = count_kinds(&loaded);
        // Two countries visited plus the United States; one traveller; one place per (locale, country).
        assert_eq!((kinds.get(&ActorKind::Country), kinds.get(&ActorKind::Person)), (Some(&3), Some(&1)));
        assert_eq!(kinds.get(&ActorKind::Place), Some(&2));
        let clinton = registration(&loaded, "clinton-hillary-rodham").expect("the traveller");
        assert_eq!(clinton.name(), "Hillary Rodham Clinton");
        assert_eq!(clinton.office.as_deref(), Some("Secretary of State of the United States"));
        let dates: Vec<String> = all.iter().map(|(_, e)| e.occurred.to_string()).collect();
        assert_eq!(dates, vec!["2010-07-04", "2012-06-06/2012-06-07", "2012-06-07"]);
        let baku = all[0].1;
        assert_eq!(baku.host.as_ref().map(ActorId::as_str), Some("azerbaijan"));
        assert_eq!(baku.places, vec![ActorId::from("baku-azerbaijan")]);
        assert_eq!(baku.summary.as_deref(), Some("Met with the President and the Foreign Minister."));
        assert_eq!(baku.title, "Hillary Rodham Clinton in Baku, Azerbaijan");
        assert_eq!(
            baku.sources[0].url.as_deref(),
            Some("https://history.state.gov/departmenthistory/travels/secretary/clinton-hillary-rodham")
        );
        assert_eq!(baku.level, None);
    }

    #[test]
    fn levels_survive_typos_and_case() {
        for (text, level) in [
            ("Offical Visit.", Some(VisitLevel::Official)),
            ("Working visit.", Some(VisitLevel::Working)),
            ("State Visit.", Some(VisitLevel::State)),
            ("STATE VISIT", Some(VisitLevel::State)),
            ("Official Working Visit.", Some(VisitLevel::Working)),
            ("Official Visit", Some(VisitLevel::Official)),
            ("Private Visit (Lunch).", Some(VisitLevel::Private)),
            ("Working Visit; Quad Leaders' Summit.", Some(VisitLevel::Working)),
            ("Attended the U.S.-Africa Leaders' Summit.", Some(VisitLevel::Multilateral)),
            ("Private Ceremony for the Legion of Merit.", None),
            ("Abraham Accords Signing Ceremony.", None),
            ("Visit.", None),
            ("", None),
        ] {
            assert_eq!(visit_level(text), level, "{text:?}");
        }
    }

    #[test]
    fn every_problem_of_every_record_is_reported() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<visits>
    <visit>
        <id>x</id>
        <start-date>2020-02-30</start-date>
        <end-date>2020-01-01</end-date>
        <visitor>  </visitor>
        <description>State Visit.</description>
    </visit>
    <trip/>
    <visit>
        <id>2</id>
        <start-date>2020-03-02</start-date>
        <end-date>2020-03-01</end-date>
        <visitor>King Abdullah II</visitor>
        <from id="jordan">Jordan</from>
        <description>Working <em>visit</em>.</description>
    </visit>
    <visit>
        <id>3</id>
        <start-date>2020-03-02</start-date>
        <end-date/>
        <visitor>King Abdullah II</visitor>
        <from id="Jordan Kingdom">Jordan</from>
        <description>Working <em>visit</em>.</description>
    </visit>
</visits>"#;
        let loaded = read(text.as_bytes(), "x", &Nothing);
        assert_eq!(
            messages(&loaded),
            vec![
                "line 3, record 1, start-date: day 30 does not exist in 2020-02",
                "line 3, record 1, visitor: is empty; expected who visited, such as \"Prime Minister Kyriakos Mitsotakis\"",
                "line 3, record 1, from: is missing; expected the country, as <from id=\"…\">",
                "line 3, record 1, id: found \"x\"; expected a number",
                "line 10, record 2: found <trip>; expected <visit>",
                "line 11, record 3, end-date: range ends (2020-03-01) before it starts (2020-03-02)",
            ]
        );
        let all = visits(&loaded);
        assert_eq!(all.len(), 1);
        let (id, e) = all[0];
        assert_eq!(id, "historyatstate:visit-3");
        assert_eq!((e.occurred.to_string().as_str(), e.level), ("2020-03-02", Some(VisitLevel::Working)));
        // An id that is not an actor id is made into one.
        assert_eq!(e.visitor.as_ref().map(ActorId::as_str), Some("abdullah-ii"));
        assert!(registration(&loaded, "jordan-kingdom").is_some());
    }

    #[test]
    fn files_that_are_not_historyatstate_say_why() {
        let loaded = read(b"<visits><visit>", "x", &Nothing);
        assert_eq!(loaded.diagnostics.len(), 1);
        assert!(loaded.diagnostics[0].message.starts_with("is not well-formed XML"), "{:?}", loaded.diagnostics);
        let loaded = read(b"<?xml version=\"1.0\"?>\n<rss/>", "x", &Nothing);
        assert_eq!(
            messages(&loaded),
            vec!["line 2: the root element is <rss>; expected <visits> or <trips> (HistoryAtState)"]
        );
        let loaded = read(b"\xff<visits/>", "x", &Nothing);
        assert_eq!(loaded.diagnostics.len(), 1);
        // Entities cannot expand into a flood: a DTD is refused.
        let bomb = b"<?xml version=\"1.0\"?><!DOCTYPE v [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><visits>&b;</visits>";
        let loaded = read(bomb, "x", &Nothing);
        assert!(loaded.accepted.is_empty());
    }

    #[test]
    fn trips_need_a_known_role() {
        let text = r#"<trips><trip role="ambassador" who="Bad Id"><id>1</id><name>A B</name><start-date>2010-07-04</start-date><end-date>2010-07-04</end-date><country id="azerbaijan">Azerbaijan</country><locale>Baku</locale></trip>
<trip role="president" who="biden-joseph-r"><id>2</id><name>Joseph R. Biden</name><start-date>2021-06-10</start-date><end-date>2021-06-13</end-date><country id="united-kingdom">United Kingdom</country><locale>Carbis Bay</locale><remarks>Attended the G7 Summit.</remarks></trip></trips>"#;
        let loaded = read(text.as_bytes(), "x", &Nothing);
        assert_eq!(
            messages(&loaded),
            vec![
                "line 1, record 1, role: found \"ambassador\"; expected \"secretary\" or \"president\" (travel-role-codes)",
                "line 1, record 1, @who: found \"Bad Id\"; expected an id such as \"clinton-hillary-rodham\"",
            ]
        );
        let all = visits(&loaded);
        assert_eq!(all.len(), 1);
        assert_eq!(
            all[0].1.sources[0].url.as_deref(),
            Some("https://history.state.gov/departmenthistory/travels/president/biden-joseph-r")
        );
        assert_eq!(
            registration(&loaded, "biden-joseph-r").and_then(|r| r.office.as_deref()),
            Some("President of the United States")
        );
    }

    #[test]
    fn detection_knows_the_corpus_files_by_their_root() {
        use crate::{detect, load};
        assert_eq!(detect(&corpus!("historyatstate/visits-2020.xml"), "2020.xml"), Some(Format::HistoryAtState));
        let trips = corpus!("historyatstate/secretary-travels-clinton.xml");
        assert_eq!(detect(&trips, "clinton.xml"), Some(Format::HistoryAtState));
        // 239 trips, 115 countries, 1 traveller, 156 distinct locales.
        assert_eq!(load(&trips, "clinton.xml", None, &Nothing).accepted.len(), 239 + 115 + 1 + 156);
    }

    #[test]
    fn detection_knows_historyatstate_by_its_root() {
        use crate::detect;
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?>\n<visits><visit/></visits>", "2020.xml"),
            Some(Format::HistoryAtState)
        );
        assert_eq!(detect(b"<trips>\n<trip role=\"secretary\"/></trips>", "t.xml"), Some(Format::HistoryAtState));
        assert_eq!(detect(b"<!-- a note --><!DOCTYPE trips><trips/>", "x.xml"), Some(Format::HistoryAtState));
        assert_eq!(detect(b"<?xml version=\"1.0\"?>\n<code-table/>", "x.xml"), None);
        assert_eq!(detect(b"<?xml unterminated", "x.xml"), None);
    }
}
