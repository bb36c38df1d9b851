// End-to-end tests of the Annals web app: the built `dist/` served by a tiny static server,
// driven in Debian's headless Chromium by playwright-core.
//
// Run: `cargo xtask test` (builds dist/ first), or, with dist/ built, `node --test tests/e2e/`.
// Screenshots land in target/screenshots/ for people to look at.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, appSuite, markOnCanvas, rgb, screenshotPath } from './harness.mjs';

// What the default record says, read from the same file the app loads.
const RECORD = JSON.parse(readFileSync(join(ROOT, 'data', 'azerbaijan-belarus.json'), 'utf8'));
const DOMAIN_KINDS = ['Visit', 'Signing', 'CommissionMeeting', 'Talks', 'Call', 'Statement', 'Other'];
const EVENTS = RECORD.events.filter((e) => DOMAIN_KINDS.includes(e.type));
const byId = (id) => {
  const e = EVENTS.find((x) => x.id === id);
  assert.ok(e, `the default record has no event ${id}; the test data assumption is stale`);
  return e;
};
const CALL_IDS = EVENTS.filter((e) => e.type === 'Call').map((e) => e.id);
const DOCUMENTS = EVENTS.filter((e) => e.type === 'Signing')
  .map((e) => e.payload.count ?? (e.payload.documents ?? []).length)
  .reduce((a, b) => a + b, 0);
const DISPUTED_IDS = [...new Set(RECORD.events.filter((e) => e.type === 'Disputed').map((e) => e.payload.target))];

const STATE_VISIT = '2024-05-16-state-visit';
const STATE_VISIT_TITLE = "Alexander Lukashenko's state visit to Azerbaijan";
const SIGNING = '2024-05-16-signing'; // has a source with an https URL
const DISPUTED = '2023-igc-13th-meeting';

const KIND_COLOURS = {
  Visit: '#0072B2',
  Signing: '#D55E00',
  CommissionMeeting: '#009E73',
  Talks: '#CC79A7',
  Call: '#B07A00',
  Statement: '#2F8FC4',
  Other: '#6B6B6B',
};

/** The number the list heading states ("N events in view", "1 event in view"). */
async function countInView(page) {
  const text = await page.locator('section.event-list h2').textContent();
  const m = /^(\d+) events? in view$/.exec(text.trim());
  assert.ok(m, `unexpected list heading: ${JSON.stringify(text)}`);
  return Number(m[1]);
}

async function listedIds(page) {
  return page.locator('section.event-list li[data-id]').evaluateAll((lis) => lis.map((li) => li.dataset.id));
}

async function detailsTitle(page) {
  const h2 = page.locator('section#details h2');
  return (await h2.count()) ? (await h2.textContent()).trim() : null;
}

