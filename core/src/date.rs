//! Dates as the sources give them.
//!
//! A source may say "2009", "February 2024" or "16 May 2024". Annals keeps exactly that
//! precision: a [`PartialDate`] never gains a month or a day it was not given, and a
//! year-only event is drawn over its whole year and labelled "2009", never "1 Jan 2009".
//! [`Occurred`] is a partial date or a closed range of two (a three-day visit).
//!
//! Day arithmetic is done on a proleptic Gregorian day number (days since 1970-01-01),
//! with no dependency on a date library and no clock: the caller hands in every time.
//! [`Timestamp`] is the "recorded at" clock of the log, in UTC milliseconds.
//!
//! **Deep time.** A year may lie far outside the calendar's four digits — the Big Bang
//! is year −13,800,000,000 in TimelineJS's cosmology template — so years and day numbers are
//! `i64` (a day number of [`MIN_YEAR`] is about 3.7 × 10¹³, which a JavaScript number still
//! holds exactly). Such a date is known to the year only: nobody dates the Big Bang to a
//! month, so a month or a day with a year beyond [`CALENDAR_YEARS`] is refused
//! ([`DateError::DeepPrecision`]) rather than kept as a precision no source has. It is
//! written with its sign and no padding (`-13800000000`, `+12000`, the ISO 8601 expanded
//! form); the four-digit forms are unchanged. Its label counts years before now
//! ("13.8 billion years ago"): a year as far back as that is a count of years before now in
//! the sources that give it, and the two thousand years between year 0 and now are below
//! what such a date claims to know.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::problem::Said;
use crate::says;

/// Earliest year accepted in a date: 100 billion years ago (the universe is 13.8 billion
/// years old).
pub const MIN_YEAR: i64 = -100_000_000_000;
/// Latest year accepted in a date.
pub const MAX_YEAR: i64 = 100_000_000_000;
/// The years written with four digits, which may carry a month and a day. Beyond them a date
/// is known to the year only.
pub const CALENDAR_YEARS: std::ops::RangeInclusive<i64> = -9999..=9999;

/// How much of a date the source gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Only the year is known.
    Year,
    /// Year and month are known.
    Month,
    /// The full date is known.
    Day,
}

/// Why a date string was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The text is not `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (or a signed year of more digits).
    Syntax(String),
    /// The year is outside [`MIN_YEAR`]..=[`MAX_YEAR`].
    Year(i64),
    /// A month or a day with a year beyond [`CALENDAR_YEARS`].
    DeepPrecision(i64),
    /// The month is not 1..=12.
    Month(u32),
    /// The day does not exist in that month.
    Day {
        /// Year of the date.
        year: i64,
        /// Month of the date.
        month: u8,
        /// The day that was given.
        day: u32,
    },
    /// A range whose end lies before its start.
    Backwards {
        /// Start of the range.
        start: PartialDate,
        /// End of the range.
        end: PartialDate,
    },
    /// A timestamp that is not RFC 3339.
    Timestamp(String),
}

impl DateError {
    /// What is wrong, in words with its values apart.
    pub fn said(&self) -> Said {
        match self {
            DateError::Syntax(s) => says!(
                "expected a date as YYYY, YYYY-MM or YYYY-MM-DD (or a year beyond 9999 with its sign, such as -13800000000), found {0}",
                format!("{s:?}")
            ),
            DateError::Year(y) => says!("year {0} is outside the years Annals reads ({1} to {2})", y, MIN_YEAR, MAX_YEAR),
            DateError::DeepPrecision(y) => says!(
                "year {0} lies beyond the calendar years (-9999 to 9999), where Annals keeps a date to the year only; give the year without a month or day",
                y
            ),
            DateError::Month(m) => says!("month {0} is not between 1 and 12", m),
            DateError::Day { year, month, day } => says!("day {0} does not exist in {1}", day, format!("{year:04}-{month:02}")),
            DateError::Backwards { start, end } => says!("range ends ({0}) before it starts ({1})", end, start),
            DateError::Timestamp(s) => {
                says!("expected an RFC 3339 timestamp such as 2024-05-16T09:30:00Z, found {0}", format!("{s:?}"))
            }
        }
    }

