// The charts, the relation map and the export of a large stream read by the window (issue 14,
// `frontend/src/remote.rs`), under the real `annals serve`: they are the service's figures and
// graph of the whole record (`stats`, `graph`), not a count of the events fetched so far. Each
// view is opened twice on the same stream — read whole (below the size, as any small stream)
// and read by the window (`?window_above=` lowers the size) — and must show the same numbers
// and the same map, node for node, although the page read by the window holds none of the
// events (one of them names an actor no other event names). The charts follow the actor and
// search filters (the service's filtered `stats`, in parts on a stream larger than one walk).
//
// Needs dist/ and the `annals` binary (target/debug or target/release).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { axeViolations } from './axe.mjs';
import { appendRecords, launchBrowser, requireDist, screenshotPath, startServe } from './harness.mjs';
import { generate, toRecords } from './bench/events.mjs';

const TOKEN = 'remote-views-token';
const STREAM = 'big';
const EVENTS = 3000;
/** One event, long ago, of an actor no other event names: never fetched by the window. */
const LONER = [
  { id: 'actor:loner', type: 'ActorRegistered', payload: { actor: 'loner', kind: 'person', names: { en: 'Only Once' } } },
  {
    id: 'loner-1951',
    type: 'Talks',
    payload: { occurred: '1951-06-01', title: 'A meeting nobody fetched', actors: [{ actor: 'loner' }, { actor: 'c1' }], sources: [{ publisher: 'Test', title: 'Invented for this test' }] },
  },
];

let stopServe;
let base;
let browser;

before(async () => {
  requireDist();
  ({ base, stop: stopServe } = await startServe(TOKEN, 'annals-remote-views'));
  const records = toRecords(generate(EVENTS)).concat(LONER);
  await appendRecords(base, STREAM, TOKEN, records);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  stopServe?.();
});

/** A page of the stream at `width`×`height`, read whole or by the window, with the API requests it makes. */
async function open(fragment, byWindow, [width, height] = [1280, 800], stream = STREAM) {
  const context = await browser.newContext({ viewport: { width, height }, timezoneId: 'UTC', locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const asked = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/')) asked.push(new URL(r.url()));
  });
  await page.goto(`${base}/?stream=${stream}${byWindow ? '&window_above=1000' : ''}#${fragment}`);
  return { context, page, errors, asked };
}

/** The charts' table of numbers, row by row, once the charts are drawn (inked by the visuals module). */
async function numbers(page) {
  const rows = page.locator('section.charts table.numbers tbody tr');
  await rows.first().waitFor({ state: 'attached', timeout: 30_000 });
  await page.waitForFunction(
    () => {
      const inked = [...document.querySelectorAll('section.charts canvas')].map((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] && !(d[i] > 235 && d[i + 1] > 230 && d[i + 2] > 225)) n++;
        return n;
      });
      // (A record without signings has one chart: the documents are a sentence.)
      return inked.length >= 1 && inked.every((n) => n > 1000);
    },
    null,
    { timeout: 30_000, polling: 200 },
  );
  return rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
}

/** The map's nodes as drawn (`id x y r` each), once drawn with `ready` holding. */
async function nodes(page, ready = () => true) {
  const canvas = page.locator('canvas.map-canvas');
  await canvas.waitFor({ timeout: 30_000 });
  for (let i = 0; i < 150; i += 1) {
    const text = await canvas.getAttribute('data-nodes');
    const list = text ? text.split('|').sort() : [];
    if (list.length > 0 && ready(list) && (await page.locator('p.map-drawing').count()) === 0) return list;
    await page.waitForTimeout(100);
  }
  throw new Error('the map was never drawn');
}

const fetchedEvents = (asked) => asked.filter((u) => u.pathname.endsWith('/window') || u.pathname.endsWith('/events'));

