// End-to-end tests of the relation map (issue 12, point 3), in headless Chromium at the two
// widths a reader tried: labels clear of nodes and of each other, the drawing using the box,
// a dense record on a phone (nodes apart, every node named when focused or pointed at), the
// keyboard, the selected or deep-linked event drawn on the map, a record without actors, and
// axe on the map view.
//
// What the map drew is read from the canvas' data attributes (`data-nodes`: "id x y r" per
// node, `data-labels`: "id x y w h [leader]" per label, in whole CSS pixels; `data-highlight`:
// "a b" per emphasised edge; `data-focused`), written by the same paint that draws the pixels.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, appSuite, screenshotPath } from './harness.mjs';
import { COUNTRIES, generate, toNdjson } from './bench/events.mjs';
import { axeViolations } from './axe.mjs';

const RECORD = JSON.parse(readFileSync(join(ROOT, 'data', 'azerbaijan-belarus.json'), 'utf8'));
const KIND = Object.fromEntries(
  RECORD.events.filter((e) => e.type === 'ActorRegistered').map((e) => [e.payload.actor, e.payload.kind]),
);
const STATE_VISIT = '2024-05-16-state-visit';
const SIGNING = '2024-05-16-signing';
const WIDTHS = [
  [1280, 800],
  [360, 740],
];

/** The actors of an event of the default record that are nodes (places are not). */
function mapActors(id) {
  const e = RECORD.events.find((x) => x.id === id);
  assert.ok(e, `the default record has no event ${id}`);
  return [...new Set(participants(e).filter((a) => KIND[a] && KIND[a] !== 'place'))].sort();
}

/** The actors an event of the default record names (what the list's actor filter matches). */
function participants(e) {
  const p = e.payload;
  return [p.visitor, p.host, ...(p.parties ?? []), ...(p.co_chairs ?? []), p.commission, ...(p.actors ?? []).map((a) => a.actor)].filter(Boolean);
}

/** Every pair "a b" (a < b) of a sorted list. */
const pairs = (ids) => ids.flatMap((a, i) => ids.slice(i + 1).map((b) => `${a} ${b}`));

/** What the map drew: nodes, labels, emphasised edges, the focused node, the canvas size. */
async function drawn(page) {
  const canvas = page.locator('canvas.map-canvas');
  await canvas.waitFor();
  await page.waitForFunction(() => document.querySelector('canvas.map-canvas')?.hasAttribute('data-nodes'), null, {
    timeout: 5_000,
  }).catch(() => assert.fail('the map canvas says nothing about what it drew (no data-nodes)'));
  return canvas.evaluate((c) => {
    const rows = (name) => (c.dataset[name] ? c.dataset[name].split('|') : []);
    const nodes = rows('nodes').map((row) => {
      const f = row.split(' ');
      const [x, y, r] = f.slice(-3).map(Number);
      return { id: f.slice(0, -3).join(' '), x, y, r };
    });
    const labels = rows('labels').map((row) => {
      const f = row.split(' ');
      const leader = f[f.length - 1] === 'leader';
      const g = leader ? f.slice(0, -1) : f;
      const [x, y, w, h] = g.slice(-4).map(Number);
      return { id: g.slice(0, -4).join(' '), x, y, w, h, leader };
    });
    const box = c.getBoundingClientRect();
    return { nodes, labels, highlight: rows('highlight'), focused: c.dataset.focused ?? '', width: box.width, height: box.height };
  });
}