    /// The error as serde's decoder carries it (see [`Said::carried`]).
    fn carried<E: serde::de::Error>(self) -> E {
        E::custom(self.said().carried())
    }
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.said().fmt(f)
    }
}

impl std::error::Error for DateError {}

/// A date known to the year, the month or the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    year: i64,
    month: Option<u8>,
    day: Option<u8>,
}

impl PartialDate {
    /// A date known only to the year.
    pub fn year(year: i64) -> Result<Self, DateError> {
        check_year(year)?;
        Ok(Self { year, month: None, day: None })
    }

    /// A date known to the month (a year of [`CALENDAR_YEARS`]).
    pub fn month(year: i64, month: u32) -> Result<Self, DateError> {
        check_calendar_year(year)?;
        let month = check_month(month)?;
        Ok(Self { year, month: Some(month), day: None })
    }

    /// A full date (a year of [`CALENDAR_YEARS`]).
    pub fn day(year: i64, month: u32, day: u32) -> Result<Self, DateError> {
        check_calendar_year(year)?;
        let m = check_month(month)?;
        if day == 0 || day > u32::from(days_in_month(year, m)) {
            return Err(DateError::Day { year, month: m, day });
        }
        Ok(Self { year, month: Some(m), day: Some(day as u8) })
    }

    /// The date of a day number (days since 1970-01-01): the full date, or beyond
    /// [`CALENDAR_YEARS`] its year alone (a deep year has no month or day), clamped to the
    /// years Annals reads.
    pub fn from_day_number(days: i64) -> Self {
        let (y, m, d) = civil_from_days(days);
        if CALENDAR_YEARS.contains(&y) {
            Self { year: y, month: Some(m), day: Some(d) }
        } else {
            Self { year: y.clamp(MIN_YEAR, MAX_YEAR), month: None, day: None }
        }
    }

    /// The year.
    pub fn year_value(&self) -> i64 {
        self.year
    }

    /// Whether the year lies beyond [`CALENDAR_YEARS`] (such a date is known to the year only).
    pub fn is_deep(&self) -> bool {
        !CALENDAR_YEARS.contains(&self.year)
    }

    /// The month, when known.
    pub fn month_value(&self) -> Option<u8> {
        self.month
    }

    /// The day of the month, when known.
    pub fn day_value(&self) -> Option<u8> {
        self.day
    }

