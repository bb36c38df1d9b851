//! What the record says happened: the events of the log and their payloads.
//!
//! Every domain event (a visit, a signing, a commission meeting, talks, a call, a statement
//! or something else) shares one payload shape, [`DomainEvent`]: when it occurred, a title,
//! the actors with their roles, places, sources and tags. The facts only one kind has
//! (a visit's visitor and host, a signing's documents and stated count, a meeting's session
//! number) are optional fields of that same struct, and [`crate::validate`] checks that each
//! kind has the ones it needs and none it cannot have. One flat struct keeps parsing fast and
//! lets the validator report every problem of a record instead of the first serde error.
//! Unknown fields are errors: a misspelt `sumary` must not vanish silently.
//!
//! Reference data (`ActorRegistered`) and changes to the record (`Corrected`, `Retracted`,
//! `Disputed`) are events too: nothing is rewritten in place.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::date::{Occurred, PartialDate};
use crate::id::{ActorId, EventId};
use crate::lang::{self, Shown, Texts};
use crate::problem::{Quoted, Said};
use crate::says;

/// The kinds of domain events; each is a lane of the timeline and a colour of the map.
///
/// *The one list of kinds.* This enum is it: [`EventKind::ALL`], [`EventKind::COUNT`], the
/// names ([`EventKind::name`], the same as serde's) and every per-kind table ([`PerKind`]) are
/// derived from it, and what differs per kind is an exhaustive `match` (no wildcard arm), so
/// a new kind is led by the compiler to each place that must say something about it
/// (ARCHITECTURE.md, "Adding an event kind").
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumCount,
    strum::VariantArray,
    strum::VariantNames,
)]
pub enum EventKind {
    /// A visit of a head of state, of government, a minister or a delegation.
    Visit,
    /// The signing of one or more documents.
    Signing,
    /// A session of an intergovernmental (or other joint) commission.
    CommissionMeeting,
    /// Talks or a meeting that is not a commission session.
    Talks,
    /// A telephone or video call.
    Call,
    /// A statement, letter, message or declaration.
    Statement,
    /// Anything else: an embassy opening, credentials, an anniversary.
    Other,
}

impl EventKind {
    /// How many kinds there are: the length of every per-kind table.
    pub const COUNT: usize = <Self as strum::EnumCount>::COUNT;

    /// Every kind, in lane order (the order of the enum).
    pub const ALL: [EventKind; Self::COUNT] = {
        let variants = <Self as strum::VariantArray>::VARIANTS;
        let mut all = [EventKind::Visit; Self::COUNT];
        let mut i = 0;
        while i < Self::COUNT {
            all[i] = variants[i];
            i += 1;
        }
        all
    };

    /// Position in [`EventKind::ALL`]; a per-kind table ([`PerKind`]) is indexed by the kind itself.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The name used in files and URLs (`Visit`, `CommissionMeeting`, …): the variant's name.
    pub const fn name(self) -> &'static str {
        <Self as strum::VariantNames>::VARIANTS[self as usize]
    }

    /// A label for people ("Commission meeting").
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Visit => "Visit",
            EventKind::Signing => "Signing",
            EventKind::CommissionMeeting => "Commission meeting",
            EventKind::Talks => "Talks",
            EventKind::Call => "Call",
            EventKind::Statement => "Statement",
            EventKind::Other => "Other",
        }
    }
}

// `index` (the discriminant) is the position in `ALL`.
const _: () = {
    let mut i = 0;
    while i < EventKind::COUNT {
        assert!(EventKind::ALL[i] as usize == i);
        i += 1;
    }
};

/// One value per event kind, indexed by [`EventKind`] (or its [`EventKind::index`]), sized
/// by the list of kinds: a new kind makes every such table longer instead of an index out
/// of bounds. It serializes and prints as the plain array, in lane order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct PerKind<T>(pub [T; EventKind::COUNT]);

impl<T> PerKind<T> {
    /// The values in lane order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// Each kind with its value, in lane order.
    pub fn kinds(&self) -> impl Iterator<Item = (EventKind, &T)> {
        EventKind::ALL.into_iter().zip(&self.0)
    }
}

impl<T: fmt::Debug> fmt::Debug for PerKind<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T> std::ops::Index<EventKind> for PerKind<T> {
    type Output = T;

