// A large stream under the real `annals serve`, read by the window on screen (issue 14,
// `frontend/src/remote.rs`): the page opens from the level-of-detail counts, fetches the events
// of the window it shows (`window`), never the whole log (`events?after=`), fetches new windows
// as it pans, opens an event's details, and still takes live updates. The size above which a
// stream is read this way is lowered with `?window_above=`, so a few thousand events do.
//
// Needs dist/ and the `annals` binary (target/debug or target/release).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { axeViolations } from './axe.mjs';
import { appendRecords, launchBrowser, requireDist, screenshotPath, startServe } from './harness.mjs';
import { generate, toRecords } from './bench/events.mjs';

const TOKEN = 'served-test-token';
const STREAM = 'big';
const EVENTS = 6000;

let stopServe;
let base;
let browser;
/** The events posted (`generate`): ids e1…, titles "Kind N", in order of occurrence. */
let events;

before(async () => {
  requireDist();
  ({ base, stop: stopServe } = await startServe(TOKEN, 'annals-served'));
  events = generate(EVENTS);
  const records = toRecords(events);
  await appendRecords(base, STREAM, TOKEN, records);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  stopServe?.();
});

const day = (iso) => Math.round(Date.parse(iso) / 86_400_000);
/** The day after an ISO day: a window named `from..to` in the address reaches into the start
 * of the day after `to`, and the canvas draws what overlaps that day too. */
const dayAfter = (iso) => new Date(Date.parse(iso) + 86_400_000).toISOString().slice(0, 10);

/** The ids of the events the service says overlap `from..=to` (ISO days), every page. */
async function idsInWindow(from, to) {
  const ids = [];
  let cursor = '';
  for (;;) {
    const answer = await fetch(`${base}/api/streams/${STREAM}/window?from=${from}&to=${to}&limit=1000${cursor}`);
    assert.equal(answer.status, 200);
    const page = await answer.json();
    ids.push(...page.entries.map((e) => e.id));
    if (!page.next) return ids.sort();
    cursor = `&cursor=${encodeURIComponent(page.next)}`;
  }
}

/** What the canvas drew, once it has drawn and `ready` holds. */
async function drawn(page, ready, what) {
  const canvas = page.locator('canvas.timeline-canvas');
  for (let i = 0; i < 100; i += 1) {
    const text = await canvas.getAttribute('data-drawn');
    const d = text ? JSON.parse(text) : null;
    if (d && ready(d)) return d;
    await page.waitForTimeout(100);
  }
  throw new Error(`the timeline never drew ${what}`);
}

/**
 * A page at 1280×800 whose canvas writes what it draws (`data-drawn`) from its first frame on,
 * with the page's errors and the API requests it makes.
 */
async function openContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC', locale: 'en-GB' });
  await context.addInitScript(() => {
    new MutationObserver(() => document.querySelector('canvas.timeline-canvas:not([data-test])')?.setAttribute('data-test', '')).observe(document, {
      childList: true,
      subtree: true,
    });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const asked = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/')) asked.push(new URL(r.url()));
  });
  return { context, page, errors, asked };
}