    /// How much of the date is known.
    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (None, _) => Precision::Year,
            (Some(_), None) => Precision::Month,
            (Some(_), Some(_)) => Precision::Day,
        }
    }

    /// The first day this date may mean, as a day number.
    pub fn first_day(&self) -> i64 {
        days_from_civil(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// The last day this date may mean, as a day number.
    pub fn last_day(&self) -> i64 {
        match (self.month, self.day) {
            (Some(m), Some(d)) => days_from_civil(self.year, m, d),
            (Some(m), None) => days_from_civil(self.year, m, days_in_month(self.year, m)),
            (None, _) => days_from_civil(self.year, 12, 31),
        }
    }

    /// A label for people, in English, that says no more than is known:
    /// "2009", "May 2024", "16 May 2024", "15 March 44 BC"; beyond the calendar years "13.8
    /// billion years ago", "315,000 years ago", "year 12,000".
    pub fn label(&self) -> String {
        let year = calendar_year_label(self.year);
        match (self.month, self.day) {
            (None, _) if self.is_deep() => deep_year_label(self.year),
            (None, _) => year,
            (Some(m), None) => format!("{} {year}", MONTHS[usize::from(m) - 1]),
            (Some(m), Some(d)) => format!("{} {} {year}", d, MONTHS[usize::from(m) - 1]),
        }
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Partial dates order by the first day they may mean, then the coarser first, so that
/// "2024" sorts before "2024-01" before "2024-01-01".
impl Ord for PartialDate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.first_day().cmp(&other.first_day()).then(self.precision().cmp(&other.precision()))
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A calendar year in English as people read it: "2009", and a year before the common era
/// with its era, "3500 BC" (the year `-3500`; a sign is how a file writes it, not how a reader
/// says it).
pub fn calendar_year_label(year: i64) -> String {
    if year < 0 {
        format!("{} BC", year.unsigned_abs())
    } else {
        year.to_string()
    }
}

/// The label of a year beyond the calendar years, in English: years before now for the past
/// ("13.8 billion years ago", exact to the year: "13.79963 billion years ago"), the year for
/// the future ("year 12,000").
pub fn deep_year_label(year: i64) -> String {
    let number = large_number(year.unsigned_abs());
    if year < 0 {
        format!("{number} years ago")
    } else {
        format!("year {number}")
    }
}

/// A count in English words for people, exact: "315,000", "538.8 million", "13.79963 billion".
pub fn large_number(n: u64) -> String {
    let (unit, name) = match n {
        1_000_000_000.. => (1_000_000_000, "billion"),
        1_000_000.. => (1_000_000, "million"),
        _ => {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            return out;
        }
    };
    let (whole, part) = (n / unit, n % unit);
    if part == 0 {
        return format!("{whole} {name}");
    }
    let width = unit.ilog10() as usize;
    let fraction = format!("{part:0width$}");
    format!("{}.{} {name}", large_number(whole), fraction.trim_end_matches('0'))
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_deep() {
            // The ISO 8601 expanded form: a sign, then the year's digits.
            return write!(f, "{}{}", if self.year < 0 { '-' } else { '+' }, self.year.unsigned_abs());
        }
        if self.year < 0 {
            write!(f, "-{:04}", -self.year)?;
        } else {
            write!(f, "{:04}", self.year)?;
        }
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl FromStr for PartialDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let syntax = || DateError::Syntax(s.to_owned());
        let (sign, body) = match s.as_bytes().first() {
            Some(b'-') => (Some(-1), &s[1..]),
            Some(b'+') => (Some(1), &s[1..]),
            _ => (None, s),
        };
        let mut parts = body.split('-');
        let year_text = parts.next().ok_or_else(syntax)?;
        if !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(syntax());
        }
        // Four digits, or more with a sign and no leading zero (the ISO 8601 expanded form).
        match year_text.len() {
            4 if sign != Some(1) => {}
            5.. if sign.is_some() && !year_text.starts_with('0') => {}
            _ => return Err(syntax()),
        }
        let year = match year_text.parse::<i64>() {
            Ok(y) => y * sign.unwrap_or(1),
            // Too many digits for any year.
            Err(_) => return Err(DateError::Year(if sign == Some(-1) { i64::MIN } else { i64::MAX })),
        };
        check_year(year)?;
        let two_digits = |part: Option<&str>| -> Result<Option<u32>, DateError> {
            match part {
                None => Ok(None),
                Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
                    p.parse().map(Some).map_err(|_| syntax())
                }
                Some(_) => Err(syntax()),
            }
        };
        let month = two_digits(parts.next())?;
        let day = two_digits(parts.next())?;
        if parts.next().is_some() {
            return Err(syntax());
        }
        match (month, day) {
            (None, _) => Self::year(year),
            (Some(m), None) => Self::month(year, m),
            (Some(m), Some(d)) => Self::day(year, m, d),
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(DateError::carried)
    }
}

/// When an event happened: one partial date, or a closed range of two.
///
/// Written `2024-05-16` or `2024-05-16/2024-05-17` (the ISO 8601 interval form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Occurred {
    start: PartialDate,
    end: Option<PartialDate>,
}

impl Occurred {
    /// A single (partial) date.
    pub fn on(date: PartialDate) -> Self {
        Self { start: date, end: None }
    }

    /// A range; the end may not lie before the start.
    pub fn between(start: PartialDate, end: PartialDate) -> Result<Self, DateError> {
        if end.last_day() < start.first_day() || end.first_day() < start.first_day() {
            return Err(DateError::Backwards { start, end });
        }
        if start == end {
            return Ok(Self::on(start));
        }
        Ok(Self { start, end: Some(end) })
    }

    /// The start (or the only date).
    pub fn start(&self) -> PartialDate {
        self.start
    }

    /// The end of a range.
    pub fn end(&self) -> Option<PartialDate> {
        self.end
    }

    /// The coarsest precision of the two ends.
    pub fn precision(&self) -> Precision {
        match self.end {
            Some(end) => self.start.precision().min(end.precision()),
            None => self.start.precision(),
        }
    }

    /// The first day this may mean.
    pub fn first_day(&self) -> i64 {
        self.start.first_day()
    }