/** Asserts that no label covers a node or another label, no leader line runs through a label, and that each label lies in the canvas. */
function assertReadable(d, what) {
  const meets = (l, n) => {
    const nx = Math.min(Math.max(n.x, l.x), l.x + l.w);
    const ny = Math.min(Math.max(n.y, l.y), l.y + l.h);
    // The data attributes are in whole pixels and the map keeps labels 1.5 px clear of nodes,
    // so a pixel of tolerance cannot hide a real overlap.
    return Math.hypot(n.x - nx, n.y - ny) < n.r - 1;
  };
  for (const l of d.labels) {
    assert.ok(l.x >= -1 && l.y >= -1 && l.x + l.w <= d.width + 1 && l.y + l.h <= d.height + 1, `${what}: the label of ${l.id} leaves the canvas: ${JSON.stringify(l)}`);
    for (const n of d.nodes) {
      assert.ok(!meets(l, n), `${what}: the label of ${l.id} covers the node ${n.id}: ${JSON.stringify({ l, n })}`);
    }
  }
  // A leader line runs from its node towards the point of its label nearest to the node (where
  // it ends); it must not pass through another label.
  const crosses = (r, [x1, y1], [x2, y2]) => {
    const [dx, dy] = [x2 - x1, y2 - y1];
    let [enter, leave] = [0, 1];
    for (const [p, q] of [[-dx, x1 - r.x], [dx, r.x + r.w - x1], [-dy, y1 - r.y], [dy, r.y + r.h - y1]]) {
      if (p === 0) {
        if (q <= 0) return false;
      } else if (p < 0) enter = Math.max(enter, q / p);
      else leave = Math.min(leave, q / p);
    }
    return enter < leave;
  };
  for (const l of d.labels.filter((l) => l.leader)) {
    const n = d.nodes.find((n) => n.id === l.id);
    const end = [Math.min(Math.max(n.x, l.x), l.x + l.w), Math.min(Math.max(n.y, l.y), l.y + l.h)];
    for (const o of d.labels.filter((o) => o !== l)) {
      // Whole pixels: a pixel in from each side.
      const inner = { x: o.x + 1, y: o.y + 1, w: o.w - 2, h: o.h - 2 };
      assert.ok(!crosses(inner, [n.x, n.y], end), `${what}: the leader line of ${l.id} runs through the label of ${o.id}: ${JSON.stringify({ l, o, n })}`);
    }
  }
  for (let i = 0; i < d.labels.length; i++) {
    for (let j = i + 1; j < d.labels.length; j++) {
      const [a, b] = [d.labels[i], d.labels[j]];
      const overlap = a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1;
      assert.ok(!overlap, `${what}: the labels of ${a.id} and ${b.id} overlap: ${JSON.stringify({ a, b })}`);
    }
  }
}

/** A record of `n` actors with long names: three busy hubs and many who meet one or two of them. */
function manyActors(n) {
  const SOURCE = [{ publisher: 'Test fixture', title: 'Invented for the map tests' }];
  const events = [];
  for (let i = 0; i < n; i++) {
    const kind = i < 3 ? 'country' : ['person', 'organization', 'commission'][i % 3];
    events.push({ id: `actor:a${i}`, type: 'ActorRegistered', payload: { actor: `a${i}`, kind, names: { en: `Actor number ${i} with a long name` } } });
  }
  let k = 0;
  for (let i = 3; i < n; i++) {
    for (let m = 0; m <= i % 2; m++) {
      const hub = (i + m) % 3;
      events.push({
        id: `m${k}`,
        type: 'Talks',
        payload: { occurred: `${2000 + (k % 20)}-0${1 + (k % 9)}`, title: `Meeting ${k}`, actors: [{ actor: `a${hub}` }, { actor: `a${i}` }], sources: SOURCE },
      });
      k++;
    }
  }
  for (let h = 0; h < 3; h++) {
    events.push({ id: `hub${h}`, type: 'Call', payload: { occurred: '2010', title: `Hub call ${h}`, actors: [{ actor: `a${h}` }, { actor: `a${(h + 1) % 3}` }], sources: SOURCE } });
  }
  return { annals: 1, stream: 'map-many', title: `A record of ${n} actors`, events };
}

/** Asserts that no two nodes overlap (one hiding another); whole pixels, a pixel of tolerance. */
function assertApart(d, what) {
  for (let i = 0; i < d.nodes.length; i++) {
    for (let j = i + 1; j < d.nodes.length; j++) {
      const [a, b] = [d.nodes[i], d.nodes[j]];
      assert.ok(Math.hypot(a.x - b.x, a.y - b.y) >= a.r + b.r - 1, `${what}: the nodes ${a.id} and ${b.id} overlap: ${JSON.stringify({ a, b })}`);
    }
  }
}

/** Opens a record given as an object through the app's file picker and shows its map. */
async function openRecord(page, name, record) {
  await page.getByRole('button', { name: 'Open a file…' }).click();
  await page.locator('.opener input[type=file]').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(record)) });
  await page.waitForFunction((t) => document.querySelector('h1')?.textContent.trim().startsWith(t), record.title, { timeout: 20_000 });
  await page.getByRole('button', { name: 'Relation map' }).click();
}

