// Deterministic synthetic events for the browser benchmark, written two ways: as an Annals NDJSON
// log and as vis-timeline items and groups, so both tools are handed the same events.
//
// The mix: kinds Visit / Talks / Call / Statement / Other; dates uniform over 1950–2025; 85% full
// dates (a third of the visits among them span 1–5 days), 10% "YYYY-MM", 5% "YYYY"; 40 countries.

/** Countries in the synthetic record. */
export const COUNTRIES = 40;
/** The kinds generated, with their weights (percent). */
const KIND_WEIGHTS = [
  ['Visit', 25],
  ['Talks', 20],
  ['Call', 20],
  ['Statement', 25],
  ['Other', 10],
];
/** Every domain kind, in the order Annals draws its lanes; vis-timeline gets one group each. */
export const ALL_KINDS = ['Visit', 'Signing', 'CommissionMeeting', 'Talks', 'Call', 'Statement', 'Other'];

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(1950, 0, 1) / DAY_MS;
const LAST_DAY = Date.UTC(2025, 11, 31) / DAY_MS;
const SOURCES = [{ publisher: 'Synthetic Wire', title: 'Generated report' }];

/** SplitMix64 (the generator `annals_core::synth` uses), as floats in [0, 1). */
function splitmix64(seed) {
  let state = BigInt.asUintN(64, BigInt(seed));
  return () => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    return Number(z >> 11n) / 2 ** 53;
  };
}

const pad = (n, width = 2) => String(n).padStart(width, '0');
const isoDay = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * `n` events, sorted by first day (ids `e1`…`eN` in that order). Each is
 * `{ id, kind, occurred, title, actors, first, last }` where `first`/`last` are ISO days (the
 * last one inclusive) covering what `occurred` says.
 */
export function generate(n, seed = 20_261_126) {
  const random = splitmix64(seed);
  const int = (below) => Math.floor(random() * below);
  const pickKind = () => {
    let r = random() * 100;
    for (const [kind, weight] of KIND_WEIGHTS) {
      if ((r -= weight) < 0) return kind;
    }
    return KIND_WEIGHTS.at(-1)[0];
  };
  const countries = (count) => {
    const chosen = new Set();
    while (chosen.size < count) chosen.add(`c${int(COUNTRIES)}`);
    return [...chosen];
  };
  const raw = [];
  for (let i = 0; i < n; i += 1) {
    const kind = pickKind();
    const day = FIRST_DAY + int(LAST_DAY - FIRST_DAY + 1);
    const date = new Date(day * DAY_MS);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    const precision = random();
    let occurred;
    let first;
    let last;
    if (precision < 0.05) {
      occurred = String(year);
      first = `${year}-01-01`;
      last = `${year}-12-31`;
    } else if (precision < 0.15) {
      occurred = `${year}-${pad(month)}`;
      first = `${occurred}-01`;
      last = isoDay(Date.UTC(year, month, 1) / DAY_MS - 1);
    } else if (kind === 'Visit' && random() < 0.35) {
      const end = Math.min(day + 1 + int(5), LAST_DAY);
      occurred = `${isoDay(day)}/${isoDay(end)}`;
      first = isoDay(day);
      last = isoDay(end);
    } else {
      occurred = isoDay(day);
      first = occurred;
      last = occurred;
    }
    const actors = countries(kind === 'Visit' ? 2 : 1 + int(3));
    raw.push({ kind, occurred, first, last, actors, order: i });
  }
  raw.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.order - b.order));
  return raw.map((e, i) => ({ ...e, id: `e${i + 1}`, title: `${e.kind} ${i + 1}` }));
}

/** The events as Annals records (actors first), as the service's `POST …/events` takes them. */
export function toRecords(events) {
  const records = [];
  for (let c = 0; c < COUNTRIES; c += 1) {
    records.push({ id: `actor:c${c}`, type: 'ActorRegistered', payload: { actor: `c${c}`, kind: 'country', names: { en: `Country ${c}` } } });
  }
  for (const e of events) {
    const payload = { occurred: e.occurred, title: e.title };
    if (e.kind === 'Visit') {
      [payload.visitor, payload.host] = e.actors;
    } else {
      payload.actors = e.actors.map((actor) => ({ actor }));
    }
    payload.sources = SOURCES;
    records.push({ id: e.id, type: e.kind, payload });
  }
  return records;
}

/** The events as an Annals NDJSON log (actors first), one record per line. */
export function toNdjson(events) {
  const lines = [`// ${events.length} synthetic events for the browser benchmark (tests/e2e/bench/events.mjs)`];
  for (const record of toRecords(events)) lines.push(JSON.stringify(record));
  return `${lines.join('\n')}\n`;
}

/**
 * The events as vis-timeline data: `{ groups, items }`. A single day is a point item; a month, a
 * year or a visit range is a range item from its first day to the day after its last, the same
 * span Annals draws.
 */
export function toVisData(events) {
  const groups = ALL_KINDS.map((kind, order) => ({ id: kind, content: kind, order }));
  const items = events.map((e) => {
    const item = { id: e.id, content: e.title, start: e.first, group: e.kind };
    if (e.occurred !== e.first) item.end = isoDay(Date.parse(e.last) / DAY_MS + 1);
    return item;
  });
  return { groups, items };
}

/** The all-time window Annals opens on: the extent padded by 4% (at least 30 days) each side. */
export function allTime(events) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of events) {
    lo = Math.min(lo, Date.parse(e.first) / DAY_MS);
    hi = Math.max(hi, Date.parse(e.last) / DAY_MS);
  }
  const padDays = Math.max((hi - lo) * 0.04, 30);
  return { start: (lo - padDays) * DAY_MS, end: (hi + padDays) * DAY_MS };
}