    fn index(&self, kind: EventKind) -> &T {
        &self.0[kind as usize]
    }
}

impl<T> std::ops::IndexMut<EventKind> for PerKind<T> {
    fn index_mut(&mut self, kind: EventKind) -> &mut T {
        &mut self.0[kind as usize]
    }
}

impl<T> std::ops::Index<usize> for PerKind<T> {
    type Output = T;

    fn index(&self, index: usize) -> &T {
        &self.0[index]
    }
}

impl<T> std::ops::IndexMut<usize> for PerKind<T> {
    fn index_mut(&mut self, index: usize) -> &mut T {
        &mut self.0[index]
    }
}

impl<T> IntoIterator for PerKind<T> {
    type Item = T;
    type IntoIter = std::array::IntoIter<T, { EventKind::COUNT }>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a PerKind<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for EventKind {
    type Err = Said;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| says!("unknown kind {0}; expected one of {1}", Quoted(s), kind_names()))
    }
}

fn kind_names() -> String {
    EventKind::ALL.map(EventKind::name).join(", ")
}

/// The role an actor plays in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Takes part, nothing more specific is known.
    Participant,
    /// The one who travels.
    Visitor,
    /// The one who receives.
    Host,
    /// A party to a signed document.
    Party,
    /// A co-chair of a commission.
    CoChair,
    /// The one who places a call.
    Caller,
    /// The one who receives a call or a message.
    Recipient,
    /// The one who makes a statement.
    Speaker,
    /// The one a statement or letter is addressed to.
    Addressee,
}

impl Role {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Role::Participant => "participant",
            Role::Visitor => "visitor",
            Role::Host => "host",
            Role::Party => "party",
            Role::CoChair => "co-chair",
            Role::Caller => "caller",
            Role::Recipient => "recipient",
            Role::Speaker => "speaker",
            Role::Addressee => "addressee",
        }
    }
}

/// An actor and the role it plays.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    /// Who.
    pub actor: ActorId,
    /// As what.
    #[serde(default = "default_role")]
    pub role: Role,
}

fn default_role() -> Role {
    Role::Participant
}

/// Where a fact comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The outlet or site (required).
    #[serde(default)]
    pub publisher: String,
    /// The title of the page or article, or a short description of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// When it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
    /// Where to read it (`http` or `https` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The words the fact rests on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// The title in other languages: the source's own (a version it published in that
    /// language) or the editors' translation ([`crate::lang`]).
    #[serde(default, deserialize_with = "lang::deserialize_texts", skip_serializing_if = "Texts::is_empty")]
    pub titles: Texts,
    /// The quote in other languages, likewise.
    #[serde(default, deserialize_with = "lang::deserialize_texts", skip_serializing_if = "Texts::is_empty")]
    pub quotes: Texts,
    /// What the page does support when it backs the fact only in part (the right page, but
    /// the date, count or detail is not in it). Absent when it supports the whole fact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
    /// Why there is no `url` (the page was looked for and not found, say): a reader learns
    /// that the missing link is known, not forgotten. Never given together with a `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_url: Option<String>,
}

impl Source {
    /// Who first published what this source says, as a lowercase key: two sources with the
    /// same key are one voice, however many sites carried it.
    ///
    /// The record writes a republication in the publisher's name ("News.az, citing BelTA",
    /// "Dikgazete, from Anadolu Agency", "AzerNews, republished by MENAFN") and the site in
    /// parentheses ("BelTA (eng.belta.by)"), so the origin is the outlet cited, or else the name
    /// before its first comma or parenthesis: the German service of an agency is the agency.
    pub fn origin(&self) -> String {
        self.origin_lowered_by(&str::to_lowercase)
    }

    /// [`Source::origin`], lowered to lower case by `lower` (`str::to_lowercase`, or the same
    /// mapping by other means: the web page asks the browser, sparing its bundle Rust's case
    /// tables).
    pub fn origin_lowered_by(&self, lower: &dyn Fn(&str) -> String) -> String {
        let name = self.publisher.trim();
        let cited = [", citing ", ", from "].iter().find_map(|m| name.split_once(m).map(|(_, o)| o));
        let origin = cited.unwrap_or(name);
        let end = origin.find([',', '(']).unwrap_or(origin.len());
        lower(origin[..end].trim())
    }

