// End-to-end tests of the timeline canvas (issue 12): events that overlap are stacked into rows
// of their lane with whole labels, lanes by the file's own groups (and none empty), the lane
// choice in the address and in embed options, a visible focus ring, and a tooltip that stays
// inside the timeline and goes when the picture moves.
//
// A canvas has no DOM to query: with a `data-test` attribute on it, the timeline writes what it
// drew (lanes, marks with their rows and labels, counted clusters) as JSON into `data-drawn`.
//
// Run: with dist/ built, `node --test tests/e2e/timeline.test.mjs`.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, appSuite, screenshotPath } from './harness.mjs';

const GROUPS_FILE = 'timelinejs-groups.json';
const GROUPS = JSON.parse(readFileSync(join(ROOT, 'tests/e2e/fixtures', GROUPS_FILE), 'utf8'));
/** The groups of the fixture, in the order they first occur in time. */
const GROUP_NAMES = [...GROUPS.events]
  .sort((a, b) => dayOf(a.start_date) - dayOf(b.start_date))
  .map((e) => e.group)
  .filter((g, i, all) => all.indexOf(g) === i);

function dayOf(d) {
  return Date.UTC(Number(d.year), Number(d.month ?? 1) - 1, Number(d.day ?? 1));
}

// eras.json (TimelineJS, 23 slides of the 7th century), from the shared corpus beside the checkout.
const CORPUS = process.env.ANNALS_CORPUS || join(ROOT, '..', 'shared', 'corpus');
const ERAS = join(CORPUS, 'timelinejs', 'eras.json');

const STATE_VISIT = '2024-05-16-state-visit';
const FUZULI = '2024-05-17-fuzuli-shusha';
const STATEMENTS = ['2024-05-16-karabakh-invitation', '2024-05-16-commission-and-cop29-announcement'];

let suite;

/** Opens `path` with the fixture of groups served at `fixtures/…`, the canvas describing what it draws. */
async function open(path = '/', options = {}) {
  const opened = await suite.openPage('/index.html?no-record-yet', options);
  const { page } = opened;
  await page.route(`**/fixtures/${GROUPS_FILE}`, (route) =>
    route.fulfill({ body: readFileSync(join(ROOT, 'tests/e2e/fixtures', GROUPS_FILE)), contentType: 'application/json' }),
  );
  await page.goto(suite.url() + path);
  await page.locator('section.event-list h2').waitFor({ timeout: 15_000 });
  await page.locator('canvas.timeline-canvas').evaluate((c) => c.setAttribute('data-test', ''));
  return opened;
}

/** What the canvas drew, once it has drawn with `data-test` set and `ready` holds. */
async function drawn(page, ready = () => true) {
  const canvas = page.locator('canvas.timeline-canvas');
  let last;
  for (let i = 0; i < 100; i += 1) {
    const text = await canvas.getAttribute('data-drawn');
    if (text) {
      last = JSON.parse(text);
      if (ready(last)) return last;
    }
    await page.waitForTimeout(50);
  }
  assert.fail(`the timeline did not draw what was expected; last drawn: ${JSON.stringify(last)?.slice(0, 2000)}`);
}

/** Shows a window by the address (the fragment), which repaints the canvas. */
/** The `samples` ({x, y} in the screenshot `shot`) whose pixel is not the colour `band` (#rrggbb). */
async function unpainted(page, shot, samples, band) {
  return page.evaluate(
    async ({ png, samples, band }) => {
      const img = await createImageBitmap(new Blob([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], { type: 'image/png' }));
      const c = new OffscreenCanvas(img.width, img.height);
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const want = [1, 3, 5].map((k) => parseInt(band.slice(k, k + 2), 16));
      return samples.filter(({ x, y }) => {
        const px = ctx.getImageData(x, y, 1, 1).data;
        return want.some((v, k) => Math.abs(px[k] - v) > 6);
      });
    },
    { png: shot.toString('base64'), samples, band },
  );
}

async function showWindow(page, fragment) {
  await page.evaluate((f) => {
    location.hash = f;
  }, fragment);
}

const overlaps = (a, b) => a.x1 < b.x2 && b.x1 < a.x2;

/** The colour of visits on the canvas. */
const VISIT = [0x00, 0x72, 0xb2];

/**
 * Hovers the rightmost visit drawn (found by its colour on the canvas, so that this needs
 * nothing of the page but its pixels) and returns the box of the tooltip that shows.
 */
async function hoverRightmost(page, tooltip) {
  const canvas = page.locator('canvas.timeline-canvas');
  const spot = await canvas.evaluate((c, [r, g, b]) => {
    const { data, width, height } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const ratio = c.width / c.clientWidth;
    const is = (x, y) => {
      const i = (y * width + x) * 4;
      return Math.abs(data[i] - r) <= 4 && Math.abs(data[i + 1] - g) <= 4 && Math.abs(data[i + 2] - b) <= 4;
    };
    for (let x = width - 1; x >= 0; x -= 1) {
      for (let y = 0; y < height; y += 1) if (is(x, y) && is(x - 2, y) && is(x, y + 2)) return { x: (x - 3) / ratio, y: (y + 2) / ratio };
    }
    return null;
  }, VISIT);
  assert.ok(spot, 'a visit is drawn');
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + spot.x, box.y + spot.y);
  await tooltip.waitFor({ timeout: 5_000 });
  assert.match(await tooltip.textContent(), /Visit/);
  return tooltip.boundingBox();
}