describe('the relation map', { timeout: 60_000 }, () => {
  const suite = appSuite();

  for (const [width, height] of WIDTHS) {
    test(`at ${width}×${height}, labels cover no node and no label, Belarus is labelled, and the drawing fills the box`, async () => {
      const { page, done } = await suite.openPage('/#view=map', { viewport: { width, height } });
      const d = await drawn(page);
      await page.locator('section.map').screenshot({ path: await screenshotPath(`map-default-${width}.png`) });
      assert.ok(d.nodes.length >= 20, `the default record's map has its actors (${d.nodes.length})`);
      assertReadable(d, `default record at ${width}`);
      const labelled = new Set(d.labels.map((l) => l.id));
      for (const id of ['blr', 'aze', 'aliyev', 'lukashenko']) assert.ok(labelled.has(id), `${id} is labelled at ${width}`);
      assert.ok(labelled.size >= d.nodes.length * 0.6, `most actors are labelled (${labelled.size} of ${d.nodes.length})`);
      // The drawing (nodes with their discs) spans most of the canvas both ways.
      const xs = d.nodes.flatMap((n) => [n.x - n.r, n.x + n.r]);
      const ys = d.nodes.flatMap((n) => [n.y - n.r, n.y + n.r]);
      const [spanX, spanY] = [Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
      assert.ok(spanX >= 0.7 * d.width, `the drawing is ${spanX.toFixed(0)} px of ${d.width} px wide`);
      assert.ok(spanY >= 0.7 * d.height, `the drawing is ${spanY.toFixed(0)} px of ${d.height} px high`);
      await done();
    });

    test(`at ${width}×${height}, a record of 60 actors with long names gets labels that never overlap`, async () => {
      const { page, done } = await suite.openPage('/', { viewport: { width, height } });
      await openRecord(page, 'many-actors.json', manyActors(60));
      const d = await drawn(page);
      await page.locator('section.map').screenshot({ path: await screenshotPath(`map-many-${width}.png`) });
      assert.equal(d.nodes.length, 60);
      assertReadable(d, `60 actors at ${width}`);
      // On a phone, 60 nodes leave room for a few labels only (the others are announced when
      // focused); the busiest actors get them first.
      assert.ok(d.labels.length >= (width > 1000 ? 30 : 4), `${d.labels.length} labels found room at ${width}`);
      const hubs = ['a0', 'a1', 'a2'].filter((id) => d.labels.some((l) => l.id === id));
      assert.ok(hubs.length >= (width > 1000 ? 3 : 2), `the hubs labelled at ${width}: ${hubs}`);
      await done();
    });
  }

  test('at 360×740, a dense record (the benches\' 40 countries, nearly all linked) has nodes apart, labels clear of each other and of other nodes, and every node named when focused or pointed at; two fingers zoom', async () => {
    const { page, context, done } = await suite.openPage('/', { viewport: { width: 360, height: 740 }, hasTouch: true });
    const title = await page.locator('h1').textContent();
    await page.getByRole('button', { name: 'Open a file…' }).click();
    await page.locator('.opener input[type=file]').setInputFiles({ name: 'dense.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(toNdjson(generate(20_000))) });
    await page.waitForFunction((t) => document.querySelector('h1')?.textContent !== t, title, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Relation map' }).click();
    const d = await drawn(page);
    await page.locator('section.map').screenshot({ path: await screenshotPath('map-dense-360.png') });
    assert.equal(d.nodes.length, COUNTRIES);
    assertReadable(d, 'dense record at 360');
    assertApart(d, 'dense record at 360');
    assert.ok(d.labels.length >= 6, `the busiest get labels (${d.labels.length})`);
    // Every node, walked left to right with the keyboard: its label is drawn (clear of other
    // nodes and labels, its focus ring too) and the live region names it.
    const canvas = page.locator('canvas.map-canvas');
    await canvas.focus();
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.querySelector('canvas.map-canvas').dataset.focused);
    await page.keyboard.press('Home');
    const leftmost = d.nodes.reduce((a, b) => (b.x < a.x ? b : a)).id;
    await page.waitForFunction((id) => document.querySelector('canvas.map-canvas').dataset.focused === id, leftmost);
    const named = new Set();
    for (let i = 0; i < d.nodes.length; i++) {
      const now = await drawn(page);
      const f = now.focused;
      assert.ok(now.labels.some((l) => l.id === f), `the focused ${f} is labelled: ${JSON.stringify(now.labels)}`);
      assertReadable({ ...now, nodes: now.nodes.map((n) => (n.id === f ? { ...n, r: n.r + 10 } : n)) }, `focused on ${f}`);
      const name = `Country ${f.slice(1)}`;
      await page.waitForFunction((n) => document.querySelector('section.map [aria-live]').textContent.startsWith(`${n},`), name, { timeout: 5_000 })
        .catch(async () => assert.fail(`the live region does not name ${name}: ${await page.locator('section.map [aria-live]').textContent()}`));
      named.add(f);
      if (i + 1 < d.nodes.length) {
        await page.keyboard.press('ArrowRight');
        await page.waitForFunction((was) => document.querySelector('canvas.map-canvas').dataset.focused !== was, f, { timeout: 5_000 });
      }
    }
    assert.equal(named.size, COUNTRIES, 'the walk named every node');
    assert.deepEqual(await axeViolations(page), [], 'axe on the dense map, focused');
    await page.screenshot({ path: await screenshotPath('map-dense-360-focused.png') });
    // A mouse over a node without a label draws its name.
    await canvas.evaluate((c) => c.blur());
    await page.waitForFunction(() => document.querySelector('canvas.map-canvas').dataset.focused === '');
    const plain = await drawn(page);
    const bare = plain.nodes.find((n) => !plain.labels.some((l) => l.id === n.id));
    assert.ok(bare, 'some node is drawn without its name');
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + bare.x, box.y + bare.y);
    await page.waitForFunction((id) => document.querySelector('canvas.map-canvas').dataset.labels.split('|').some((l) => l.split(' ')[0] === id), bare.id, { timeout: 5_000 })
      .catch(() => assert.fail(`pointing at ${bare.id} does not name it`));
    assertReadable(await drawn(page), `pointing at ${bare.id}`);
    // Two fingers spread apart zoom in about their midpoint: the drawing spreads, the nodes grow
    // back towards their size, more names find room, and still none overlaps.
    await page.mouse.move(0, 0);
    const before = await drawn(page);
    const cdp = await context.newCDPSession(page);
    const [mx, my] = [box.x + box.width / 2, box.y + box.height / 2];
    const touch = (type, spread) =>
      cdp.send('Input.dispatchTouchEvent', {
        type,
        touchPoints: type === 'touchEnd' ? [] : [{ x: mx - spread, y: my, id: 1 }, { x: mx + spread, y: my, id: 2 }],
      });
    await touch('touchStart', 20);
    for (const spread of [30, 40, 50, 60]) await touch('touchMove', spread);
    await touch('touchEnd', 0);
    await page.waitForFunction((o) => document.querySelector('canvas.map-canvas').dataset.nodes !== o, before.nodes.map((n) => `${n.id} ${n.x} ${n.y} ${n.r}`).join('|'), { timeout: 5_000 });
    const pinched = await drawn(page);
    const spreadX = (v) => Math.max(...v.nodes.map((n) => n.x)) - Math.min(...v.nodes.map((n) => n.x));
    assert.ok(spreadX(pinched) > spreadX(before) * 2, `a pinch zooms in: ${spreadX(before)} -> ${spreadX(pinched)} px`);
    const busiest = (v) => Math.max(...v.nodes.map((n) => n.r));
    assert.ok(busiest(pinched) > busiest(before), `nodes grow back: ${busiest(before)} -> ${busiest(pinched)} px`);
    assert.ok(!page.url().includes('actor='), 'a pinch chooses no actor');
    assertReadable(pinched, 'pinched');
    assertApart(pinched, 'pinched');
    await page.locator('section.map').screenshot({ path: await screenshotPath('map-dense-360-pinched.png') });
    await done();
  });

  test('the keyboard: arrows move a focus between actors, Enter and Space choose one without scrolling, Escape goes back', async () => {
    const { page, done } = await suite.openPage('/#view=map', { viewport: { width: 1280, height: 800 } });
    const before = await drawn(page);
    const canvas = page.locator('canvas.map-canvas');
    await canvas.focus();
    const announce = page.locator('section.map [aria-live]');
    assert.equal(await announce.count(), 1, 'the map has a live region');
    await page.keyboard.press('ArrowRight');
    const focusedNow = await drawn(page);
    const first = focusedNow.focused;
    assert.ok(first, 'an arrow key focuses an actor');
    // The focus ring (10 px around the node) is clear of labels too.
    assertReadable(
      { ...focusedNow, nodes: focusedNow.nodes.map((n) => (n.id === first ? { ...n, r: n.r + 10 } : n)) },
      'with the focus ring',
    );
    const biggest = Math.max(...before.nodes.map((n) => n.r));
    assert.equal(before.nodes.find((n) => n.id === first).r, biggest, 'the first press lands on a busiest actor');
    const name = (id) => RECORD.events.find((e) => e.type === 'ActorRegistered' && e.payload.actor === id).payload.names.en;
    await page.waitForFunction((n) => document.querySelector('section.map [aria-live]').textContent.includes(n), name(first));
    // Left to right: every press moves to a node right of (or level with) the one before.
    const xOf = (d, id) => d.nodes.find((n) => n.id === id).x;
    const seen = new Set([first]);
    let previous = first;
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('ArrowRight');
      const d = await drawn(page);
      assert.notEqual(d.focused, previous, 'ArrowRight moves on');
      assert.ok(xOf(d, d.focused) >= xOf(d, previous), `${d.focused} is right of ${previous}`);
      seen.add(d.focused);
      previous = d.focused;
    }
    await page.keyboard.press('Home');
    const leftmost = before.nodes.reduce((a, b) => (b.x < a.x ? b : a));
    assert.equal((await drawn(page)).focused, leftmost.id, 'Home goes to the leftmost actor');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowDown');
    // Space chooses the focused actor (as a click does) and does not scroll the page.
    const chosen = (await drawn(page)).focused;
    const scroll = await page.evaluate(() => window.scrollY);
    await page.keyboard.press(' ');
    await page.waitForFunction((id) => location.hash.includes(`actor=${encodeURIComponent(id)}`), chosen, { timeout: 5_000 })
      .catch(() => assert.fail(`Space did not choose ${chosen}: ${page.url()}`));
    assert.equal(await page.evaluate(() => window.scrollY), scroll, 'Space does not scroll the page');
    await page.getByRole('button', { name: `Showing ${name(chosen)} and its relations ✕` }).waitFor();
    // The list shows the actor's events only.
    const involved = new Set(RECORD.events.filter((e) => e.payload?.occurred && participants(e).includes(chosen)).map((e) => e.id));
    await page.waitForFunction((id) => document.querySelector('section.event-list li[data-id]'), null, { timeout: 5_000 });
    const listed = await page.locator('section.event-list li[data-id]').evaluateAll((lis) => lis.map((li) => li.dataset.id));
    assert.ok(listed.length > 0 && listed.every((id) => involved.has(id)), `the list holds ${chosen}'s events only: ${listed}`);
    const ego = await drawn(page);
    assert.ok(ego.nodes.length < before.nodes.length, 'the map shows the ego view');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !location.hash.includes('actor='), null, { timeout: 5_000 });
    // Enter does the same as Space.
    await page.keyboard.press('ArrowRight');
    const next = (await drawn(page)).focused;
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => location.hash.includes(`actor=${encodeURIComponent(id)}`), next, { timeout: 5_000 });
    // The focus ring is drawn only while the map has focus.
    assert.equal((await drawn(page)).focused, next);
    await page.screenshot({ path: await screenshotPath('map-keyboard.png') });
    await canvas.evaluate((c) => c.blur());
    await page.waitForFunction(() => document.querySelector('canvas.map-canvas').dataset.focused === '', null, { timeout: 5_000 });
    await page.locator('section.map').screenshot({ path: await screenshotPath('map-keyboard-blurred.png') });
    await done();
  });

  test('the pointer: a drag pans and the wheel zooms the drawing, a click chooses an actor; in a widget the plain wheel is the host page\'s', async () => {
    // The visuals module handles the canvas' input itself (see `annals_visuals::map`): what it
    // draws after each gesture is read back from the canvas.
    const nodesNow = (page) => page.locator('canvas.map-canvas').evaluate((c) => c.dataset.nodes);
    const changed = (page, old) =>
      page.waitForFunction((o) => document.querySelector('canvas.map-canvas').dataset.nodes !== o, old, { timeout: 5_000 });
    const { page, done } = await suite.openPage('/#view=map', { viewport: { width: 1280, height: 800 } });
    const before = await drawn(page);
    const box = await page.locator('canvas.map-canvas').boundingBox();
    // A drag of 60 px right and 30 px down moves every node by as much, and chooses no one.
    let raw = await nodesNow(page);
    await page.mouse.move(box.x + 12, box.y + 12);
    await page.mouse.down();
    await page.mouse.move(box.x + 42, box.y + 27, { steps: 3 });
    await page.mouse.move(box.x + 72, box.y + 42, { steps: 3 });
    await page.mouse.up();
    await changed(page, raw);
    const panned = await drawn(page);
    for (const n of panned.nodes) {
      const was = before.nodes.find((b) => b.id === n.id);
      assert.ok(Math.abs(n.x - was.x - 60) <= 1 && Math.abs(n.y - was.y - 30) <= 1, `${n.id} moved with the drag: ${JSON.stringify([was, n])}`);
    }
    assert.ok(!page.url().includes('actor='), 'a drag chooses no actor');
    // The wheel (up) zooms in about the canvas' centre: the nodes spread out.
    raw = await nodesNow(page);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -300);
    await changed(page, raw);
    const zoomed = await drawn(page);
    const spread = (d) => Math.max(...d.nodes.map((n) => n.x)) - Math.min(...d.nodes.map((n) => n.x));
    assert.ok(spread(zoomed) > spread(panned) * 1.3, `zoomed in: ${spread(panned)} -> ${spread(zoomed)}`);
    // A click on a node chooses its actor, as Enter does.
    const target = zoomed.nodes.reduce((a, b) => (b.r > a.r ? b : a));
    await page.locator('canvas.map-canvas').click({ position: { x: target.x, y: target.y } });
    await page.waitForFunction((id) => location.hash.includes(`actor=${encodeURIComponent(id)}`), target.id, { timeout: 5_000 })
      .catch(() => assert.fail(`a click on ${target.id} did not choose it: ${page.url()}`));
    await done();

    // In a widget the plain wheel scrolls the host page; Ctrl + wheel (a pinch) zooms.
    const widget = await suite.openPage('/index.html?embed=1&view=map', { viewport: { width: 800, height: 700 } });
    await drawn(widget.page);
    const frame = await widget.page.locator('canvas.map-canvas').boundingBox();
    raw = await nodesNow(widget.page);
    await widget.page.mouse.move(frame.x + frame.width / 2, frame.y + frame.height / 2);
    await widget.page.mouse.wheel(0, -300);
    await widget.page.waitForTimeout(400);
    assert.equal(await nodesNow(widget.page), raw, 'the plain wheel does not zoom a widget');
    await widget.page.keyboard.down('Control');
    await widget.page.mouse.wheel(0, -300);
    await widget.page.keyboard.up('Control');
    await changed(widget.page, raw);
    await widget.done();
  });

  test("an actor's view (by the address) is fitted to the canvas, not left where it sits on the whole map", async () => {
    const { page, done } = await suite.openPage('/#view=map&actor=mirziyoyev', { viewport: { width: 1280, height: 800 } });
    const d = await drawn(page);
    assert.deepEqual(d.nodes.map((n) => n.id).sort(), ['aliyev', 'lukashenko', 'mirziyoyev'], 'the ego view of Shavkat Mirziyoyev');
    const spread = (v) => Math.max(...v) - Math.min(...v);
    const [sx, sy] = [spread(d.nodes.map((n) => n.x)), spread(d.nodes.map((n) => n.y))];
    assert.ok(sx >= 0.5 * d.width || sy >= 0.5 * d.height, `the ego view spans ${sx.toFixed(0)} × ${sy.toFixed(0)} px of ${d.width} × ${d.height}`);
    assertReadable(d, 'the ego view');
    await done();
  });

  test('a deep-linked event is drawn on the map, and a newly selected one replaces it', async () => {
    const { page, done } = await suite.openPage(`/#view=map&e=${STATE_VISIT}`, { viewport: { width: 1280, height: 800 } });
    const d = await drawn(page);
    const actors = mapActors(STATE_VISIT);
    assert.ok(actors.length >= 2, `the state visit has actors on the map: ${actors}`);
    assert.deepEqual(d.highlight.sort(), pairs(actors), 'the edges between its actors are emphasised');
    const note = await page.locator('section.map .map-highlight').textContent();
    assert.match(note, /Alexander Lukashenko's state visit to Azerbaijan/);
    for (const id of actors) assert.ok(d.labels.some((l) => l.id === id), `${id} is labelled`);
    await page.locator(`section.event-list li[data-id="${SIGNING}"] button`).click();
    await page.waitForFunction(
      (want) => document.querySelector('canvas.map-canvas')?.dataset.highlight === want,
      pairs(mapActors(SIGNING)).join('|'),
      { timeout: 5_000 },
    ).catch(async () => assert.fail(`the signing is not drawn: ${JSON.stringify((await drawn(page)).highlight)}`));
    await page.locator('section.map').screenshot({ path: await screenshotPath('map-deep-link.png') });
    await done();
  });

  test('the map redraws at its new size when the window is resized or a phone turns', async () => {
    const { page, done } = await suite.openPage('/#view=map', { viewport: { width: 1280, height: 800 } });
    const wide = await drawn(page);
    assert.ok(wide.width > 900, `the map is wide at 1280 px (${wide.width} px)`);
    // What the bitmap and the drawing fit: the canvas' size in pixels, the nodes' extent.
    const fits = () =>
      page.evaluate(() => {
        const c = document.querySelector('canvas.map-canvas');
        const ratio = window.devicePixelRatio;
        const xs = c.dataset.nodes.split('|').map((row) => Number(row.split(' ').at(-3)));
        return {
          client: c.clientWidth,
          bitmap: c.width / ratio,
          right: Math.max(...xs),
        };
      });
    for (const [width, height] of [
      [360, 740],
      [740, 360],
    ]) {
      await page.setViewportSize({ width, height });
      let now;
      for (let i = 0; i < 40; i += 1) {
        now = await fits();
        if (Math.abs(now.bitmap - now.client) <= 1) break;
        await page.waitForTimeout(50);
      }
      assert.ok(Math.abs(now.bitmap - now.client) <= 1, `at ${width}×${height} the bitmap is redrawn to the canvas' ${now.client} px (it is ${now.bitmap} px)`);
      assert.ok(now.right <= now.client, `at ${width}×${height} every node is inside the canvas (rightmost at ${now.right} of ${now.client} px)`);
      assertReadable(await drawn(page), `resized to ${width}×${height}`);
    }
    await page.locator('section.map').screenshot({ path: await screenshotPath('map-turned-740.png') });
    await done();
  });

  test('a record without actors says there is no map, and offers no clicks', async () => {
    const { page, done } = await suite.openPage('/', { viewport: { width: 1280, height: 800 } });
    const SOURCE = [{ publisher: 'Test fixture', title: 'Invented for the map tests' }];
    const record = {
      annals: 1,
      stream: 'map-none',
      title: 'A record without actors',
      events: [1, 2, 3].map((i) => ({ id: `n${i}`, type: 'Other', payload: { occurred: `200${i}`, title: `Event ${i}`, sources: SOURCE } })),
    };
    await openRecord(page, 'no-actors.json', record);
    const map = page.locator('section.map');
    await map.waitFor();
    assert.match(await map.textContent(), /This record names no actors, so there is no map to draw\./);
    assert.equal(await page.locator('canvas.map-canvas').count(), 0, 'no empty canvas');
    assert.doesNotMatch(await map.textContent(), /Click an actor/);
    assert.equal(await page.locator('.save-picture').count(), 0, 'no "Save picture" of a map that is not there');
    await done();
  });

  test('axe finds nothing to fault on the map view', async () => {
    const { page, done } = await suite.openPage(`/#view=map&e=${STATE_VISIT}`, { viewport: { width: 1280, height: 800 } });
    await drawn(page);
    await page.locator('canvas.map-canvas').focus();
    await page.keyboard.press('ArrowRight');
    await page.addScriptTag({ path: join(ROOT, 'tests', 'e2e', 'node_modules', 'axe-core', 'axe.min.js') });
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    assert.deepEqual(found, [], 'axe violations');
    await done();
  });
});