    /// True for the source a reader of another tool's file gives an event when the file cites
    /// none (`annals_formats::import::file_source`: publisher "… file", title "Imported from
    /// …", nothing else): it names the file Annals read, not a publication, so writers for
    /// other tools leave it out and the page does not present it as evidence.
    pub fn is_file_itself(&self) -> bool {
        self.publisher.ends_with(" file")
            && self.title.as_deref().is_some_and(|t| t.starts_with("Imported from "))
            && self.url.is_none()
            && self.date.is_none()
            && self.author.is_none()
            && self.quote.is_none()
    }
}

/// How many independent publishers the sources come from (see [`Source::origin`]; `lower` is
/// its lowering to lower case, see [`Source::origin_lowered_by`]).
pub fn independent_publishers<'a>(
    sources: impl IntoIterator<Item = &'a Source>,
    lower: &dyn Fn(&str) -> String,
) -> usize {
    let mut origins: Vec<String> =
        sources.into_iter().map(|s| s.origin_lowered_by(lower)).filter(|o| !o.is_empty()).collect();
    crate::order::sort_by(&mut origins, String::cmp);
    origins.dedup();
    origins.len()
}

/// The level of a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VisitLevel {
    /// A state visit.
    State,
    /// An official visit.
    Official,
    /// A working visit.
    Working,
    /// A private visit.
    Private,
    /// Attendance of a multilateral event (a summit, a council).
    Multilateral,
}

impl VisitLevel {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            VisitLevel::State => "state",
            VisitLevel::Official => "official",
            VisitLevel::Working => "working",
            VisitLevel::Private => "private",
            VisitLevel::Multilateral => "multilateral",
        }
    }
}

/// The kind of a signed document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    /// An agreement.
    Agreement,
    /// A protocol.
    Protocol,
    /// A memorandum (of understanding, of cooperation).
    Memorandum,
    /// A plan or action plan.
    Plan,
    /// A declaration.
    Declaration,
    /// A joint statement.
    Statement,
    /// A treaty.
    Treaty,
    /// A programme.
    Programme,
    /// A roadmap.
    Roadmap,
    /// A contract.
    Contract,
    /// Anything else.
    Other,
}

/// A document signed at a [`EventKind::Signing`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Its title, as the source gives it.
    pub title: String,
    /// What kind of document it is.
    #[serde(default = "default_document_kind")]
    pub kind: DocumentKind,
}

fn default_document_kind() -> DocumentKind {
    DocumentKind::Other
}

/// A point on the Earth (WGS 84 degrees).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coordinates {
    /// Latitude, −90..=90.
    pub lat: f64,
    /// Longitude, −180..=180.
    pub lon: f64,
}

/// What a medium is, as far as a reader must know to show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    /// A picture (a photo, a map, a scan).
    Image,
    /// A video (a file or a page of a video host).
    Video,
    /// A recording.
    Audio,
    /// A web page shown as it is (a post, a map service, a document viewer).
    Page,
    /// A document to open or download (a PDF).
    Document,
}

impl MediaKind {
    /// Every kind, in the order of the enum.
    pub const ALL: [MediaKind; 5] =
        [MediaKind::Image, MediaKind::Video, MediaKind::Audio, MediaKind::Page, MediaKind::Document];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Page => "page",
            MediaKind::Document => "document",
        }
    }

    /// What a link most likely is, from its address alone, for a medium whose file does not
    /// say (TimelineJS never does): a picture, sound or video file by its extension, the
    /// well-known video and audio hosts, a PDF; anything else is a page.
    pub fn guess(url: &str) -> MediaKind {
        let lower = url.to_ascii_lowercase();
        let path = lower.split(['?', '#']).next().unwrap_or(&lower);
        let host = path.split("://").nth(1).and_then(|r| r.split('/').next()).unwrap_or("");
        let host = host.strip_prefix("www.").unwrap_or(host);
        let ext = path.rsplit('/').next().and_then(|f| f.rsplit_once('.')).map_or("", |(_, e)| e);
        let on = |hosts: &[&str]| hosts.iter().any(|h| host == *h || host.ends_with(&format!(".{h}")));
        match ext {
            "jpg" | "jpeg" | "png" | "gif" | "webp" | "avif" | "svg" | "bmp" | "tif" | "tiff" => MediaKind::Image,
            "mp4" | "webm" | "ogv" | "mov" | "m4v" => MediaKind::Video,
            "mp3" | "ogg" | "oga" | "wav" | "m4a" | "flac" | "opus" => MediaKind::Audio,
            "pdf" => MediaKind::Document,
            _ if on(&["youtube.com", "youtu.be", "vimeo.com", "dailymotion.com"]) => MediaKind::Video,
            _ if on(&["soundcloud.com", "spotify.com"]) => MediaKind::Audio,
            _ if on(&["flickr.com", "imgur.com"]) || host == "upload.wikimedia.org" => MediaKind::Image,
            _ => MediaKind::Page,
        }
    }
}