    /// The last day this may mean.
    pub fn last_day(&self) -> i64 {
        self.end.unwrap_or(self.start).last_day()
    }

    /// The latest day on which the event may have begun: an event dated "2009" has
    /// certainly begun only by 31 December 2009.
    pub fn certain_start_day(&self) -> i64 {
        self.start.last_day()
    }

    /// A label for people: "2009", "May 2024", "16–17 May 2024", "17 October 2006 – 18 October 2006".
    pub fn label(&self) -> String {
        let Some(end) = self.end else {
            return self.start.label();
        };
        let (s, e) = (self.start, end);
        if s.precision() == Precision::Day && e.precision() == Precision::Day && s.year == e.year && s.month == e.month
        {
            if let (Some(sd), Some(_)) = (s.day, e.day) {
                let month_year = e.label();
                let rest = month_year.split_once(' ').map_or("", |(_, r)| r);
                return format!("{sd}–{} {rest}", e.day.unwrap_or(sd));
            }
        }
        format!("{} – {}", s.label(), e.label())
    }
}

impl Ord for Occurred {
    fn cmp(&self, other: &Self) -> Ordering {
        self.start.cmp(&other.start).then(self.last_day().cmp(&other.last_day()))
    }
}

impl PartialOrd for Occurred {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<PartialDate> for Occurred {
    fn from(date: PartialDate) -> Self {
        Self::on(date)
    }
}

impl fmt::Display for Occurred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            Some(end) => write!(f, "{}/{}", self.start, end),
            None => write!(f, "{}", self.start),
        }
    }
}

impl FromStr for Occurred {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('/') {
            Some((a, b)) => Self::between(a.trim().parse()?, b.trim().parse()?),
            None => Ok(Self::on(s.trim().parse()?)),
        }
    }
}

impl Serialize for Occurred {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Occurred {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(DateError::carried)
    }
}

/// A moment in UTC, in milliseconds since 1970-01-01T00:00:00Z: when the log learned an event.
///
/// Core never reads a clock; the caller passes the time in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Milliseconds since the Unix epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// The calendar day (day number) of this moment in UTC.
    pub fn day_number(self) -> i64 {
        self.0.div_euclid(86_400_000)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = self.day_number();
        let ms = self.0.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(day);
        let (h, min, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        write!(f, "{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}")?;
        if milli != 0 {
            write!(f, ".{milli:03}")?;
        }
        f.write_str("Z")
    }
}

impl FromStr for Timestamp {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateError::Timestamp(s.to_owned());
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u32, DateError> {
            let part = s.get(r).ok_or_else(err)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err());
            }
            part.parse().map_err(|_| err())
        };
        let date = PartialDate::day(i64::from(num(0..4)?), num(5..7)?, num(8..10)?).map_err(|_| err())?;
        if b[13] != b':' || b[16] != b':' {
            return Err(err());
        }
        let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if h > 23 || mi > 59 || se > 60 {
            return Err(err());
        }
        let mut i = 19;
        let mut millis = 0i64;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return Err(err());
            }
            let frac = &s[start..i.min(start + 3)];
            millis = frac.parse::<i64>().map_err(|_| err())? * 10i64.pow(3 - frac.len() as u32);
        }
        let offset_min: i64 = match &s[i..] {
            "Z" | "z" => 0,
            tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) && tz.as_bytes()[3] == b':' => {
                let oh = num(i + 1..i + 3)? as i64;
                let om = num(i + 4..i + 6)? as i64;
                if oh > 23 || om > 59 {
                    return Err(err());
                }
                let sign = if tz.starts_with('-') { -1 } else { 1 };
                sign * (oh * 60 + om)
            }
            _ => return Err(err()),
        };
        let secs = date.first_day() * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(se.min(59))
            - offset_min * 60;
        Ok(Self(secs * 1000 + millis))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(DateError::carried)
    }
}

fn check_year(year: i64) -> Result<(), DateError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(DateError::Year(year))
    }
}

fn check_calendar_year(year: i64) -> Result<(), DateError> {
    check_year(year)?;
    if CALENDAR_YEARS.contains(&year) {
        Ok(())
    } else {
        Err(DateError::DeepPrecision(year))
    }
}