test('a large stream opens from the counts, draws the events of its window, fetches new windows as it pans, and opens details', async () => {
  const { context, page, errors, asked } = await openContext();

  // All time: 6,000 events are too many to draw one by one, so the page draws counts and
  // fetches no events.
  await page.goto(`${base}/?stream=${STREAM}&window_above=1000`);
  const canvas = page.locator('canvas.timeline-canvas');
  await canvas.waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => window.__annalsFirstPaint !== undefined, null, { timeout: 30_000 });
  const whole = await drawn(page, (d) => d.lanes.length > 0, 'the lanes of all time');
  assert.deepEqual(whole.marks, [], 'all time is drawn as counts');
  assert.ok(asked.some((u) => u.pathname.endsWith(`/streams/${STREAM}/lod`)), 'the counts come from lod');
  assert.ok(!asked.some((u) => u.pathname.endsWith('/events')), 'the whole log is never read');
  await page.screenshot({ path: await screenshotPath('served-all-time-1280.png') });
  // Search looks in the whole stream (through the service): the box says no less.
  assert.ok(await page.getByRole('searchbox', { name: 'Search', exact: true }).isVisible());

  // A year: its events are fetched (with margins) and drawn, exactly the service's.
  await page.goto(`${base}/?stream=${STREAM}&window_above=1000#from=1988-03-01&to=1988-09-30`);
  await canvas.waitFor({ timeout: 30_000 });
  const expected = await idsInWindow('1988-03-01', dayAfter('1988-09-30'));
  assert.ok(expected.length > 20, `the window holds ${expected.length} events`);
  const first = await drawn(page, (d) => d.marks.length > 0, 'the events of the window');
  const shown = [...new Set(first.marks.map((m) => m.id))].sort();
  assert.deepEqual(shown, expected, 'the events drawn are the window’s');
  const windows = () => asked.filter((u) => u.pathname.endsWith(`/streams/${STREAM}/window`));
  const fetched = windows().length;
  assert.ok(fetched > 0, 'the events came from window');
  const reach = Math.max(...windows().map((u) => Number(u.searchParams.get('to_day'))));
  assert.ok(reach > day('1988-09-30'), 'a margin ahead of the window is fetched with it');
  assert.ok(!asked.some((u) => u.pathname.endsWith('/events')), 'the whole log is never read');
  await page.screenshot({ path: await screenshotPath('served-window-1280.png') });
  assert.deepEqual(await axeViolations(page), [], 'the windowed view is axe clean');

  // Panning far to the right (Shift+→, then past the margin) fetches new windows, and draws them.
  await canvas.focus();
  for (let i = 0; i < 20; i += 1) await page.keyboard.press('Shift+ArrowRight');
  // Past where the first window and its margin end.
  await page.waitForFunction(() => (new URLSearchParams(location.hash.slice(1)).get('from') ?? '') > '1988-10-15', null, {
    timeout: 10_000,
  });
  const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  const [from, to] = [hash.get('from'), hash.get('to')];
  assert.match(to, /^\d{4}-\d\d-\d\d$/);
  const later = await idsInWindow(from, dayAfter(to));
  const moved = await drawn(
    page,
    (d) => d.marks.length > 0 && d.marks.every((m) => later.includes(m.id)) && new Set(d.marks.map((m) => m.id)).size === later.length,
    `the events of ${from}..${to}`,
  );
  assert.ok(windows().length > fetched, 'panning fetched new windows');
  assert.ok(Math.max(...windows().map((u) => Number(u.searchParams.get('to_day')))) > reach, 'further to the right');

  // An event's details open (the first mark, clicked in its middle), its actors named.
  const mark = moved.marks[0];
  const box = await canvas.boundingBox();
  await page.mouse.click(box.x + (mark.x1 + mark.x2) / 2, box.y + mark.y);
  const heading = page.locator('section#details h2');
  await heading.waitFor({ timeout: 10_000 });
  const entry = (await (await fetch(`${base}/api/streams/${STREAM}/window?from=${from}&to=${to}&limit=1000`)).json()).entries.find((e) => e.id === mark.id);
  assert.equal((await heading.textContent()).trim(), entry.title);
  assert.doesNotMatch(await page.locator('section#details').textContent(), /\bc\d+\b/, 'actors are named, not given by id');
  await page.screenshot({ path: await screenshotPath('served-details-1280.png') });

  // A live update in the window on screen arrives.
  const live = {
    id: 'live-served-1',
    type: 'Statement',
    payload: { occurred: from, title: 'A statement that arrived live', actors: [{ actor: 'c1' }], sources: [{ publisher: 'Example', title: 'Example report' }] },
  };
  const posted = await fetch(`${base}/api/streams/${STREAM}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(live),
  });
  assert.equal(posted.status, 201, await posted.text());
  await drawn(page, (d) => d.marks.some((m) => m.id === 'live-served-1'), 'the live event');

  // A phone's width draws the same way.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: await screenshotPath('served-window-360.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a link to an event not fetched yet opens it: fetched by its id, the window moved to it', async () => {
  const { context, page, errors, asked } = await openContext();
  // An event in the middle of the stream; the link names it and no window (all time: counts).
  const entries = (await (await fetch(`${base}/api/streams/${STREAM}/window?from=1991-05-01&to=1991-05-31&limit=1000`)).json()).entries;
  const entry = entries[Math.floor(entries.length / 2)];
  await page.goto(`${base}/?stream=${STREAM}&window_above=1000#e=${encodeURIComponent(entry.id)}`);
  const heading = page.locator('section#details h2');
  await heading.waitFor({ timeout: 30_000 });
  assert.equal((await heading.textContent()).trim(), entry.title, 'the details are the linked event’s');
  assert.ok(
    asked.some((u) => u.pathname.endsWith(`/streams/${STREAM}/window`) && u.searchParams.get('event') === entry.id),
    'the event was fetched by its id',
  );
  // The window moved to it (a month each side), and its events are drawn, the linked one with them.
  const d = await drawn(page, (x) => x.marks.some((m) => m.id === entry.id), 'the linked event');
  const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  assert.equal(hash.get('e'), entry.id);
  const span = day(hash.get('to')) - day(hash.get('from'));
  assert.ok(span > 30 && span < 120, `a window around the event (${hash.get('from')}..${hash.get('to')})`);
  assert.ok(day(hash.get('from')) <= entry.first_day && entry.last_day <= day(hash.get('to')), 'the event is in it');
  assert.ok(d.marks.length > 1, 'the window’s other events are drawn too');
  assert.ok(!asked.some((u) => u.pathname.endsWith('/events')), 'the whole log is never read');
  await page.screenshot({ path: await screenshotPath('served-linked-event-1280.png') });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: await screenshotPath('served-linked-event-360.png'), fullPage: true });

  // An id the service does not know: the page stays as a whole record's would (no details, no error).
  await page.goto(`${base}/?stream=${STREAM}&window_above=1000#e=no-such-event`);
  await page.locator('canvas.timeline-canvas').waitFor({ timeout: 30_000 });
  await page.waitForTimeout(1000);
  assert.equal(await heading.count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

/** The events counted by the clusters drawn. */
const counted = (d) => d.clusters.reduce((sum, c) => sum + c[5], 0);

test('search finds in the whole record through the service — an event never fetched — and selecting it brings it in', async () => {
  const { context, page, errors, asked } = await openContext();
  await page.goto(`${base}/?stream=${STREAM}&window_above=1000#from=1960-03-01&to=1960-04-30`);
  await drawn(page, (d) => d.marks.length > 0, 'the events of March and April 1960');
  // An event decades away: never fetched by the window (nor by id).
  const target = events[5122];
  assert.equal(target.title.split(' ')[1], '5123');
  const fetchedTo = Math.max(...asked.filter((u) => u.pathname.endsWith('/window')).map((u) => Number(u.searchParams.get('to_day'))));
  assert.ok(fetchedTo < day(target.first), `fetched up to day ${fetchedTo}, the event is on ${target.first}`);

  // Typed fast (a query that finds hundreds, then the one): only the last query's matches show.
  const box = page.getByRole('searchbox', { name: 'Search', exact: true });
  await box.fill('1');
  await box.fill('5123');
  const found = page.locator('section.found');
  const row = found.locator(`li[data-id="${target.id}"]`);
  await row.waitFor({ timeout: 15_000 });
  await page.waitForFunction(() => document.querySelector('section.found')?.getAttribute('aria-busy') === 'false');
  assert.equal(await found.locator('li').count(), 1, 'the one event titled …5123');
  assert.equal((await found.locator('h2').textContent()).trim(), '1 match in the whole record');
  const searched = asked.filter((u) => u.pathname.endsWith('/window') && u.searchParams.get('q') !== null);
  assert.ok(searched.some((u) => u.searchParams.get('q') === '5123'), 'searched through the service');
  assert.ok(!searched.some((u) => u.searchParams.get('q') === '1'), 'the first keystroke was never asked (debounced)');
  assert.ok(!asked.some((u) => u.pathname.endsWith('/events')), 'the whole log is never read');
  await page.screenshot({ path: await screenshotPath('served-search-1280.png') });
  assert.deepEqual(await axeViolations(page), [], 'the search results are axe clean');

  // Selected: its details open and the window moves to it.
  await row.locator('button').click();
  const heading = page.locator('section#details h2');
  await heading.waitFor({ timeout: 15_000 });
  assert.equal((await heading.textContent()).trim(), target.title);
  const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  assert.equal(hash.get('e'), target.id);
  assert.ok(day(hash.get('from')) <= day(target.first) && day(target.last) <= day(hash.get('to')) + 1, 'the window holds it');

  // A query that finds many: a page of matches, then more on request, in order of occurrence.
  await box.fill('visit');
  await page.waitForFunction(() => document.querySelector('section.found h2')?.textContent.includes('so far'), null, { timeout: 15_000 });
  const first = await found.locator('li').count();
  assert.equal(first, 50);
  await found.getByRole('button', { name: 'More matches' }).click();
  await page.waitForFunction(() => document.querySelectorAll('section.found li').length === 100, null, { timeout: 15_000 });
  // (The timeline's order: first day, last day, position — the ids were posted in order.)
  const key = (e) => [day(e.first), day(e.last), Number(e.id.slice(1))];
  const before = (a, b) => key(a).reduce((c, x, i) => c || x - key(b)[i], 0);
  const visits = events.filter((e) => e.kind === 'Visit').sort(before).slice(0, 100).map((e) => e.id);
  const listed = await found.locator('li').evaluateAll((li) => li.map((l) => l.dataset.id));
  assert.deepEqual(listed, visits);
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: await screenshotPath('served-search-360.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a filter changes the counts drawn: the clusters count what the filter keeps, from the service', async () => {
  const { context, page, errors, asked } = await openContext();
  await page.goto(`${base}/?stream=${STREAM}&window_above=1000`);
  const all = await drawn(page, (d) => d.clusters.length > 0, 'the counts of all time');
  const lod = await (await fetch(`${base}/api/streams/${STREAM}/lod?level=year`)).json();
  const total = lod.buckets.reduce((sum, b) => sum + b.counts.by_kind.reduce((x, y) => x + y, 0), 0);
  assert.ok(total >= EVENTS);
  assert.equal(counted(all), total, 'all time counts every event');

  // An actor: the events naming it, counted by the service (none of them fetched).
  const withC3 = events.filter((e) => e.actors.includes('c3')).length;
  assert.ok(withC3 > 100 && withC3 < EVENTS / 2);
  await page.goto(`${base}/?stream=${STREAM}&window_above=1000&v=2#actor=c3`);
  const byActor = await drawn(page, (d) => d.clusters.length > 0 && counted(d) === withC3, `the counts of c3’s ${withC3} events`);
  assert.ok(asked.some((u) => u.pathname.endsWith('/lod') && u.searchParams.get('actor') === 'c3'), 'counted by lod with the filter');
  assert.ok(byActor.clusters.length > 0);
  await page.screenshot({ path: await screenshotPath('served-filtered-1280.png') });
  assert.deepEqual(await axeViolations(page), [], 'the filtered view is axe clean');
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: await screenshotPath('served-filtered-360.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  // A search too: "visit" keeps the visits of c3 (every title is "Kind N"); the kinds filter the
  // counts by kind.
  const visitsOfC3 = events.filter((e) => e.actors.includes('c3') && e.kind === 'Visit').length;
  await page.getByRole('searchbox', { name: 'Search', exact: true }).fill('visit');
  await drawn(page, (d) => counted(d) === visitsOfC3, `the counts of c3’s ${visitsOfC3} visits`);
  // Cleared: every event of c3 again.
  await page.getByRole('searchbox', { name: 'Search', exact: true }).fill('');
  await drawn(page, (d) => counted(d) === withC3, 'c3’s events again');
  assert.deepEqual(errors, []);
  await context.close();
});

test('panning far and back keeps the events held bounded, and brings back exactly the window’s events', async () => {
  const { context, page, errors } = await openContext();
  const HOLD = 1500;
  const windowOf = (year) => [`${year}-01-01`, `${year}-12-31`];
  const go = async (year) => {
    const [from, to] = windowOf(year);
    await page.evaluate(([f, t]) => {
      location.hash = `from=${f}&to=${t}`;
    }, [from, to]);
    const expected = await idsInWindow(from, dayAfter(to));
    let last;
    await drawn(page, (d) => {
      last = d;
      return new Set(d.marks.map((m) => m.id)).size === expected.length && d.marks.every((m) => expected.includes(m.id));
    }, `the events of ${from}..${to}`).catch((e) => {
      const ids = new Set(last?.marks.map((m) => m.id));
      throw new Error(`${e.message}: ${ids.size} drawn of ${expected.length}, ${last?.clusters.length} clusters, missing ${expected.filter((i) => !ids.has(i)).slice(0, 5)}, extra ${[...ids].filter((i) => !expected.includes(i)).slice(0, 5)}`);
    });
    return Number(await page.locator('div.timeline').getAttribute('data-held'));
  };
  const [from, to] = windowOf(1952);
  await page.goto(`${base}/?stream=${STREAM}&window_above=1000&window_hold=${HOLD}#from=${from}&to=${to}`);
  const held = [await go(1952)];
  for (let year = 1954; year <= 2020; year += 2) held.push(await go(year));
  // Back where it began: dropped on the way, fetched again, drawn exactly (checked in `go`).
  held.push(await go(1952));
  const most = Math.max(...held);
  assert.ok(most <= HOLD, `at most ${HOLD} events held; held ${held.join(', ')}`);
  assert.ok(held.some((n, i) => i > 0 && n < held[i - 1]), 'events were dropped on the way');
  const listed = (await page.locator('section.event-list h2').textContent()).trim();
  const expected = (await idsInWindow(from, dayAfter(to))).length;
  assert.equal(listed, `${expected} events in view`, 'the list counts the window’s events, no more, no less');
  const trims = await page.evaluate(() => performance.getEntriesByName('annals:trim').map((e) => e.duration));
  assert.ok(trims.length > 0, 'dropping was timed');
  console.log(`held ${held.join(', ')}; ${trims.length} trims, ${trims.map((t) => t.toFixed(1)).join(', ')} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});