/// A picture, video, recording, page or document that illustrates an event or a record's
/// introduction. It is linked, never copied: `url` is where it lives.
///
/// A medium illustrates; it does not vouch for the event (that is what sources do).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Media {
    /// Where it is (`http` or `https` only; required).
    #[serde(default)]
    pub url: String,
    /// What it is; when absent, a reader guesses from the address ([`Media::kind`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MediaKind>,
    /// A line shown with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Who made it or holds its rights ("Photo: president.az").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
    /// What it shows, for someone who cannot see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
    /// Its licence, as its publisher states it ("CC BY 4.0").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// A small picture of it (`http` or `https`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    /// Its own title (the title of the video or page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where a click on it leads, when not to `url` itself (`http` or `https`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl Media {
    /// A medium with only its address.
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), ..Self::default() }
    }

    /// What it is: the kind given, else guessed from the address ([`MediaKind::guess`]).
    pub fn kind(&self) -> MediaKind {
        self.kind.unwrap_or_else(|| MediaKind::guess(&self.url))
    }
}

/// The payload of every domain event. See the module docs for why it is one struct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainEvent {
    /// When it happened, as precisely as the sources say.
    pub occurred: Occurred,
    /// A one-line title.
    pub title: String,
    /// A few sentences, as plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The title with its markup (links, emphasis), when it came with some: the same words
    /// as `title`, in the inline subset of [`crate::html`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_html: Option<String>,
    /// The summary with its markup (paragraphs, lists, links, emphasis): the same words as
    /// `summary`, in the subset of [`crate::html`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_html: Option<String>,
    /// The language of `title` and `summary` (a BCP 47 tag); absent means English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The title in other languages, each the source's words or a translation ([`crate::lang`]).
    #[serde(default, deserialize_with = "lang::deserialize_texts", skip_serializing_if = "Texts::is_empty")]
    pub titles: Texts,
    /// The summary in other languages, likewise.
    #[serde(default, deserialize_with = "lang::deserialize_texts", skip_serializing_if = "Texts::is_empty")]
    pub summaries: Texts,
    /// A picture, video, recording, page or document that illustrates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<Media>,
    /// Actors with their roles (besides the visitor, host, parties, co-chairs and commission).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<Participant>,
    /// Places (actors of kind `place`) where it happened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<ActorId>,
    /// Where the facts come from; at least one.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Free tags, lowercase kebab-case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The visit this event belongs to (talks during a visit, a signing at a visit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<EventId>,
    /// Codes from the scheme an import came from (`{"cameo": "042"}`), kept as strings.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub codes: BTreeMap<String, String>,

    /// Visit: who travels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor: Option<ActorId>,
    /// Visit: who receives (usually the host country).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<ActorId>,
    /// Visit: its level, when a source states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<VisitLevel>,

    /// Signing: the parties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<ActorId>,
    /// Signing: the documents whose titles are known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
    /// Signing: the number of documents the source states (may exceed the known titles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,

    /// CommissionMeeting: which commission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commission: Option<ActorId>,
    /// CommissionMeeting: the session number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<u32>,
    /// CommissionMeeting: the co-chairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub co_chairs: Vec<ActorId>,
    /// CommissionMeeting: what it decided or discussed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<String>,
}