/**
 * Checks that every lane's name is drawn readably: its lines (`names`: [lane, y, width, text])
 * inside the name column (8 px from the left, clear of the time area) and inside its lane, at
 * most four; whole — or, where `whole` is false, whole or ending in "…" with the whole name in
 * the timeline's accessible description (`described`); with `strict`, broken between words only.
 */
function assertNamesReadable(d, described, what, whole = true, strict = false) {
  assert.ok(Array.isArray(d.names), `${what}: the canvas says how it drew the lanes' names`);
  for (const [lane, name] of d.lanes.entries()) {
    const lines = d.names.filter((l) => l[0] === lane);
    const [top, height] = d.rows[lane];
    assert.ok(lines.length >= 1 && lines.length <= 4, `${what}: "${name}" in ${lines.length} lines`);
    for (const [, y, width, text] of lines) {
      assert.ok(8 + width <= d.left - 4, `${what}: "${text}" (${width.toFixed(1)} px) runs into the time area at ${d.left}`);
      assert.ok(y - 6 >= top && y + 6 <= top + height, `${what}: "${text}" at y ${y} is outside its lane (${top}…${top + height})`);
    }
    const joined = lines.map((l) => l[3]).join(' ');
    const flat = (t) => t.replace(/[\s-]+/g, '');
    if (strict) {
      assert.equal(joined, name, `${what}: the lane "${name}" reads "${joined}" (lines break between words)`);
    } else if (whole || !joined.endsWith('…')) {
      assert.equal(flat(joined), flat(name), `${what}: the lane "${name}" reads "${joined}"`);
    } else {
      assert.ok(flat(name).startsWith(flat(joined).slice(0, -1)), `${what}: "${joined}" is the start of "${name}"`);
    }
    assert.ok(described.includes(name), `${what}: the accessible description names "${name}": ${described}`);
  }
}