test('the charts of a stream read by the window are the whole record’s figures, from the service', async () => {
  for (const fragment of ['view=charts', 'view=charts&kinds=Visit,Call']) {
    const whole = await open(fragment, false);
    const expected = await numbers(whole.page);
    // The served record has no signing: no flat line on an empty chart, a sentence.
    assert.equal(await whole.page.locator('section.charts canvas').count(), 1);
    await whole.page.getByText('No documents signed among the events shown.').waitFor();
    await whole.context.close();

    const remote = await open(fragment, true);
    const shown = await numbers(remote.page);
    assert.deepEqual(shown, expected, `${fragment}: the same numbers as the record read whole`);
    const total = shown.reduce((sum, row) => sum + row.slice(1, -1).reduce((s, n) => s + Number(n), 0), 0);
    if (fragment === 'view=charts') assert.equal(total, EVENTS + 1, 'every event of the record is counted');
    assert.ok(remote.asked.some((u) => u.pathname.endsWith(`/streams/${STREAM}/stats`)), 'the figures come from stats');
    assert.deepEqual(fetchedEvents(remote.asked), [], 'no event was fetched: the figures are not a count of fetched events');
    assert.deepEqual(remote.errors, []);
    await remote.context.close();
  }

  // With the page's filters — an actor, a search, both with kinds — the service's figures of
  // the events they keep (`stats?actor=&q=`), as the record read whole counts them.
  for (const fragment of ['view=charts&actor=c3', 'view=charts&q=talks', 'view=charts&actor=c3&q=country%201&kinds=Visit,Call']) {
    const whole = await open(fragment, false);
    const expected = await numbers(whole.page);
    await whole.context.close();

    const remote = await open(fragment, true);
    const shown = await numbers(remote.page);
    assert.deepEqual(shown, expected, `${fragment}: the same numbers as the record read whole, filtered`);
    const total = shown.reduce((sum, row) => sum + row.slice(1, -1).reduce((s, n) => s + Number(n), 0), 0);
    assert.ok(total > 0 && total < EVENTS / 2, `${fragment}: ${total} events kept`);
    const stats = remote.asked.filter((u) => u.pathname.endsWith(`/streams/${STREAM}/stats`));
    assert.ok(stats.length > 0 && stats.every((u) => u.searchParams.has('actor') || u.searchParams.has('q')), 'the filtered figures are asked');
    // (A search also lists its matches below, from the service's search: not the charts' doing.)
    const searched = (u) => u.pathname.endsWith('/window') && u.searchParams.has('q') && u.searchParams.get('limit') === '50';
    assert.deepEqual(fetchedEvents(remote.asked).filter((u) => !searched(u)), [], 'no event was fetched for the charts');
    assert.deepEqual(remote.errors, []);
    if (fragment === 'view=charts&actor=c3') {
      await remote.page.locator('section.charts').screenshot({ path: await screenshotPath('remote-charts-actor-1280.png') });
    }
    await remote.context.close();
  }
});

test('filtered figures of a stream larger than one walk come in parts: the charts count on, then draw the whole', async () => {
  // More events than the service walks in one call (`shown::MAX_WALK`, 5,000): two parts.
  const LARGER = 'larger';
  // (Record ids are the service's, across streams: these get their own.)
  const records = toRecords(generate(6000, 7)).map((r) => ({ ...r, id: `larger-${r.id}` }));
  await appendRecords(base, LARGER, TOKEN, records);
  for (const [width, height] of [
    [1280, 800],
    [360, 740],
  ]) {
    const fragment = 'view=charts&actor=c3';
    const whole = await open(fragment, false, [width, height], LARGER);
    const expected = await numbers(whole.page);
    await whole.context.close();

    const remote = await open(fragment, true, [width, height], LARGER);
    // The second part held back: the charts say how far the count is and draw nothing.
    let release;
    const held = new Promise((ok) => (release = ok));
    await remote.page.route(/\/stats\?.*cursor=/, async (route) => {
      await held;
      await route.continue();
    });
    remote.asked.length = 0;
    await remote.page.reload();
    const status = remote.page.locator('section.charts [role=status]');
    await status.getByText(/^Counting the events the filters keep: 5000 of 6000 looked at…$/).waitFor({ timeout: 30_000 });
    assert.equal(await remote.page.locator('section.charts canvas').count(), 0, 'no part drawn as if it were the whole');
    await remote.page.locator('section.charts').screenshot({ path: await screenshotPath(`remote-charts-counting-${width}.png`) });
    release();
    const shown = await numbers(remote.page);
    assert.deepEqual(shown, expected, 'the parts added up are the figures of the record read whole, filtered');
    const parts = remote.asked.filter((u) => u.pathname.endsWith(`/streams/${LARGER}/stats`));
    assert.equal(parts.filter((u) => u.searchParams.has('cursor')).length, 1, 'the second part asked once');
    await remote.page.locator('section.charts').screenshot({ path: await screenshotPath(`remote-charts-actor-${width}.png`) });
    if (width === 1280) {
      const violations = await axeViolations(remote.page);
      assert.deepEqual(violations, [], JSON.stringify(violations, null, 1));
    }
    assert.deepEqual(remote.errors, []);
    await remote.context.close();
  }
});