impl DomainEvent {
    /// A minimal event: a date, a title and nothing else (validation will ask for sources).
    pub fn new(occurred: Occurred, title: impl Into<String>) -> Self {
        Self {
            occurred,
            title: title.into(),
            summary: None,
            title_html: None,
            summary_html: None,
            lang: None,
            titles: Texts::new(),
            summaries: Texts::new(),
            media: None,
            actors: Vec::new(),
            places: Vec::new(),
            sources: Vec::new(),
            tags: Vec::new(),
            part_of: None,
            codes: BTreeMap::new(),
            visitor: None,
            host: None,
            level: None,
            parties: Vec::new(),
            documents: Vec::new(),
            count: None,
            commission: None,
            session: None,
            co_chairs: Vec::new(),
            outcomes: Vec::new(),
        }
    }

    /// Every actor taking part, with its role, from all the fields that name actors
    /// (places excluded), each actor once (its first role wins).
    pub fn participants(&self) -> Vec<(&ActorId, Role)> {
        let mut all: Vec<(&ActorId, Role)> = Vec::new();
        if let Some(v) = &self.visitor {
            all.push((v, Role::Visitor));
        }
        if let Some(h) = &self.host {
            all.push((h, Role::Host));
        }
        all.extend(self.parties.iter().map(|p| (p, Role::Party)));
        all.extend(self.co_chairs.iter().map(|p| (p, Role::CoChair)));
        if let Some(c) = &self.commission {
            all.push((c, Role::Participant));
        }
        all.extend(self.actors.iter().map(|p| (&p.actor, p.role)));
        let mut out: Vec<(&ActorId, Role)> = Vec::with_capacity(all.len());
        for (a, r) in all {
            if !out.iter().any(|(b, _)| *b == a) {
                out.push((a, r));
            }
        }
        out
    }

    /// Every actor id named as a participant, possibly more than once, without allocating.
    pub fn participant_ids(&self) -> impl Iterator<Item = &ActorId> {
        self.visitor
            .iter()
            .chain(self.host.iter())
            .chain(self.parties.iter())
            .chain(self.co_chairs.iter())
            .chain(self.commission.iter())
            .chain(self.actors.iter().map(|p| &p.actor))
    }

    /// The language of `title` and `summary`.
    pub fn lang(&self) -> &str {
        self.lang.as_deref().unwrap_or(lang::DEFAULT_LANG)
    }

    /// The title for a reader of language `want`, and the language it is in ([`lang::pick`]).
    pub fn title_for(&self, want: &str) -> Shown<'_> {
        lang::pick(&self.title, self.lang(), &self.titles, want)
    }

    /// The summary for a reader of language `want`, when there is one.
    pub fn summary_for(&self, want: &str) -> Option<Shown<'_>> {
        self.summary.as_deref().map(|s| lang::pick(s, self.lang(), &self.summaries, want))
    }

    /// Every text a search may find the event by: the title and summary in every language.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let own = std::iter::once(self.title.as_str()).chain(self.summary.as_deref());
        own.chain(self.titles.values().chain(self.summaries.values()).map(|t| t.text.as_str()))
    }

    /// The number of documents signed: the stated count, else the number of known titles.
    pub fn documents_signed(&self) -> u32 {
        self.count.unwrap_or(self.documents.len() as u32)
    }
}

/// A record's introduction: what a reader sees before the first event (TimelineJS's title
/// slide). The record's title is the document's `title`; this is the text and medium below it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Introduction {
    /// A few sentences, as plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The text with its markup: the same words as `text`, in the subset of [`crate::html`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_html: Option<String>,
    /// The text in other languages, each the source's words or a translation ([`crate::lang`]).
    #[serde(default, deserialize_with = "lang::deserialize_texts", skip_serializing_if = "Texts::is_empty")]
    pub texts: Texts,
    /// A picture, video, recording, page or document that illustrates the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<Media>,
    /// What the tool the file came from kept and Annals has no field for
    /// (`{"timelinejs:background.color": "#1a1a1a"}`), as for an event.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub codes: BTreeMap<String, String>,
}

impl Introduction {
    /// True when it says nothing.
    pub fn is_empty(&self) -> bool {
        self.text.is_none()
            && self.text_html.is_none()
            && self.texts.is_empty()
            && self.media.is_none()
            && self.codes.is_empty()
    }
}