fn check_month(month: u32) -> Result<u8, DateError> {
    if (1..=12).contains(&month) {
        Ok(month as u8)
    } else {
        Err(DateError::Month(month))
    }
}

/// Whether a year is a leap year in the proleptic Gregorian calendar.
pub fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in a month (1-based) of a year.
pub fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Hinnant's algorithm), for any year Annals reads
/// (no overflow within ±10¹⁴ years).
pub fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let y = year - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day number.
pub fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (y + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, display: &str, label: &str, precision: Precision) {
        let date: PartialDate = input.parse().expect(input);
        assert_eq!(date.to_string(), display);
        assert_eq!(date.label(), label);
        assert_eq!(date.precision(), precision);
    }

    #[test]
    fn partial_dates_keep_their_precision() {
        check("2009", "2009", "2009", Precision::Year);
        check("2024-02", "2024-02", "February 2024", Precision::Month);
        check("2024-05-16", "2024-05-16", "16 May 2024", Precision::Day);
        check("-0044-03-15", "-0044-03-15", "15 March 44 BC", Precision::Day);
        check("-3500", "-3500", "3500 BC", Precision::Year);
        check("-0001-12", "-0001-12", "December 1 BC", Precision::Month);
    }

    #[test]
    fn bad_dates_are_rejected_with_reasons() {
        for (input, expected) in [
            ("2024-13", DateError::Month(13)),
            ("2023-02-29", DateError::Day { year: 2023, month: 2, day: 29 }),
            ("24-05-16", DateError::Syntax("24-05-16".into())),
            ("2024-5-16", DateError::Syntax("2024-5-16".into())),
            ("2024-05-16T10:00", DateError::Syntax("2024-05-16T10:00".into())),
            ("", DateError::Syntax(String::new())),
            ("12345", DateError::Syntax("12345".into())),
            ("02021", DateError::Syntax("02021".into())),
        ] {
            assert_eq!(input.parse::<PartialDate>(), Err(expected), "{input}");
        }
        assert!("2024-02-29".parse::<PartialDate>().is_ok());
    }

    #[test]
    fn spans_cover_what_is_unknown() {
        let year: PartialDate = "2024".parse().expect("year");
        assert_eq!(PartialDate::from_day_number(year.first_day()).to_string(), "2024-01-01");
        assert_eq!(PartialDate::from_day_number(year.last_day()).to_string(), "2024-12-31");
        let feb: PartialDate = "2024-02".parse().expect("month");
        assert_eq!(PartialDate::from_day_number(feb.last_day()).to_string(), "2024-02-29");
    }

    #[test]
    fn ranges_parse_label_and_reject_backwards() {
        let visit: Occurred = "2024-05-16/2024-05-17".parse().expect("range");
        assert_eq!(visit.label(), "16–17 May 2024");
        assert_eq!(visit.last_day() - visit.first_day(), 1);
        let long: Occurred = "2006-10-30/2006-11-02".parse().expect("range");
        assert_eq!(long.label(), "30 October 2006 – 2 November 2006");
        assert!(matches!("2024-05-17/2024-05-16".parse::<Occurred>(), Err(DateError::Backwards { .. })));
        assert!(matches!("2024/2023".parse::<Occurred>(), Err(DateError::Backwards { .. })));
        let same: Occurred = "2024/2024".parse().expect("same");
        assert_eq!(same.to_string(), "2024");
    }

    #[test]
    fn day_numbers_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn timestamps_round_trip_and_honour_offsets() {
        let t: Timestamp = "2024-05-16T09:30:00Z".parse().expect("ts");
        assert_eq!(t.to_string(), "2024-05-16T09:30:00Z");
        let with_offset: Timestamp = "2024-05-16T13:30:00.250+04:00".parse().expect("ts");
        assert_eq!(with_offset.0 - t.0, 250);
        assert_eq!(with_offset.to_string(), "2024-05-16T09:30:00.250Z");
        assert!("2024-05-16".parse::<Timestamp>().is_err());
        assert!("2024-05-16T25:00:00Z".parse::<Timestamp>().is_err());
        assert!("2024-05-16T10:00:00+0400".parse::<Timestamp>().is_err());
    }

    #[test]
    fn order_puts_coarse_dates_first() {
        let mut dates: Vec<PartialDate> =
            ["2024-01-01", "2024", "2023-12-31", "2024-01"].iter().map(|s| s.parse().expect("d")).collect();
        dates.sort();
        let text: Vec<String> = dates.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["2023-12-31", "2024", "2024-01", "2024-01-01"]);
    }

    #[test]
    fn deep_years_are_read_to_the_year_and_written_back() {
        check("-13800000000", "-13800000000", "13.8 billion years ago", Precision::Year);
        check("-13799630000", "-13799630000", "13.79963 billion years ago", Precision::Year);
        check("-538800000", "-538800000", "538.8 million years ago", Precision::Year);
        check("-315000", "-315000", "315,000 years ago", Precision::Year);
        check("-10000", "-10000", "10,000 years ago", Precision::Year);
        check("+12000", "+12000", "year 12,000", Precision::Year);
        check("-9999", "-9999", "9999 BC", Precision::Year);
        let big_bang = PartialDate::year(-13_800_000_000).expect("year");
        assert_eq!(big_bang.to_string().parse::<PartialDate>(), Ok(big_bang));
        assert_eq!(PartialDate::year(MIN_YEAR).map(|d| d.to_string()), Ok("-100000000000".to_owned()));
    }

    #[test]
    fn a_deep_year_never_gains_a_month_or_a_day() {
        for (input, expected) in [
            ("-13800000000-05", DateError::DeepPrecision(-13_800_000_000)),
            ("-13800000000-05-16", DateError::DeepPrecision(-13_800_000_000)),
            ("+12000-01", DateError::DeepPrecision(12_000)),
            ("13800000000", DateError::Syntax("13800000000".into())),
            ("-013800000000", DateError::Syntax("-013800000000".into())),
            ("+2024", DateError::Syntax("+2024".into())),
            ("+0012000", DateError::Syntax("+0012000".into())),
            ("-100000000001", DateError::Year(-100_000_000_001)),
            ("-99999999999999999999", DateError::Year(i64::MIN)),
        ] {
            assert_eq!(input.parse::<PartialDate>(), Err(expected), "{input}");
        }
        assert_eq!(PartialDate::day(-10_000, 1, 1), Err(DateError::DeepPrecision(-10_000)));
        assert_eq!(PartialDate::month(10_000, 1), Err(DateError::DeepPrecision(10_000)));
        let message = "-13800000000-05".parse::<PartialDate>().map_err(|e| e.to_string());
        assert_eq!(
            message,
            Err("year -13800000000 lies beyond the calendar years (-9999 to 9999), where Annals keeps a date to the year only; give the year without a month or day".to_owned())
        );
        // A day number far back is its year alone.
        let day = PartialDate::year(-4_600_000_000).expect("year").first_day();
        assert_eq!(PartialDate::from_day_number(day).to_string(), "-4600000000");
        assert_eq!(PartialDate::from_day_number(i64::MIN / 4).to_string(), "-100000000000");
    }

    #[test]
    fn deep_years_sort_and_span_their_years() {
        let mut dates: Vec<PartialDate> = ["-3500", "-315000", "-13800000000", "2024", "-4600000000", "-13799630000"]
            .iter()
            .map(|s| s.parse().expect("d"))
            .collect();
        dates.sort();
        let text: Vec<String> = dates.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["-13800000000", "-13799630000", "-4600000000", "-315000", "-3500", "2024"]);
        let era: Occurred = "-538800000/-251902000".parse().expect("range");
        assert_eq!(era.label(), "538.8 million years ago – 251.902 million years ago");
        let year = PartialDate::year(-13_800_000_000).expect("year");
        // A whole year: a leap year, as the proleptic Gregorian calendar has it (divisible by 400).
        assert_eq!(year.last_day() - year.first_day(), 365);
        for year in [MIN_YEAR, -13_800_000_000, -4_600_000_001, MAX_YEAR] {
            let first = days_from_civil(year, 1, 1);
            assert_eq!(civil_from_days(first), (year, 1, 1));
            assert_eq!(civil_from_days(first - 1), (year - 1, 12, 31));
            // A JavaScript number holds the day number exactly.
            assert!(first.unsigned_abs() < 1 << 53);
        }
    }
}