test('the map of a stream read by the window is the whole record’s map, from the service, also as of a year and for an actor', async () => {
  for (const fragment of ['view=map', 'view=map&actor=c1']) {
    const whole = await open(fragment, false);
    const expected = await nodes(whole.page);
    await whole.context.close();

    const remote = await open(fragment, true);
    const shown = await nodes(remote.page, (list) => list.length === expected.length);
    assert.deepEqual(shown, expected, `${fragment}: the same nodes in the same places as the record read whole`);
    assert.ok(shown.some((n) => n.startsWith('loner ')), 'the actor of an event never fetched is on the map');
    assert.ok(remote.asked.some((u) => u.pathname.endsWith(`/streams/${STREAM}/graph`)), 'the graph comes from the service');
    assert.deepEqual(fetchedEvents(remote.asked), [], 'no event was fetched');
    assert.deepEqual(remote.errors, []);
    if (fragment === 'view=map') {
      // Its picture: every node, and the stream's count of events, not the none fetched.
      const button = remote.page.getByRole('group', { name: 'Save picture' }).getByRole('button', { name: 'SVG', exact: true });
      const [download] = await Promise.all([remote.page.waitForEvent('download', { timeout: 20_000 }), button.click()]);
      const svg = readFileSync(await download.path(), 'utf8');
      assert.equal((svg.match(/class="node"/g) ?? []).length, expected.length, 'the picture has every node');
      const filters = svg.match(/class="filters">([^<]*)</)?.[1];
      assert.match(filters ?? '', /^3001 events\b/, 'the picture counts the stream’s events');
    }
    await remote.context.close();
  }

  // Replay: as of 1950 the loner (1951) is not there yet; the service answers the year.
  const at = async (byWindow) => {
    const opened = await open('view=map', byWindow);
    await nodes(opened.page);
    const canvas = opened.page.locator('canvas.map-canvas');
    const top = (await canvas.boundingBox()).y;
    // Served: the year's answer held back a moment; the map says it is asking, and stays put.
    let release = () => {};
    if (byWindow) {
      const held = new Promise((ok) => (release = ok));
      await opened.page.route(/\/graph\?as_of=1950/, async (route) => {
        await held;
        await route.continue();
      });
    }
    await opened.page.locator('.as-of input[type=range]').fill('1950');
    if (byWindow) {
      await opened.page.getByText('Asking the service for the map as of 1950…').waitFor({ timeout: 10_000 });
      assert.equal((await canvas.boundingBox()).y, top, 'the map does not move while it asks');
      release();
    }
    const list = await nodes(opened.page, (l) => !l.some((n) => n.startsWith('loner ')));
    assert.equal((await canvas.boundingBox()).y, top, 'nor once answered');
    return { ...opened, list };
  };
  const whole = await at(false);
  await whole.context.close();
  const remote = await at(true);
  assert.deepEqual(remote.list, whole.list, 'as of 1950: the same nodes in the same places');
  assert.ok(remote.asked.some((u) => u.pathname.endsWith('/graph') && u.searchParams.get('as_of') === '1950'), 'the year was asked of the service');
  // A replay through more years than the page keeps answers of: the all-time graph, in use
  // all along, is asked once (never let go, so the map is never blank meanwhile).
  for (let year = 1960; year < 2000; year += 1) await remote.page.locator('.as-of input[type=range]').fill(String(year));
  await remote.page.getByText('As of 1999', { exact: true }).waitFor();
  await nodes(remote.page);
  const allTime = remote.asked.filter((u) => u.pathname.endsWith(`/streams/${STREAM}/graph`) && u.search === '');
  assert.equal(allTime.length, 1, 'the all-time graph was asked once');
  await remote.context.close();
});