/// The kind of an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    /// A state.
    Country,
    /// A person.
    Person,
    /// An organization (a ministry, an international body, a company).
    Organization,
    /// A joint commission.
    Commission,
    /// A city or other place.
    Place,
}

impl ActorKind {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            ActorKind::Country => "country",
            ActorKind::Person => "person",
            ActorKind::Organization => "organization",
            ActorKind::Commission => "commission",
            ActorKind::Place => "place",
        }
    }
}

/// Reference data: who or what an actor id stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorRegistration {
    /// The id events use for it.
    pub actor: ActorId,
    /// What it is.
    pub kind: ActorKind,
    /// Its names by language tag (`en` required): `{"en": "Minsk", "be": "Мінск"}`.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// ISO 3166-1 alpha-3 code of a country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso3: Option<String>,
    /// The country a person, place, organization belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<ActorId>,
    /// A person's office at the time of the record ("President of Belarus").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    /// A country's capital (a place actor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capital: Option<ActorId>,
    /// Where a place is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordinates: Option<Coordinates>,
    /// Members of a commission or organization.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<ActorId>,
    /// Where the facts about it come from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// Codes from other schemes (`{"cameo": "BLR", "fips": "BO"}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub codes: BTreeMap<String, String>,
}

impl ActorRegistration {
    /// An actor with only its kind and English name; the other facts are added field by field.
    pub fn new(actor: impl Into<ActorId>, kind: ActorKind, english_name: impl Into<String>) -> Self {
        Self {
            actor: actor.into(),
            kind,
            names: BTreeMap::from([("en".to_owned(), english_name.into())]),
            iso3: None,
            country: None,
            office: None,
            capital: None,
            coordinates: None,
            members: Vec::new(),
            sources: Vec::new(),
            codes: BTreeMap::new(),
        }
    }

    /// The English name, else any name, else the id.
    pub fn name(&self) -> &str {
        self.names.get("en").or_else(|| self.names.values().next()).map_or(self.actor.as_str(), String::as_str)
    }

    /// The name in a language, falling back to English.
    pub fn name_in(&self, lang: &str) -> &str {
        self.names.get(lang).map_or_else(|| self.name(), String::as_str)
    }

    /// The name for a reader of a BCP 47 language tag: the name in that exact tag
    /// (`sr-Latn`), else in its primary language (`ru` for `ru-BY`), else English.
    pub fn name_for(&self, tag: &str) -> &str {
        let primary = tag.split(['-', '_']).next().unwrap_or(tag);
        let wanted = |k: &String| k.eq_ignore_ascii_case(tag) || k.eq_ignore_ascii_case(primary);
        let exact = self.names.iter().find(|(k, _)| k.eq_ignore_ascii_case(tag));
        exact.or_else(|| self.names.iter().find(|(k, _)| wanted(k))).map_or_else(|| self.name(), |(_, v)| v.as_str())
    }
}

/// A correction of an earlier event: a JSON merge patch (RFC 7396) over its payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The event corrected.
    pub target: EventId,
    /// The fields that change; `null` removes a field.
    pub changes: serde_json::Map<String, Value>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the correction rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// The withdrawal of an earlier event: it did not happen, or was recorded in error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retraction {
    /// The event retracted.
    pub target: EventId,
    /// Why.
    #[serde(default)]
    pub reason: String,
    /// What the retraction rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// One side of a dispute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// The value this side gives for the disputed field.
    pub value: Value,
    /// Who says so.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// A remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Sources that disagree about one field of an event. The record keeps every claim and
/// resolves none of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dispute {
    /// The event in dispute.
    pub target: EventId,
    /// The field in dispute (`occurred`, `count`, or a named claim such as `first_official_visit`).
    pub field: String,
    /// At least two claims.
    #[serde(default)]
    pub claims: Vec<Claim>,
    /// A remark on the dispute, in the record's own language (English).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The remark in other languages, as titles are ([`crate::lang`]): the editors' words, so
    /// each says whether it is a translation.
    #[serde(default, deserialize_with = "lang::deserialize_texts", skip_serializing_if = "Texts::is_empty")]
    pub notes: Texts,
}

impl Dispute {
    /// The remark in the reader's language where the record has it.
    pub fn note_in(&self, want: &str) -> Option<Shown<'_>> {
        self.note.as_deref().map(|n| lang::pick(n, lang::DEFAULT_LANG, &self.notes, want))
    }
}