async function waitForHash(page, predicate, what) {
  try {
    await page.waitForFunction(predicate, undefined, { timeout: 5_000 });
  } catch {
    assert.fail(`the URL fragment never ${what}; it is ${JSON.stringify(await page.evaluate(() => location.hash))}`);
  }
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

describe('Annals web app', { timeout: 55_000 }, () => {
  const suite = appSuite();
  const open = suite.openPage;

  test('the static server serves the wasm as application/wasm', async () => {
    const html = await (await fetch(`${suite.url()}/`)).text();
    const wasm = /["']\/?([^"']+_bg\.wasm)["']/.exec(html);
    assert.ok(wasm, 'index.html names a _bg.wasm file');
    const res = await fetch(`${suite.url()}/${wasm[1]}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/wasm');
    assert.equal((await fetch(`${suite.url()}/data/azerbaijan-belarus.json`)).status, 200, 'the record is bundled');
  });

  test('the default record is shown, with the 16 May 2024 state visit in the list', async () => {
    const { page, done } = await open('/');
    assert.equal((await page.locator('h1').textContent()).trim(), 'Azerbaijan–Belarus relations');
    assert.equal(
      (await page.locator('header .summary').textContent()).trim(),
      `${EVENTS.length} events · ${DOCUMENTS} documents signed · ${DISPUTED_IDS.length} disputed`,
    );
    const item = page.locator(`section.event-list li[data-id="${STATE_VISIT}"]`);
    assert.equal(await item.count(), 1, 'the state visit is listed once');
    const text = await item.textContent();
    assert.ok(text.includes(STATE_VISIT_TITLE), `list item text: ${text}`);
    assert.ok(text.includes('16–17 May 2024'), `list item shows the dates: ${text}`);
    // The whole record is in view at first: every domain event is listed, and the count says so.
    const ids = await listedIds(page);
    assert.equal(await countInView(page), EVENTS.length);
    assert.deepEqual([...ids].sort(), EVENTS.map((e) => e.id).sort());
    assert.equal(await page.locator('section#details.empty').count(), 1, 'nothing is selected at first');
    await done();
  });

  test('clicking an event in the list shows its details and sources, and puts it in the URL', async () => {
    const { page, done } = await open('/');
    const event = byId(SIGNING);
    const urls = event.payload.sources.filter((s) => s.url).map((s) => s.url);
    assert.ok(urls.length > 0, 'the chosen event has a source URL in the data');

    await page.locator(`section.event-list li[data-id="${SIGNING}"] button`).click();
    await page.locator('section#details h2').waitFor();
    assert.equal(await detailsTitle(page), event.payload.title);
    assert.equal((await page.locator('section#details .date').first().textContent()).trim(), '16 May 2024');
    const links = page.locator('section#details ul.sources a[href^="http"]');
    assert.ok((await links.count()) >= 1, 'at least one source is a link');
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const url of urls) assert.ok(hrefs.includes(url), `${url} is linked; links: ${hrefs}`);
    // Every source is listed, linked or not.
    const sourceItems = await page.locator('section#details > ul.sources > li').count();
    assert.equal(sourceItems, event.payload.sources.length);
    assert.equal(
      await page.locator(`section.event-list li[data-id="${SIGNING}"] button`).getAttribute('aria-pressed'),
      'true',
    );
    await waitForHash(page, (id) => new URLSearchParams(location.hash.slice(1)).get('e') === '2024-05-16-signing', `got e=${SIGNING}`);
    await done();
  });

  test('each source reads as publisher, title, date and quote; a source without a link says why; the publishers are counted', async () => {
    const id = '2024-05-16-state-visit';
    const event = byId(id);
    const { page, done } = await open(`/#e=${id}`);
    await page.locator('section#details h2').waitFor();
    const items = page.locator('section#details > ul.sources > li');
    assert.equal(await items.count(), event.payload.sources.length);
    for (const [i, source] of event.payload.sources.entries()) {
      const item = items.nth(i);
      assert.equal((await item.locator('.publisher').textContent()).trim(), source.publisher);
      if (source.url) {
        assert.equal(await item.locator('a cite').count(), 1, `${source.publisher}: the title is the link`);
        assert.equal(await item.locator('a').getAttribute('href'), source.url);
      } else {
        assert.equal(await item.locator('a').count(), 0);
        assert.ok((await item.locator('.no-link').textContent()).includes(source.no_url ?? 'No link'), `${source.publisher} says it has no link`);
      }
      if (source.quote) assert.equal((await item.locator('blockquote').textContent()).trim(), source.quote);
      if (source.partial) assert.ok((await item.locator('.partial').textContent()).includes(source.partial));
    }
    assert.ok(event.payload.sources.some((s) => s.no_url), 'the chosen event has a source with no page found');
    assert.match(await page.locator('section#details .backing').textContent(), /^\d+ sources? from (one publisher only|\d+ independent publishers)/);
    await done();
  });

  test('unchecking Call removes every call from the list and writes kinds= in the URL', async () => {
    const { page, done } = await open('/');
    assert.ok(CALL_IDS.length >= 2, 'the record has calls');
    const before = await countInView(page);
    const idsBefore = await listedIds(page);
    for (const id of CALL_IDS) assert.ok(idsBefore.includes(id), `${id} is listed before filtering`);

    const box = page.locator('input[name=kind][value=Call]');
    assert.equal(await box.isChecked(), true);
    await box.uncheck();
    await page.waitForFunction((n) => !document.querySelector('section.event-list h2')?.textContent.startsWith(`${n} `), before);

    const afterCount = await countInView(page);
    const idsAfter = await listedIds(page);
    assert.equal(afterCount, before - CALL_IDS.length, 'the count drops by the number of calls');
    assert.equal(idsAfter.length, afterCount);
    for (const id of CALL_IDS) assert.ok(!idsAfter.includes(id), `${id} is gone`);
    assert.deepEqual(idsAfter, idsBefore.filter((id) => !CALL_IDS.includes(id)), 'nothing else changed');
    assert.equal(await box.isChecked(), false);
    for (const k of DOMAIN_KINDS.filter((k) => k !== 'Call')) {
      assert.equal(await page.locator(`input[name=kind][value=${k}]`).isChecked(), true, `${k} stays checked`);
    }
    await waitForHash(page, () => /(^#|&)kinds=/.test(location.hash), 'got kinds=');
    const kinds = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('kinds'));
    assert.deepEqual(kinds.split(',').sort(), DOMAIN_KINDS.filter((k) => k !== 'Call').sort());

    // Checking it again brings the calls back and drops the filter from the URL.
    await box.check();
    await page.waitForFunction((n) => document.querySelector('section.event-list h2')?.textContent.startsWith(`${n} `), before);
    await waitForHash(page, () => !location.hash.includes('kinds='), 'lost kinds=');
    await done();
  });

  test('a deep link #e=… opens with that event selected', async () => {
    const { page, done } = await open(`/#e=${STATE_VISIT}`);
    await page.locator('section#details h2').waitFor();
    assert.equal(await detailsTitle(page), STATE_VISIT_TITLE);
    assert.equal(await page.locator(`section.event-list li[data-id="${STATE_VISIT}"].selected`).count(), 1);
    const details = await page.locator('section#details').textContent();
    assert.ok(details.includes('Alexander Lukashenko'), 'the visitor is named');
    // The app keeps the selection in the fragment when it rewrites it with the window.
    await waitForHash(page, () => location.hash.includes('from=') && location.hash.includes('e=2024-05-16-state-visit'), 'kept e= and got from=');
    await done();
  });

  test('keyboard on the timeline: Home, ArrowRight, Escape; keys in the search box leave the selection', async () => {
    const { page, done } = await open('/');
    const ids = await listedIds(page);
    const titleOf = (id) => byId(id).payload.title;
    assert.equal(ids[0], '1993-06-11-diplomatic-relations', 'the list is in time order');

    await page.locator('canvas.timeline-canvas').focus();
    await page.keyboard.press('Home');
    await page.locator('section#details h2').waitFor();
    assert.equal(await detailsTitle(page), titleOf(ids[0]), 'Home selects the first event');

    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((t) => document.querySelector('section#details h2')?.textContent.trim() !== t, titleOf(ids[0]));
    assert.equal(await detailsTitle(page), titleOf(ids[1]), 'ArrowRight selects the second event');
    assert.equal(await page.locator(`section.event-list li.selected`).getAttribute('data-id'), ids[1]);

    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction((t) => document.querySelector('section#details h2')?.textContent.trim() === t, titleOf(ids[0]));

    await page.keyboard.press('End');
    await page.waitForFunction((t) => document.querySelector('section#details h2')?.textContent.trim() === t, titleOf(ids.at(-1)));

    await page.keyboard.press('Escape');
    await page.locator('section#details.empty').waitFor({ timeout: 5_000 });
    assert.equal(await detailsTitle(page), null, 'Escape clears the selection');
    await waitForHash(page, () => !/(^#|&)e=/.test(location.hash), 'lost e=');

    // Select the second event again, then type navigation keys into the search box.
    await page.locator('canvas.timeline-canvas').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((t) => document.querySelector('section#details h2')?.textContent.trim() === t, titleOf(ids[1]));
    const countBefore = await countInView(page);
    const windowOf = () => page.evaluate(() => { const p = new URLSearchParams(location.hash.slice(1)); return [p.get('from'), p.get('to')]; });
    const windowBefore = await windowOf();
    const search = page.locator('input[type=search]');
    await search.focus();
    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowLeft', 'Home', 'End', 'Shift+ArrowRight', 'Escape']) {
      await page.keyboard.press(key);
    }
    await sleep(300); // give a wrongly attached listener time to act
    assert.equal(await detailsTitle(page), titleOf(ids[1]), 'keys in the search box do not move the selection');
    assert.equal(await countInView(page), countBefore, 'nor change what is in view');
    assert.deepEqual(await windowOf(), windowBefore, 'nor pan the window');
    assert.equal(await search.inputValue(), '', 'and type nothing into the search');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'search', 'focus stays in the box');
    await done();
  });

  test('the canvas is drawn: many non-background pixels and at least four kind colours', async (t) => {
    const { page, done } = await open('/');
    const canvas = page.locator('canvas.timeline-canvas');
    const measure = () =>
      canvas.evaluate(
        (c, colours) => {
          const ctx = c.getContext('2d');
          const { data, width, height } = ctx.getImageData(0, 0, c.width, c.height);
          const backgrounds = [
            [0xfb, 0xfa, 0xf7],
            [0xf1, 0xee, 0xe6],
          ];
          const near = (i, [r, g, b], tol) =>
            Math.abs(data[i] - r) <= tol && Math.abs(data[i + 1] - g) <= tol && Math.abs(data[i + 2] - b) <= tol;
          const counts = Object.fromEntries(Object.keys(colours).map((k) => [k, 0]));
          let nonBackground = 0;
          for (let i = 0; i < data.length; i += 4) {
            if (!backgrounds.some((bg) => near(i, bg, 6))) nonBackground++;
            for (const [k, c] of Object.entries(colours)) if (near(i, c, 10)) counts[k]++;
          }
          return { width, height, nonBackground, counts };
        },
        Object.fromEntries(Object.entries(KIND_COLOURS).map(([k, hex]) => [k, rgb(hex)])),
      );
    // Painting happens after render (and again once the width is measured): poll briefly.
    let m;
    for (let i = 0; i < 20; i++) {
      m = await measure();
      if (Object.values(m.counts).filter((n) => n >= 30).length >= 4) break;
      await sleep(100);
    }
    t.diagnostic(`canvas ${m.width}×${m.height}, ${m.nonBackground} non-background pixels, kind pixels ${JSON.stringify(m.counts)}`);
    assert.ok(m.width >= 600 && m.height >= 100, `the canvas has a real size (${m.width}×${m.height})`);
    assert.ok(m.nonBackground >= 0.01 * m.width * m.height, `many pixels differ from the background (${m.nonBackground})`);
    const present = Object.entries(m.counts).filter(([, n]) => n >= 30).map(([k]) => k);
    assert.ok(present.length >= 4, `at least 4 kind colours are drawn; found ${present.join(', ')}`);
    await done();
  });

  test('hovering an event mark on the canvas shows a tooltip naming it', async () => {
    const { page, done } = await open('/');
    const canvas = page.locator('canvas.timeline-canvas');
    // The centre of a solid Signing-coloured blob (a mark, not a swatch: swatches are not on the canvas).
    const spot = await markOnCanvas(canvas, rgb(KIND_COLOURS.Signing));
    assert.ok(spot, 'a Signing mark is drawn on the canvas');
    const box = await canvas.boundingBox();
    await page.mouse.move(spot.x, spot.y);
    const tooltip = page.locator('.tooltip');
    await tooltip.waitFor({ timeout: 5_000 });
    const text = await tooltip.textContent();
    const signingTitles = EVENTS.filter((e) => e.type === 'Signing').map((e) => e.payload.title);
    assert.ok(text.includes('Signing'), `the tooltip names the kind: ${text}`);
    assert.ok(signingTitles.some((title) => text.includes(title)), `the tooltip names a signing: ${text}`);
    await page.mouse.move(box.x + 2, box.y + box.height + 40);
    await tooltip.waitFor({ state: 'detached', timeout: 5_000 });
    await done();
  });

  test('search narrows the list to matching events and writes q= in the URL', async () => {
    const { page, done } = await open('/');
    const before = await countInView(page);
    await page.locator('input[type=search]').fill('Shusha');
    await page.waitForFunction((n) => !document.querySelector('section.event-list h2')?.textContent.startsWith(`${n} `), before);
    // Shusha is a place of the state visit and of the Fuzuli–Shusha trip.
    assert.deepEqual((await listedIds(page)).sort(), [STATE_VISIT, '2024-05-17-fuzuli-shusha']);
    assert.equal(await countInView(page), 2);
    await waitForHash(page, () => new URLSearchParams(location.hash.slice(1)).get('q') === 'Shusha', 'got q=Shusha');
    await page.locator('input[type=search]').fill('');
    await page.waitForFunction((n) => document.querySelector('section.event-list h2')?.textContent.startsWith(`${n} `), before);
    await done();
  });

  test('zoom buttons narrow and widen the window; All shows the whole record again', async () => {
    const { page, done } = await open('/');
    const whole = await countInView(page);
    const windowOf = () => page.evaluate(() => { const p = new URLSearchParams(location.hash.slice(1)); return [p.get('from'), p.get('to')]; });
    await waitForHash(page, () => location.hash.includes('from='), 'got from=');
    const [from0, to0] = await windowOf();
    await page.locator('button[aria-label="Zoom in"]').click();
    await page.waitForFunction((n) => !document.querySelector('section.event-list h2')?.textContent.startsWith(`${n} `), whole);
    const zoomed = await countInView(page);
    assert.ok(zoomed < whole && zoomed > 0, `zooming in shows fewer events (${zoomed} of ${whole})`);
    const [from1, to1] = await windowOf();
    assert.ok(from1 > from0 && to1 < to0, `the window narrows: ${from0}..${to0} → ${from1}..${to1}`);
    await page.locator('button[aria-label="Zoom out"]').click();
    await page.locator('button[aria-label="Zoom out"]').click();
    const [from2, to2] = await windowOf();
    assert.ok(from2 < from1 && to2 > to1, `the window widens: ${from1}..${to1} → ${from2}..${to2}`);
    await page.locator('button[aria-label="Zoom in"]').click();
    await page.getByRole('button', { name: 'All', exact: true }).click();
    await page.waitForFunction((n) => document.querySelector('section.event-list h2')?.textContent.startsWith(`${n} `), whole);
    await done();
  });

  test('editing the URL fragment changes the view', async () => {
    const { page, done } = await open('/');
    await page.evaluate(() => {
      location.hash = '#e=2021-05-22-phone-call&kinds=Call';
    });
    await page.waitForFunction(() => document.querySelector('section#details h2')?.textContent.trim() === 'Phone call between Lukashenko and Aliyev');
    assert.deepEqual((await listedIds(page)).sort(), [...CALL_IDS].sort(), 'only calls are listed');
    assert.equal(await page.locator('input[name=kind]:checked').count(), 1);
    assert.equal(await page.locator('input[name=kind][value=Call]').isChecked(), true);
    await done();
  });

  test('lanes by actor: the timeline grows a lane per actor and the URL says lanes=actor', async () => {
    const { page, done } = await open('/');
    // The timeline's box holds every lane (its canvas is only the part in view).
    const timeline = page.locator('.timeline');
    const byKind = (await timeline.boundingBox()).height;
    await page.getByRole('button', { name: 'By actor', exact: true }).click();
    await waitForHash(page, () => location.hash.includes('lanes=actor'), 'got lanes=actor');
    assert.equal(await page.getByRole('button', { name: 'By actor', exact: true }).getAttribute('aria-pressed'), 'true');
    const byActor = (await timeline.boundingBox()).height;
    assert.ok(byActor > byKind, `more lanes, a taller timeline (${byKind} → ${byActor})`);
    assert.equal(await countInView(page), EVENTS.length, 'lanes do not filter');
    await done();
  });

  test('the Relation map and Charts tabs draw something, follow the URL, and lead back to the timeline', async () => {
    const { page, done } = await open('/');
    const ink = (selector) =>
      page.locator(selector).evaluateAll((cs) =>
        cs.map((c) => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i + 3] && !(d[i] > 235 && d[i + 1] > 230 && d[i + 2] > 225)) n++;
          return n;
        }),
      );
    const tab = (name) => page.locator('nav.tabs button', { hasText: name });

    await tab('Relation map').click();
    await waitForHash(page, () => location.hash.includes('view=map'), 'got view=map');
    assert.equal(await tab('Relation map').getAttribute('aria-pressed'), 'true');
    await page.locator('canvas.map-canvas').waitFor();
    assert.equal(await page.locator('canvas.timeline-canvas').count(), 0, 'one view at a time');
    await page.waitForFunction(() => {
      const c = document.querySelector('canvas.map-canvas');
      return c && c.width > 0;
    });
    await sleep(300);
    const [mapInk] = await ink('canvas.map-canvas');
    assert.ok(mapInk > 1000, `the map is drawn (${mapInk} inked pixels)`);
    const mapLabel = await page.locator('canvas.map-canvas').getAttribute('aria-label');
    assert.match(mapLabel, /[1-9]\d* actors, [1-9]\d* relations/, 'the map says what it shows');

    await tab('Charts').click();
    await waitForHash(page, () => location.hash.includes('view=charts'), 'got view=charts');
    await page.locator('section.charts canvas').first().waitFor();
    await sleep(300);
    const chartInk = await ink('section.charts canvas');
    assert.ok(chartInk.length >= 2 && chartInk.every((n) => n > 1000), `the charts are drawn (${chartInk})`);
    const charts = await page.locator('section.charts').textContent();
    assert.ok(charts.includes(`${DOCUMENTS} in all`), `the documents chart states the total ${DOCUMENTS}: ${charts.slice(0, 200)}`);

    // A reload keeps the tab; the Timeline tab brings the canvas back and drops view= from the URL.
    await page.reload();
    await page.locator('section.charts').waitFor();
    await tab('Timeline').click();
    await page.locator('canvas.timeline-canvas').waitFor();
    await waitForHash(page, () => !location.hash.includes('view='), 'lost view=');
    await done();
  });

  test('the disputed 13th commission meeting shows both claimed dates', async () => {
    const { page, done } = await open('/');
    const item = page.locator(`section.event-list li[data-id="${DISPUTED}"]`);
    assert.ok((await item.textContent()).includes('disputed'), 'the list marks it as disputed');
    await item.locator('button').click();
    const dispute = page.locator('section#details .dispute');
    await dispute.first().waitFor();
    assert.equal(await dispute.count(), 1);
    const text = await dispute.textContent();
    assert.ok(text.includes('15 March 2023'), `first claim: ${text}`);
    assert.ok(text.includes('15 May 2023'), `second claim: ${text}`);
    assert.ok(
      await dispute.locator('a[href="https://www.azernews.az/nation/227071.html"]').count(),
      'the claim with a URL links its source',
    );
    await done();
  });

  test('usable at 360×740: no horizontal scroll, the list is visible', async () => {
    const { page, done } = await open('/', {
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const overflow = () =>
      page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        wide: [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
          .slice(0, 5)
          .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''} (right ${Math.round(el.getBoundingClientRect().right)})`),
      }));
    let o = await overflow();
    assert.ok(o.scroll <= 360, `page scroll width ${o.scroll} > 360; too wide: ${o.wide.join(', ')}`);
    const list = page.locator('section.event-list');
    assert.ok(await list.isVisible(), 'the list is visible');
    const first = page.locator('section.event-list li button').first();
    await first.scrollIntoViewIfNeeded();
    const b = await first.boundingBox();
    assert.ok(b && b.x >= 0 && b.x + b.width <= 360 + 0.5, `the first list entry fits the width: ${JSON.stringify(b)}`);
    const canvasBox = await page.locator('canvas.timeline-canvas').boundingBox();
    assert.ok(canvasBox.width <= 360 && canvasBox.width >= 300, `the timeline uses the width: ${canvasBox.width}`);

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: await screenshotPath('mobile-360x740.png') });

    // With the longest details open (the signing's documents and sources), still no sideways scroll.
    await page.locator(`section.event-list li[data-id="${SIGNING}"] button`).click();
    await page.locator('section#details h2').waitFor();
    o = await overflow();
    assert.ok(o.scroll <= 360, `with details open, scroll width ${o.scroll} > 360; too wide: ${o.wide.join(', ')}`);
    await page.screenshot({ path: await screenshotPath('mobile-360x740-details-full.png'), fullPage: true });

    // The other views fit too.
    for (const [name, selector] of [
      ['Relation map', 'canvas.map-canvas'],
      ['Charts', 'section.charts canvas'],
    ]) {
      await page.locator('nav.tabs button', { hasText: name }).click();
      await page.locator(selector).first().waitFor();
      o = await overflow();
      assert.ok(o.scroll <= 360, `${name}: scroll width ${o.scroll} > 360; too wide: ${o.wide.join(', ')}`);
    }
    await done();
  });

  test('screenshots at 1280×800 and 360×740 are saved to target/screenshots/', async () => {
    const desktop = await open(`/#e=${STATE_VISIT}`);
    await desktop.page.locator('section#details h2').waitFor();
    const d = await screenshotPath('desktop-1280x800.png');
    await desktop.page.screenshot({ path: d });
    await desktop.page.screenshot({ path: await screenshotPath('desktop-1280x800-full.png'), fullPage: true });
    await desktop.done();

    const mobile = await open(`/#e=${STATE_VISIT}`, { viewport: { width: 360, height: 740 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    const m = await screenshotPath('mobile-360x740-selected.png');
    await mobile.page.screenshot({ path: m });
    await mobile.done();

    for (const [file, w, h] of [
      [d, 1280, 800],
      [m, 360, 740],
    ]) {
      const png = readFileSync(file);
      assert.ok(statSync(file).size > 5_000, `${file} has content`);
      // PNG IHDR: width and height, big-endian, at bytes 16 and 20.
      assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [w, h], `${file} size`);
    }
  });

  // Regression tests for bugs found by these tests (fixed in the same change).

  test('Home on the whole-record view keeps every event in view', async () => {
    const { page, done } = await open('/');
    const whole = await countInView(page);
    await page.locator('canvas.timeline-canvas').focus();
    await page.keyboard.press('Home');
    await page.locator('section#details h2').waitFor();
    assert.equal(await countInView(page), whole, 'selecting the first event with Home should not push the last one out of view');
    await done();
  });

  test('unchecking the last checked kind does not bring every kind back', async () => {
    const { page, done } = await open('/');
    for (const k of DOMAIN_KINDS.slice(0, -1)) await page.locator(`input[name=kind][value=${k}]`).uncheck();
    await page.waitForFunction(() => document.querySelectorAll('input[name=kind]:checked').length === 1);
    await page.locator(`input[name=kind][value=${DOMAIN_KINDS.at(-1)}]`).click();
    await sleep(300);
    assert.ok((await page.locator('input[name=kind]:checked').count()) <= 1, 'the other six kinds stay unchecked');
    assert.notEqual(await countInView(page), EVENTS.length, 'the whole record is not shown again');
    await done();
  });

  test('the To date box shows the day that was entered', async () => {
    const { page, done } = await open('/');
    const to = page.locator('label.date-input input').nth(1);
    await to.fill('2021-12-31');
    await waitForHash(page, () => !location.hash.includes('to=2027'), 'changed to=');
    assert.equal(await to.inputValue(), '2021-12-31');
    await done();
  });

});