test('while the service answers, the map and the charts say so; screenshots; axe', async () => {
  for (const [width, height] of [
    [1280, 800],
    [360, 740],
  ]) {
    for (const view of ['map', 'charts']) {
      const { context, page } = await open(`view=${view}`, true, [width, height]);
      // Hold the service's answer: the view says it is asking, and draws no empty canvas.
      let release;
      const held = new Promise((ok) => (release = ok));
      await page.route(/\/api\/streams\/big\/(graph|stats)/, async (route) => {
        await held;
        await route.continue();
      });
      await page.reload();
      const status = page.locator(`section.${view} [role=status]`).first();
      await status.waitFor({ timeout: 30_000 });
      assert.match(await status.textContent(), /Asking the service/);
      assert.equal(await page.locator(`section.${view} canvas`).count(), 0, 'no empty canvas while asking');
      await page.locator(`section.${view}`).screenshot({ path: await screenshotPath(`remote-${view}-asking-${width}.png`) });
      release();
      if (view === 'map') await nodes(page);
      else await numbers(page);
      await page.locator(`section.${view}`).screenshot({ path: await screenshotPath(`remote-${view}-${width}.png`) });
      if (width === 1280) {
        const violations = await axeViolations(page);
        assert.deepEqual(violations, [], JSON.stringify(violations, null, 1));
      }
      await context.close();
    }
  }
});

test('an error of the service is said in words, and the question asked again a while later', async () => {
  const { context, page } = await open('view=charts', true);
  let refused = 0;
  await page.route(/\/api\/streams\/big\/stats/, (route) => (refused++ === 0 ? route.fulfill({ status: 503, body: '{}' }) : route.continue()));
  await page.reload();
  await page.getByText('The service could not give the figures').waitFor({ timeout: 30_000 });
  assert.equal((await numbers(page)).length > 0, true, 'asked again, the figures are drawn');
  assert.equal(await page.getByText('The service could not give the figures').count(), 0);
  await context.close();
});

test('the export of a stream read by the window says what it saves and links to the whole record', async () => {
  // A window of two months: a few dozen events fetched, of 3,001.
  const { context, page } = await open('from=1990-01-01&to=1990-02-28', true);
  await page.getByRole('button', { name: 'Open a file…' }).click();
  const note = page.getByText('This record is read by the window: a download saves the');
  await note.waitFor({ timeout: 30_000 });
  assert.match(await note.textContent(), /saves the \d+ events? fetched so far, not all 3001 /);
  const link = page.getByRole('link', { name: /The whole record's events from the service/ });
  const href = new URL(await link.getAttribute('href'), base);
  assert.equal(href.pathname, `/api/streams/${STREAM}/events`);
  const answer = await (await fetch(href)).json();
  assert.equal(answer.events.length, 1000, 'the link gives the service’s events');
  await page.locator('.open-row.save').screenshot({ path: await screenshotPath('remote-export-1280.png') });
  await context.close();
});

// Last: it adds to the stream the tests above count.
test('an event arriving live is on the served map and in the served charts', async () => {
  const map = await open('view=map', true);
  await nodes(map.page);
  const charts = await open('view=charts', true);
  const before = await numbers(charts.page);
  const answer = await fetch(`${base}/api/streams/${STREAM}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify([
      { id: 'actor:late', type: 'ActorRegistered', payload: { actor: 'late', kind: 'organization', names: { en: 'Late Comer' } } },
      {
        id: 'late-2024',
        type: 'Call',
        payload: { occurred: '2024-01-02', title: 'A call that came live', actors: [{ actor: 'late' }, { actor: 'c2' }], sources: [{ publisher: 'Test', title: 'Invented for this test' }] },
      },
    ]),
  });
  assert.equal(answer.status, 201, await answer.text());
  const after = await nodes(map.page, (list) => list.some((n) => n.startsWith('late ')));
  assert.ok(after.some((n) => n.startsWith('loner ')), 'the rest of the map is still there');
  // The year 2024 counts one event more (the table: year, a count per kind, documents).
  const in2024 = (rows) => rows.filter((r) => r[0] === '2024').flatMap((r) => r.slice(1, -1)).reduce((a, n) => a + Number(n), 0);
  await charts.page.waitForFunction(
    (n) => {
      const row = [...document.querySelectorAll('section.charts tbody tr')].find((tr) => tr.children[0].textContent.trim() === '2024');
      return row && [...row.children].slice(1, -1).reduce((a, c) => a + Number(c.textContent), 0) === n;
    },
    in2024(before) + 1,
    { timeout: 30_000 },
  );
  assert.equal(in2024(await numbers(charts.page)), in2024(before) + 1);
  await map.context.close();
  await charts.context.close();
});