/// Any event of the log.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Something that happened between states.
    Domain(EventKind, Arc<DomainEvent>),
    /// An actor is named and described.
    ActorRegistered(Box<ActorRegistration>),
    /// An earlier event is corrected.
    Corrected(Box<Correction>),
    /// An earlier event is retracted.
    Retracted(Box<Retraction>),
    /// Sources disagree about an earlier event.
    Disputed(Box<Dispute>),
}

/// The types of the events that are not domain events, as written in files.
const OTHER_TYPES: [&str; 4] = ["ActorRegistered", "Corrected", "Retracted", "Disputed"];

/// The name of each event type as written in files (`type`): the kinds, then the others.
pub const EVENT_TYPES: [&str; EventKind::COUNT + OTHER_TYPES.len()] = {
    let mut all = [""; EventKind::COUNT + OTHER_TYPES.len()];
    let mut i = 0;
    while i < all.len() {
        all[i] = if i < EventKind::COUNT { EventKind::ALL[i].name() } else { OTHER_TYPES[i - EventKind::COUNT] };
        i += 1;
    }
    all
};

impl Event {
    /// The type name written in files.
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::Domain(kind, _) => kind.name(),
            Event::ActorRegistered(_) => "ActorRegistered",
            Event::Corrected(_) => "Corrected",
            Event::Retracted(_) => "Retracted",
            Event::Disputed(_) => "Disputed",
        }
    }

    /// The event another event refers to (correction, retraction, dispute).
    pub fn target(&self) -> Option<&EventId> {
        match self {
            Event::Corrected(c) => Some(&c.target),
            Event::Retracted(r) => Some(&r.target),
            Event::Disputed(d) => Some(&d.target),
            _ => None,
        }
    }

    /// The payload as JSON.
    pub fn payload(&self) -> Value {
        match self {
            Event::Domain(_, e) => json_value(&**e),
            Event::ActorRegistered(a) => json_value(&**a),
            Event::Corrected(c) => json_value(&**c),
            Event::Retracted(r) => json_value(&**r),
            Event::Disputed(d) => json_value(&**d),
        }
    }
}

/// A payload as a JSON `Value`, by way of its text: written by the serializer that writes
/// envelopes (an export, an import, a log) and read back by `Value`'s reader.
///
/// *Why not `serde_json::to_value`:* that is a second serializer, and every payload type's
/// derived `Serialize` is instantiated once per serializer: the `Value` one was ~30 KB of the
/// browser bundle's code (before optimisation), for a correction's patch only. The text is
/// the same JSON (numbers are written so that they read back equal), so the `Value` is too.
/// Serializing these plain structs cannot fail: no maps with non-string keys, no non-finite
/// floats reach here unchecked (coordinates are validated).
pub fn json_value<T: Serialize + ?Sized>(payload: &T) -> Value {
    serde_json::to_string(payload).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or(Value::Null)
}

/// A JSON `Value` as compact text, the same as its `Display`. *Why not `to_string()`:* that
/// writes through a formatter adapter, a second instantiation of `Value`'s serializer beside
/// the one that writes payloads and envelopes (the browser bundle's code counts it).
pub fn json_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn republished_and_cited_pages_count_as_their_origin() {
        let from = |publisher: &str| Source { publisher: publisher.into(), ..Source::default() };
        let cases = [
            ("BelTA (eng.belta.by)", "belta"),
            ("BelTA, German service (deu.belta.by)", "belta"),
            ("News.az, citing BelTA (news.az)", "belta"),
            ("Dikgazete, from Anadolu Agency (dikgazete.com)", "anadolu agency"),
            ("AzerNews, republished by MENAFN (menafn.com)", "azernews"),
            ("ekosular.az", "ekosular.az"),
        ];
        for (publisher, origin) in cases {
            assert_eq!(from(publisher).origin(), origin, "{publisher}");
        }
        let sources: Vec<Source> = ["BelTA (belta.by)", "News.az, citing BelTA (news.az)", "News.az (news.az)", " "]
            .into_iter()
            .map(from)
            .collect();
        assert_eq!(independent_publishers(&sources, &str::to_lowercase), 2);
    }
}