describe('the timeline canvas', () => {
  suite = appSuite();

  test('at one-day zoom on 16–17 May 2024, overlapping events take rows of their own and labels are whole', async () => {
    const { page, done } = await open('/');
    await showWindow(page, '#from=2024-05-16&to=2024-05-17');
    const d = await drawn(page, (d) => d.marks.some((m) => m.id === FUZULI));
    const mark = (id) => {
      const m = d.marks.find((x) => x.id === id);
      assert.ok(m, `${id} is drawn: ${d.marks.map((x) => x.id)}`);
      return m;
    };
    const [a, b] = STATEMENTS.map(mark);
    assert.equal(a.lane, b.lane, 'both statements are in the statements lane');
    assert.notEqual(a.y, b.y, 'one statement no longer hides the other');
    const visit = mark(STATE_VISIT);
    const trip = mark(FUZULI);
    assert.equal(visit.lane, trip.lane);
    assert.notEqual(visit.y, trip.y, 'the trip to Fuzuli and Shusha is not under the state visit bar');
    assert.ok(visit.label, 'the state visit bar carries its label');
    assert.ok(visit.label.inside, 'inside the bar, which is wide enough');
    for (const m of d.marks) {
      assert.ok(m.label, `${m.id} has a label`);
      assert.ok(!m.label.text.endsWith('…'), `${m.id}'s label is whole: ${m.label.text}`);
    }
    // Nothing overlaps in a row: marks and the labels beside them.
    const taken = d.marks.flatMap((m) => [
      { who: `mark ${m.id}`, y: m.y, x1: m.x1, x2: m.x2 },
      ...(m.label && !m.label.inside ? [{ who: `label ${m.id}`, y: m.y, x1: m.label.x, x2: m.label.x + m.label.room }] : []),
    ]);
    for (const [i, p] of taken.entries()) {
      for (const q of taken.slice(i + 1)) {
        if (p.y === q.y) assert.ok(!overlaps(p, q), `${p.who} and ${q.who} overlap`);
      }
    }
    assert.deepEqual(d.more, [], 'nothing is counted at this zoom');
    // The canvas grew to hold the rows, and clicking the trip's row selects the trip.
    const canvas = page.locator('canvas.timeline-canvas');
    const box = await canvas.boundingBox();
    assert.ok(box.height >= Math.max(...d.marks.map((m) => m.y)) + 12, `the canvas holds every row (${box.height} px)`);
    await page.mouse.click(box.x + (trip.x1 + trip.x2) / 2, box.y + trip.y);
    await page.locator('section#details h2').waitFor();
    assert.match(await page.locator('section#details h2').textContent(), /Fuzuli and Shusha/);
    await page.screenshot({ path: await screenshotPath('timeline-day-1280.png'), fullPage: true });
    await done();
  });

  test('the all-time view of the default record: marks in rows, the crowd counted, none drawn twice in one place', async () => {
    const { page, done } = await open('/');
    await showWindow(page, '#from=1990-01-01&to=2026-12-31');
    const d = await drawn(page, (d) => d.marks.length > 0);
    const total = d.marks.length + d.more.reduce((n, c) => n + c.count, 0);
    assert.ok(total >= 40, `every event in view is drawn or counted (${total})`);
    for (const [i, p] of d.marks.entries()) {
      for (const q of d.marks.slice(i + 1)) {
        if (p.y === q.y) assert.ok(!overlaps(p, q), `${p.id} and ${q.id} overlap in a row`);
      }
    }
    await done();
  });

  test('a file of 495 visits, many overlapping, is marks in rows and counted crowds, not one solid bar', async () => {
    // Like a secretary of state's travels: 495 trips of one to five days over four years, a
    // new one every two to four days, so that many overlap.
    const events = ['usa', 'jpn'].map((actor) => ({ id: `actor:${actor}`, type: 'ActorRegistered', payload: { actor, kind: 'country', names: { en: actor } } }));
    let day = Date.UTC(2009, 1, 1);
    for (let i = 0; i < 495; i += 1) {
      const iso = (t) => new Date(t).toISOString().slice(0, 10);
      const last = day + ((i * 7) % 5) * 86_400_000;
      events.push({
        id: `trip-${i}`,
        type: 'Visit',
        payload: { occurred: last > day ? `${iso(day)}/${iso(last)}` : iso(day), title: `Trip ${i + 1} to a capital`, visitor: 'usa', host: 'jpn', sources: [{ publisher: 'Test', title: 'Generated' }] },
      });
      day += (2 + (i % 3)) * 86_400_000;
    }
    const body = JSON.stringify({ annals: 1, stream: 'travels', title: 'Travels', events });
    const opened = await suite.openPage('/index.html?no-record-yet');
    const { page, done } = opened;
    await page.route('**/fixtures/travels.json', (route) => route.fulfill({ body, contentType: 'application/json' }));
    await page.goto(`${suite.url()}/?src=${encodeURIComponent('/fixtures/travels.json')}`);
    await page.locator('.masthead h1', { hasText: 'Travels' }).or(page.locator('main .status.error, .open-report')).first().waitFor();
    assert.equal(await page.locator('main .status.error, .open-report').count(), 0, await page.locator('main').textContent());
    await page.locator('canvas.timeline-canvas').evaluate((c) => c.setAttribute('data-test', ''));
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByRole('button', { name: 'Zoom out' }).click();
    const d = await drawn(page, (d) => d.marks.length > 0);
    const rows = new Set(d.marks.map((m) => m.y));
    assert.ok(rows.size >= 3, `the visits take rows (${rows.size})`);
    for (const [i, p] of d.marks.entries()) {
      for (const q of d.marks.slice(i + 1)) if (p.y === q.y) assert.ok(!overlaps(p, q), `${p.id} and ${q.id} overlap in a row`);
    }
    const counted = d.more.reduce((n, c) => n + c.count, 0);
    assert.equal(d.marks.length + counted, 495, `every visit is drawn or counted (${d.marks.length} drawn, ${counted} counted)`);
    assert.ok(d.marks.length >= 100, `a good part of them drawn singly (${d.marks.length})`);
    await page.screenshot({ path: await screenshotPath('timeline-495-visits-1280.png') });
    await done();
  });

  test('the keyboard reaches a counted cluster ("+12"): arrows stop on it, it is ringed and announced, Enter zooms in', async () => {
    // All time on a phone: the crowds of 2016–2025 are counted (at 1280 px every event finds a
    // row, or is alone in the counted row and drawn itself).
    const { page, done } = await open('/', { viewport: { width: 360, height: 740 } });
    await showWindow(page, '#from=1990-01-01&to=2026-12-31');
    const before = await drawn(page, (d) => d.marks.length > 0 && d.more.length > 0);
    const canvas = page.locator('canvas.timeline-canvas');
    const announcer = page.locator('.timeline [aria-live]');
    await canvas.focus();
    await page.keyboard.press('Home');
    let said = '';
    for (let i = 0; i < 120 && !/^Not drawn at this zoom/.test(said); i += 1) {
      await page.keyboard.press('ArrowRight');
      said = (await announcer.textContent()).trim();
    }
    assert.match(said, /^Not drawn at this zoom: \d+ events?, .+ to .+\. Enter zooms in\.$/, 'an arrow stops on a cluster and says so');
    const d = await drawn(page, (d) => d.more.some((c) => c.focused));
    const cluster = d.more.find((c) => c.focused);
    assert.equal(String(cluster.count), said.match(/(\d+) events?/)[1], 'the cluster announced is the one ringed');
    // The ring: the ink colour above and below the badge, as around a selected mark.
    const ring = await canvas.evaluate((c, { at, y }) => {
      const ratio = c.width / c.clientWidth;
      const ink = getComputedStyle(c).getPropertyValue('--ink').trim() || '#1b1f24';
      const n = Number.parseInt(ink.replace('#', ''), 16);
      const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
      let hits = 0;
      for (const row of [y - 11, y + 11]) {
        const { data } = c.getContext('2d').getImageData(Math.round(at * ratio), Math.round(row * ratio) - 1, Math.round(38 * ratio), 3);
        for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - r) < 40 && Math.abs(data[i + 1] - g) < 40 && Math.abs(data[i + 2] - b) < 40) hits += 1;
      }
      return hits;
    }, cluster);
    assert.ok(ring >= 38, `the cluster the keyboard is on is ringed (${ring} ring pixels)`);
    // Enter opens it: the window zooms to its days, where its events get rows.
    const span = (hash) => {
      const f = new URLSearchParams(hash.slice(1));
      return (Date.parse(f.get('to')) - Date.parse(f.get('from'))) / 86_400_000;
    };
    const wide = span(await page.evaluate(() => location.hash));
    await page.keyboard.press('Enter');
    await page.waitForFunction((w) => {
      const f = new URLSearchParams(location.hash.slice(1));
      return (Date.parse(f.get('to')) - Date.parse(f.get('from'))) / 86_400_000 < w / 4;
    }, wide);
    const after = await drawn(page, (x) => x.marks.length > 0 && !x.more.some((c) => c.focused));
    assert.ok(after.marks.length >= 1, 'the zoomed window draws events');
    assert.equal((await announcer.textContent()).trim(), '', 'the announcement of the cluster is gone');
    assert.ok(before.more.length > 0);
    await page.screenshot({ path: await screenshotPath('timeline-cluster-keyboard-1280.png') });
    await done();
  });

  test('a TimelineJS file with groups: lanes by its groups, no empty lanes, the choice in the address', async () => {
    // Its title slide would open it as a story: the address asks for the timeline.
    const { page, done } = await open(`/index.html?src=${encodeURIComponent(`fixtures/${GROUPS_FILE}`)}#view=timeline`);
    // The file's record replaces the page's first one (and its canvas): describe, and repaint.
    await page.locator('h1', { hasText: GROUPS.title.text.headline }).waitFor({ timeout: 15_000 });
    await page.locator('canvas.timeline-canvas').evaluate((c) => c.setAttribute('data-test', ''));
    await showWindow(page, '#view=timeline&from=2021-01-01&to=2022-06-30');
    const byGroup = page.locator('.lanes button', { hasText: 'By group' });
    assert.equal(await byGroup.getAttribute('aria-pressed'), 'true', 'a file with groups opens by group');
    let d = await drawn(page, (d) => d.marks.length === GROUPS.events.length);
    assert.deepEqual(d.lanes, GROUP_NAMES);
    for (const e of GROUPS.events) {
      const m = d.marks.find((x) => x.label?.text === e.text.headline);
      assert.ok(m, `${e.text.headline} is drawn with its whole label`);
      assert.equal(d.lanes[m.lane], e.group, `${e.text.headline} is in the lane of its group`);
    }
    assert.ok(!page.url().includes('lanes='), 'the default is not written in the address');
    await page.screenshot({ path: await screenshotPath('timeline-groups-1280.png'), fullPage: true });

    // By kind: one lane, named for all its events (the slides have no diplomatic kind: "Other" says nothing), not six empty ones.
    await page.locator('.lanes button', { hasText: 'By kind' }).click();
    d = await drawn(page, (d) => d.lanes.length !== GROUP_NAMES.length);
    assert.deepEqual(d.lanes, ['All events']);
    await page.waitForFunction(() => location.hash.includes('lanes=kind'));
    // The address keeps it over a reload (the file is fetched again).
    await page.reload();
    await page.locator('section.event-list h2').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('.lanes button', { hasText: 'By kind' }).getAttribute('aria-pressed'), 'true');
    await done();
  });

  test("a TimelineJS spreadsheet's Group column gives the lanes", async () => {
    const csv = [
      'Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text,Media,Media Credit,Media Caption,Media Thumbnail,Type,Group,Background',
      ',,,,,,,,,Quay works,<p>A sheet with groups</p>,,,,,title,,',
      '2021,3,1,,2021,6,30,,,Survey of the quay,,,,,,,Engineering,',
      '2021,4,10,,,,,,,Budget approved,,,,,,,Council,',
      '2021,4,13,,2021,4,18,,,Harbour festival,,,,,,,Community,',
      '2021,9,2,,,,,,,Tender published,,,,,,,Engineering,',
    ].join('\n');
    const { page, done } = await suite.openPage('/index.html?no-record-yet');
    await page.route('**/fixtures/groups.csv', (route) => route.fulfill({ body: csv, contentType: 'text/csv' }));
    await page.goto(`${suite.url()}/?src=${encodeURIComponent('/fixtures/groups.csv')}`);
    await page.locator('.masthead h1', { hasText: 'Quay works' }).waitFor();
    // The sheet's title row opens it as a story; the reader turns to the timeline.
    await page.getByRole('button', { name: 'Timeline', exact: true }).click();
    await page.locator('canvas.timeline-canvas').evaluate((c) => c.setAttribute('data-test', ''));
    // (The address names the timeline: without it, it is the story this record opens on.)
    await showWindow(page, '#view=timeline&from=2021-01-01&to=2021-12-31');
    assert.equal(await page.locator('.lanes button', { hasText: 'By group' }).getAttribute('aria-pressed'), 'true', 'a sheet with groups opens by group');
    const d = await drawn(page, (d) => d.marks.length === 4);
    assert.deepEqual([...d.lanes].sort(), ['Community', 'Council', 'Engineering']);
    const lane = (title) => d.lanes[d.marks.find((m) => m.label?.text === title).lane];
    assert.equal(lane('Survey of the quay'), 'Engineering');
    assert.equal(lane('Tender published'), 'Engineering');
    assert.equal(lane('Budget approved'), 'Council');
    assert.equal(lane('Harbour festival'), 'Community');
    await done();
  });

  test('the Kinds filter offers only the kinds the record has', async () => {
    // A record of visits and statements only.
    const SOURCE = [{ publisher: 'Test fixture', title: 'Invented for the timeline tests' }];
    const record = {
      annals: 1,
      stream: 'two-kinds',
      title: 'A record of two kinds',
      events: [
        { id: 'actor:x', type: 'ActorRegistered', payload: { actor: 'x', kind: 'country', names: { en: 'Xland' } } },
        { id: 'actor:y', type: 'ActorRegistered', payload: { actor: 'y', kind: 'country', names: { en: 'Yland' } } },
        ...[1, 2, 3].map((i) => ({ id: `v${i}`, type: 'Visit', payload: { occurred: `201${i}-03-0${i}`, title: `Visit ${i}`, visitor: 'x', host: 'y', sources: SOURCE } })),
        { id: 's1', type: 'Statement', payload: { occurred: '2012-05-01', title: 'A statement', actors: [{ actor: 'y' }], sources: SOURCE } },
      ],
    };
    const { page, done } = await suite.openPage('/');
    await page.getByRole('button', { name: 'Open a file…' }).click();
    await page.locator('.opener input[type=file]').setInputFiles({ name: 'two-kinds.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(record)) });
    await page.locator('h1', { hasText: record.title }).waitFor({ timeout: 20_000 });
    const kinds = () => page.locator('fieldset.kinds label').allTextContents();
    assert.deepEqual((await kinds()).map((t) => t.trim()), ['Visit', 'Statement']);
    // Unticking one still filters: the statement leaves the list.
    await page.locator('fieldset.kinds label', { hasText: 'Statement' }).click();
    await page.waitForFunction(() => !document.querySelector('section.event-list')?.textContent.includes('A statement'));

    // A TimelineJS file has one kind, "Other": no filter offering six kinds it has none of.
    await page.route(`**/fixtures/${GROUPS_FILE}`, (route) =>
      route.fulfill({ body: readFileSync(join(ROOT, 'tests/e2e/fixtures', GROUPS_FILE)), contentType: 'application/json' }),
    );
    await page.goto(`${suite.url()}/index.html?src=${encodeURIComponent(`fixtures/${GROUPS_FILE}`)}#view=timeline`);
    await page.locator('h1', { hasText: GROUPS.title.text.headline }).waitFor({ timeout: 15_000 });
    await page.locator('fieldset.lanes, .lanes').first().waitFor({ timeout: 15_000 });
    assert.deepEqual(await kinds(), [], 'no Kinds filter for a record of one kind');
    // Its title slide's text introduces it above the views.
    assert.equal((await page.locator('.masthead .intro').textContent()).trim(), GROUPS.title.text.text);
    // Nor counts of what such a file cannot have: no documents signed, nothing disputed.
    assert.equal(await page.locator('.masthead .summary').textContent(), `${GROUPS.events.length} events`);
    await done();
  });

  test('lanes by actor, one lane or by kind, in the address both ways and in the embed snippet', async () => {
    const { page, done } = await open('/#lanes=none');
    const pressed = () => page.locator('.lanes button[aria-pressed=true]').textContent();
    assert.equal(await pressed(), 'One lane');
    assert.equal(await page.locator('.lanes button', { hasText: 'By group' }).count(), 0, 'no groups, no group lanes');
    await showWindow(page, '#lanes=none&from=2024-05-16&to=2024-05-17');
    let d = await drawn(page, (d) => d.lanes.length === 1 && d.marks.some((m) => m.id === FUZULI));
    assert.deepEqual(d.lanes, ['All events']);
    for (const [i, p] of d.marks.entries()) {
      for (const q of d.marks.slice(i + 1)) {
        if (p.y === q.y) assert.ok(!overlaps(p, q), `${p.id} and ${q.id} overlap in the one lane`);
      }
    }
    await page.locator('.lanes button', { hasText: 'By actor' }).click();
    await page.waitForFunction(() => location.hash.includes('lanes=actor'));
    d = await drawn(page, (d) => d.lanes.length > 1);
    assert.ok(d.lanes.includes('Azerbaijan') && d.lanes.includes('Belarus'), `${d.lanes}`);
    await page.locator('.lanes button', { hasText: 'By kind' }).click();
    await page.waitForFunction(() => !location.hash.includes('lanes='));
    d = await drawn(page, (d) => d.lanes.includes('Visit'));
    const kinds = ['Visit', 'Signing', 'Commission meeting', 'Talks', 'Call', 'Statement', 'Other'];
    assert.deepEqual(d.lanes, kinds, 'the default record has every kind');
    // The Embed panel's snippets carry the lanes.
    await page.locator('.lanes button', { hasText: 'One lane' }).click();
    await page.locator('button.embed-button').click();
    const snippet = await page.locator('textarea.snippet-iframe').inputValue();
    assert.match(snippet, /lanes=none/, snippet);
    assert.match(await page.locator('textarea.snippet-element').inputValue(), /lanes="none"/);
    await done();
  });

  for (const [width, height] of [[1280, 800], [360, 740]]) {
    test(`every lane's name is readable at ${width}×${height}: whole, in its column and lane, its full name in the accessible text`, async () => {
      const { page, done } = await open('/', { viewport: { width, height } });
      const canvas = page.locator('canvas.timeline-canvas');
      const said = async () => page.locator(`#${await canvas.getAttribute('aria-describedby')}`).textContent();
      // By kind: "Commission meeting" read "Commission m…" at 1280 (issue 12).
      await showWindow(page, '#from=1990-01-01&to=2026-12-31');
      let d = await drawn(page, (d) => d.marks.length > 0 && d.lanes.includes('Commission meeting'));
      assertNamesReadable(d, await said(), `by kind at ${width}`, true, true);
      await page.screenshot({ path: await screenshotPath(`timeline-lane-names-${width}.png`) });
      // By actor, names of up to 89 characters: whole on a laptop; on a phone the longest may
      // end in "…" after four lines, and the accessible description says it whole.
      await showWindow(page, '#lanes=actor&from=1990-01-01&to=2026-12-31');
      d = await drawn(page, (d) => d.lanes.includes('Alexander Lukashenko'));
      assertNamesReadable(d, await said(), `by actor at ${width}`, width > 600);
      await done();
    });
  }

  test('a lane takes the rows it needs while the window has room: eras.json is drawn whole, nothing counted', { skip: !existsSync(ERAS) && `no ${ERAS} (../shared/corpus or ANNALS_CORPUS)` }, async () => {
    // Once: one lane of five rows, "+1 +2 +3" below them, and half the screen empty.
    const opened = await suite.openPage('/index.html?no-record-yet');
    const { page, done } = opened;
    await page.route('**/fixtures/eras.json', (route) => route.fulfill({ body: readFileSync(ERAS), contentType: 'application/json' }));
    await page.goto(`${suite.url()}/?src=${encodeURIComponent('/fixtures/eras.json')}#view=timeline`);
    await page.locator('section.event-list h2').waitFor({ timeout: 15_000 });
    await page.locator('canvas.timeline-canvas').evaluate((c) => c.setAttribute('data-test', ''));
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByRole('button', { name: 'All', exact: true }).click();
    const d = await drawn(page, (d) => d.marks.length > 0 && d.lanes.length === 1);
    assert.deepEqual(d.more, [], 'nothing is counted');
    assert.equal(new Set(d.marks.map((m) => m.id)).size, 23, 'every slide is drawn');
    const rows = new Set(d.marks.map((m) => m.y)).size;
    assert.ok(rows > 5, `the lane took the rows it needs (${rows})`);
    assert.ok(d.height <= 800, `and the timeline still fits the window (${d.height} px)`);
    for (const [i, p] of d.marks.entries()) {
      for (const q of d.marks.slice(i + 1)) if (p.y === q.y) assert.ok(!overlaps(p, q), `${p.id} and ${q.id} overlap in a row`);
    }
    await page.screenshot({ path: await screenshotPath('timeline-eras-1280.png') });
    await done();
  });

  test('at one-day zoom, lanes without an event in the window are thin labelled strips, and no lane shrinks during a drag', async () => {
    const { page, done } = await open('/');
    await showWindow(page, '#from=2024-05-16&to=2024-05-17');
    const d = await drawn(page, (d) => d.marks.some((m) => m.id === FUZULI));
    const height = (d, name) => d.rows[d.lanes.indexOf(name)][1];
    for (const name of ['Call', 'Other']) {
      assert.ok(height(d, name) <= 20, `the empty lane "${name}" is a strip (${height(d, name)} px)`);
    }
    for (const name of ['Visit', 'Signing', 'Talks', 'Statement']) {
      assert.ok(height(d, name) >= 34, `the lane "${name}" with events keeps its rows (${height(d, name)} px)`);
    }
    assertNamesReadable(d, await page.locator('#timeline-lanes').textContent(), 'strips', true, true);
    // Drag the window about two days into the past: lanes lose events, but while the pointer
    // moves none of them shrinks (what each move painted is kept by a listener after the
    // canvas' own); once the input rests, they do.
    await page.evaluate(() =>
      addEventListener('pointermove', () => {
        window.__duringDrag = document.querySelector('canvas.timeline-canvas').getAttribute('data-drawn');
      }),
    );
    const box = await page.locator('canvas.timeline-canvas').boundingBox();
    const at = [box.x + 20, box.y + 20];
    await page.mouse.move(...at);
    await page.mouse.down();
    for (let i = 1; i <= 24; i += 1) await page.mouse.move(at[0] + i * 50, at[1]);
    const moving = JSON.parse(await page.evaluate(() => window.__duringDrag));
    assert.ok(!moving.marks.some((m) => m.id === FUZULI), `the drag moved the window: ${JSON.stringify(moving.ticks)}`);
    for (const [lane, [, h]] of d.rows.entries()) {
      assert.ok(moving.rows[lane][1] >= h, `during the drag, the lane "${d.lanes[lane]}" kept its height (${h} → ${moving.rows[lane][1]})`);
    }
    await page.mouse.up();
    const after = await drawn(page, (a) => a.rows.some(([, h], lane) => h < moving.rows[lane][1]));
    assert.ok(after.rows.every(([, h], lane) => h <= moving.rows[lane][1]), `at rest, the emptied lanes shrink: ${JSON.stringify(after.rows)}`);
    await done();
  });

  test("a dispute's \"?\" takes room in its row: no label or mark is drawn over it", async () => {
    const { page, done } = await open('/');
    // The width of "?" as the timeline draws it (bold 11 px), measured in the page.
    const mark = await page.evaluate(() => {
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = 'bold 11px system-ui, sans-serif';
      return ctx.measureText('?').width;
    });
    let seen = 0;
    for (const [fragment, id] of [
      ['#from=2024-05-16&to=2024-05-17', '2024-05-16-signing'],
      ['#from=2016-11-20&to=2016-12-05', '2016-11-28-lukashenko-official-visit'],
      ['#from=2021-04-08&to=2021-04-20', '2021-04-13-lukashenko-working-visit'],
    ]) {
      await showWindow(page, fragment);
      const d = await drawn(page, (d) => d.marks.some((m) => m.id === id));
      const taken = d.marks.flatMap((m) => [
        { who: `mark ${m.id}`, y: m.y, x1: m.x1, x2: m.x2 },
        ...(m.label ? [{ who: `label ${m.id}`, y: m.y, x1: m.label.x, x2: m.label.x + m.label.room }] : []),
      ]);
      for (const m of d.marks.filter((m) => m.disputed)) {
        seen += 1;
        // Drawn 1 px right of its mark.
        const q = { x1: m.x2 + 1, x2: m.x2 + 1 + mark };
        for (const t of taken.filter((t) => t.y === m.y && t.who !== `mark ${m.id}`)) {
          assert.ok(!overlaps(q, t), `${fragment}: the "?" of ${m.id} (${q.x1.toFixed(1)}…${q.x2.toFixed(1)}) is under ${t.who} (${t.x1.toFixed(1)}…${t.x2.toFixed(1)})`);
        }
      }
    }
    assert.ok(seen >= 3, `disputed events were drawn (${seen})`);
    await done();
  });

  test('a timeline more than three windows tall: the canvas is the part in view, and follows a scroll', async () => {
    // Lanes by actor at all time on a phone held sideways-short (480 px): a lane per actor,
    // more than three screens tall, so even at rest the canvas is a slice.
    const { page, done } = await open('/#lanes=actor', { viewport: { width: 360, height: 480 } });
    await showWindow(page, '#lanes=actor&from=1990-01-01&to=2026-12-31');
    const d = await drawn(page, (d) => d.marks.length > 0 && d.lanes.length > 10);
    const outer = page.locator('.timeline');
    const canvas = page.locator('canvas.timeline-canvas');
    const size = await outer.evaluate((t) => ({ height: t.clientHeight, screen: innerHeight }));
    assert.ok(size.height >= d.height && size.height > 3 * size.screen, `the timeline holds every lane (${size.height} px for ${d.height}), more than three screens (${size.screen})`);
    const holds = async (what) => {
      const [box, c] = [await outer.boundingBox(), await canvas.boundingBox()];
      const [top, bottom] = [Math.max(box.y + 1, 0), Math.min(box.y + box.height - 1, size.screen)];
      assert.ok(c.height <= size.screen, `${what}: the canvas (${c.height} px) is no taller than the screen`);
      assert.ok(c.y <= top + 0.5 && c.y + c.height >= bottom - 0.5, `${what}: the canvas (${c.y}…${c.y + c.height}) covers the part in view (${top}…${bottom})`);
    };
    await holds('at first');
    // Scroll to the timeline's last lanes; the canvas follows, and a click there selects.
    const last = d.marks.reduce((a, b) => (b.y > a.y ? b : a));
    await page.evaluate((y) => window.scrollBy(0, y), (await outer.boundingBox()).y + last.y - size.screen / 2);
    await page.waitForFunction(() => {
      const c = document.querySelector('canvas.timeline-canvas').getBoundingClientRect();
      return c.bottom >= Math.min(innerHeight, document.querySelector('.timeline').getBoundingClientRect().bottom - 1) - 0.5;
    });
    await holds('scrolled');
    const box = await outer.boundingBox();
    await page.mouse.click(box.x + 1 + (last.x1 + last.x2) / 2, box.y + 1 + last.y);
    await drawn(page, (d) => d.marks.some((m) => m.id === last.id && m.selected)).catch(() => assert.fail(`clicking ${last.id} low on the timeline did not select it`));
    await page.screenshot({ path: await screenshotPath('timeline-tall-scrolled-360.png') });
    await done();
  });

  test('a fast scroll never shows a blank lane: a screenshot right after it has every lane in view painted', async () => {
    // Beyond three screens the canvas is only the part of the lanes in view, painted again on a
    // scroll: lanes by actor at all time on a 360×480 screen are more than three screens tall.
    const { page, done } = await open('/#lanes=actor', { viewport: { width: 360, height: 480 } });
    await showWindow(page, '#lanes=actor&from=1990-01-01&to=2026-12-31');
    const d = await drawn(page, (d) => d.marks.length > 0 && d.lanes.length > 10);
    const band = d.colours[1];
    const outer = page.locator('.timeline');
    for (const [i, share] of [0.3, 0.75, 0.5].entries()) {
      // A flick to the lanes at `share` of the timeline's height, in steps delivered in one
      // task, then a screenshot at once.
      await page.evaluate((share) => {
        const t = document.querySelector('.timeline').getBoundingClientRect();
        const by = t.top + t.height * share - innerHeight / 2;
        for (let k = 1; k <= 8; k += 1) window.scrollBy(0, by / 8);
      }, share);
      const box = await outer.boundingBox();
      const shot = await page.screenshot({ path: await screenshotPath(`timeline-fast-scroll-${i}-360.png`) });
      // Even lanes are filled with the band colour: sample each one in view just left of the
      // time area, where no name reaches (a lane the canvas did not paint shows the paper).
      const samples = [];
      for (const [lane, [top, height]] of d.rows.entries()) {
        if (lane % 2) continue;
        for (const y of [top + 3, top + height / 2, top + height - 3].map((y) => box.y + 1 + y)) {
          if (y >= 0 && y < 480) samples.push({ lane, x: Math.round(box.x + 1 + d.left - 3), y: Math.round(y) });
        }
      }
      assert.ok(samples.length > 3, `lanes in view after scroll ${i} (${samples.length} samples)`);
      assert.deepEqual(await unpainted(page, shot, samples, band), [], `after scroll ${i}, lanes shown unpainted (${band} expected)`);
    }
    await done();
  });

  test('at rest, a timeline taller than the window is painted whole: a full-page capture shows every lane', async () => {
    // Lanes by actor at all time: taller than the window at 1280×800, so lanes lie below the
    // fold; a capture of the whole page (as a reader saving or printing the page gets) must
    // show them painted, not the paper.
    const { page, done } = await open('/#lanes=actor', { viewport: { width: 1280, height: 800 } });
    await showWindow(page, '#lanes=actor&from=1990-01-01&to=2026-12-31');
    const d = await drawn(page, (d) => d.marks.length > 0 && d.lanes.length > 10);
    const box = await page.locator('.timeline').boundingBox();
    assert.ok(box.y + box.height > 800, `the timeline (${box.y}…${box.y + box.height}) reaches below the window`);
    const shot = await page.screenshot({ fullPage: true, path: await screenshotPath('timeline-full-page-1280.png') });
    const samples = [];
    for (const [lane, [top, height]] of d.rows.entries()) {
      if (lane % 2) continue;
      for (const y of [top + 3, top + height - 3]) samples.push({ lane, x: Math.round(box.x + 1 + d.left - 3), y: Math.round(box.y + 1 + y) });
    }
    assert.ok(samples.some(({ y }) => y > 800), 'lanes below the window are sampled');
    assert.deepEqual(await unpainted(page, shot, samples, d.colours[1]), [], 'every lane is painted in a full-page capture');
    await done();
  });

  test('the iframe page takes its lanes from its options', async () => {
    const { page, done } = await open('/index.html?embed=1&lanes=actor');
    await showWindow(page, '#from=2024-05-16&to=2024-05-17');
    const d = await drawn(page, (d) => d.marks.length > 0);
    assert.ok(d.lanes.includes('Azerbaijan') && !d.lanes.includes('Visit'), `${d.lanes}`);
    await done();
  });

  test('the focus ring of the timeline is visible, not clipped by its box', async () => {
    const { page, done } = await open('/');
    const canvas = page.locator('canvas.timeline-canvas');
    for (let i = 0; i < 60; i += 1) {
      await page.keyboard.press('Tab');
      if (await canvas.evaluate((c) => document.activeElement === c)) break;
    }
    assert.ok(await canvas.evaluate((c) => document.activeElement === c && c.matches(':focus-visible')), 'the canvas has keyboard focus');
    const colour = await canvas.evaluate((c) => getComputedStyle(c).outlineColor);
    const [r, g, b] = colour.match(/\d+/g).map(Number);
    const shot = await page.locator('.timeline').screenshot({ path: await screenshotPath('timeline-focus-1280.png') });
    // Count pixels of the ring's colour along the timeline's edges (in the page, which can read PNGs).
    const ring = await page.evaluate(
      async ({ png, rgb }) => {
        const img = await createImageBitmap(new Blob([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], { type: 'image/png' }));
        const c = new OffscreenCanvas(img.width, img.height);
        const ctx = c.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const { data } = ctx.getImageData(0, 0, img.width, img.height);
        let n = 0;
        for (let y = 0; y < img.height; y += 1) {
          for (let x = 0; x < img.width; x += 1) {
            const edge = x < 8 || y < 8 || x >= img.width - 8 || y >= img.height - 8;
            const i = (y * img.width + x) * 4;
            if (edge && Math.abs(data[i] - rgb[0]) < 12 && Math.abs(data[i + 1] - rgb[1]) < 12 && Math.abs(data[i + 2] - rgb[2]) < 12) n += 1;
          }
        }
        return { n, perimeter: 2 * (img.width + img.height) };
      },
      { png: shot.toString('base64'), rgb: [r, g, b] },
    );
    assert.ok(ring.n >= ring.perimeter, `the ring (${colour}) is drawn around the timeline: ${ring.n} pixels for a perimeter of ${ring.perimeter}`);
    await done();
  });

  test('the tooltip stays inside the timeline near its right edge', async () => {
    const { page, done } = await open('/');
    await showWindow(page, '#from=2024-05-16&to=2024-05-17');
    await page.waitForFunction(() => document.querySelector('section.event-list h2')?.textContent.startsWith('7 '));
    const tooltip = page.locator('.tooltip');
    const tip = await hoverRightmost(page, tooltip);
    const outer = await page.locator('.timeline').boundingBox();
    assert.ok(tip.x >= outer.x && tip.x + tip.width <= outer.x + outer.width, `the tooltip (${tip.x}…${tip.x + tip.width}) is inside the timeline (${outer.x}…${outer.x + outer.width})`);
    await page.screenshot({ path: await screenshotPath('timeline-tooltip-1280.png') });
    await done();
  });

  test('the tooltip goes when the wheel zooms the picture away from it', async () => {
    const { page, done } = await open('/');
    await showWindow(page, '#from=2024-05-16&to=2024-05-17');
    await page.waitForFunction(() => document.querySelector('section.event-list h2')?.textContent.startsWith('7 '));
    const tooltip = page.locator('.tooltip');
    await hoverRightmost(page, tooltip);
    await page.mouse.wheel(0, 240);
    await tooltip.waitFor({ state: 'detached', timeout: 5_000 });
    await done();
  });

  test('on a phone, the tooltip fits the timeline', async () => {
    const { page, done } = await open('/', { viewport: { width: 360, height: 740 } });
    await showWindow(page, '#from=2024-05-16&to=2024-05-17');
    await page.waitForFunction(() => document.querySelector('section.event-list h2')?.textContent.startsWith('7 '));
    await page.locator('canvas.timeline-canvas').scrollIntoViewIfNeeded();
    const tip = await hoverRightmost(page, page.locator('.tooltip'));
    const outer = await page.locator('.timeline').boundingBox();
    assert.ok(tip.x >= outer.x && tip.x + tip.width <= outer.x + outer.width + 0.5, `the tooltip (${tip.x}…${tip.x + tip.width}) is inside the timeline (${outer.x}…${outer.x + outer.width})`);
    await done();
  });
});
