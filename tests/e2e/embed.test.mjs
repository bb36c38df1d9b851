// End-to-end tests of embedding: the built `dist/` on one origin, a host page
// (`embed-host.html`, with two <annals-timeline> widgets fed different files and one iframe) on
// another origin, both driven in Debian's headless Chromium by playwright-core.
//
// Run: `cargo xtask test` (builds dist/ first), or, with dist/ built, `node --test tests/e2e/`.
// Screenshots land in target/screenshots/ for people to look at.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DIST, ROOT, launchBrowser, requireDist, screenshotPath, serveDir } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DOMAIN_KINDS = ['Visit', 'Signing', 'CommissionMeeting', 'Talks', 'Call', 'Statement', 'Other'];
const fixture = (name) => JSON.parse(readFileSync(join(HERE, 'fixtures', name), 'utf8'));
const NORTH = fixture('embed-north.json');
const SOUTH = fixture('embed-south.json');
const idsOf = (record) => record.events.filter((e) => DOMAIN_KINDS.includes(e.type)).map((e) => e.id);
const titleOf = (record, id) => record.events.find((e) => e.id === id).payload.title;
const MARKUP_ID = 'north-2005-markup';
const MARKUP_TITLE = titleOf(NORTH, MARKUP_ID);
// Files written by other tools, read from the shared corpus beside the checkout (never copied in).
const CORPUS = process.env.ANNALS_CORPUS || join(ROOT, '..', 'shared', 'corpus');
const ERAS = existsSync(join(CORPUS, 'timelinejs', 'eras.json'))
  ? JSON.parse(readFileSync(join(CORPUS, 'timelinejs', 'eras.json'), 'utf8'))
  : null;

let app; // dist/, the Annals origin
let host; // tests/e2e/, the host page's origin
let corpus; // ../shared/corpus/, a third origin with other tools' files
let browser;
const contexts = new Set();

/** Opens a page and collects errors and dialogs (an `alert` from record text would be one). */
async function newPage(viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  contexts.add(context);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', async (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    await d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && /panicked|RuntimeError|unreachable/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  const done = async () => {
    assert.deepEqual(problems, [], 'the page logged errors or opened dialogs');
    contexts.delete(context);
    await context.close();
  };
  return { page, problems, done };
}

/** Opens the host page and waits until both widgets and the iframe show their records. */
async function openHost(viewport, frameExtra = '') {
  const opened = await newPage(viewport);
  const { page } = opened;
  await page.goto(`${host.url}/embed-host.html?dist=${encodeURIComponent(`${app.url}/`)}&frame=${encodeURIComponent(frameExtra)}`);
  for (const id of ['north', 'south']) {
    await page.locator(`#${id} section.event-list h2`).waitFor({ timeout: 15_000 });
  }
  await page.frameLocator('#frame').locator('section.event-list h2').waitFor({ timeout: 15_000 });
  return opened;
}

const listed = (page, widget) =>
  page.locator(`${widget === 'document' ? '' : `#${widget} `}section.event-list li[data-id]`).evaluateAll((lis) => lis.map((li) => li.dataset.id));
const details = async (scope) => {
  const h2 = scope.locator('section.details h2');
  return (await h2.count()) ? (await h2.textContent()).trim() : null;
};

describe('Embedding Annals', { timeout: 90_000 }, () => {
  before(async () => {
    requireDist();
    app = await serveDir(DIST, { cors: true });
    host = await serveDir(HERE, { cors: true });
    if (ERAS) corpus = await serveDir(CORPUS, { cors: true });
    browser = await launchBrowser();
  });

  afterEach(async () => {
    for (const context of contexts) await context.close();
    contexts.clear();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await host?.close();
    await corpus?.close();
  });

  test('each widget on the host page shows its own record, in its own shadow root', async () => {
    const { page, done } = await openHost();
    assert.deepEqual((await listed(page, 'north')).sort(), idsOf(NORTH).sort());
    assert.deepEqual((await listed(page, 'south')).sort(), idsOf(SOUTH).sort());
    assert.equal((await page.locator('#north .embed-title').textContent()).trim(), NORTH.title);
    assert.equal((await page.locator('#south .embed-title').textContent()).trim(), SOUTH.title);
    // The widgets live in shadow roots: the host document itself holds none of their nodes.
    assert.equal(await page.evaluate(() => document.querySelectorAll('section.event-list, canvas').length), 0);
    assert.ok(await page.evaluate(() => document.getElementById('north').shadowRoot !== null));
    // The timelines painted something: the canvas is not one flat colour.
    const colours = await page.locator('#north canvas.timeline-canvas').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
      return seen.size;
    });
    assert.ok(colours > 5, `the north timeline canvas has only ${colours} colours`);
    await done();
  });

  // Other tools' files are read by the file-opening worker, which a widget on a host page of
  // another origin must start from a Blob URL (`new Worker` refuses the bundle's origin).
  test('widgets read other formats in the worker: a CSV in a custom element, TimelineJS in the iframe', { skip: !ERAS && 'no ../shared/corpus' }, async () => {
    const { page, done } = await openHost();
    const csv = `${app.url}/data/examples/events.csv`;
    const eras = `${corpus.url}/timelinejs/eras.json`;
    await page.evaluate(({ csv, frameSrc }) => {
      const main = document.querySelector('main');
      const element = document.createElement('annals-timeline');
      element.id = 'csv';
      element.setAttribute('src', csv);
      main.append(element);
      const frame = document.createElement('iframe');
      frame.id = 'eras-frame';
      frame.title = 'TimelineJS eras (Annals timeline)';
      frame.height = '600';
      frame.src = frameSrc;
      main.append(frame);
    }, { csv, frameSrc: `${app.url}/index.html?embed=1&view=timeline&src=${encodeURIComponent(eras)}` });

    // The CSV's four events, in a widget on the host's origin with the bundle on another.
    await page.locator('#csv section.event-list li[data-id]').first().waitFor({ timeout: 20_000 });
    const titles = await page.locator('#csv section.event-list li[data-id]').allTextContents();
    assert.equal(titles.length, 4, titles.join(' | '));
    assert.ok(titles.some((t) => t.includes("Alexander Lukashenko's state visit to Azerbaijan")), titles.join(' | '));
    assert.equal(await page.locator('#csv .embed-note').count(), 0, 'a clean file has no note');

    // TimelineJS JSON from a third origin, in the iframe (asked for the timeline: its title slide
    // would open it as a story).
    const frame = page.frameLocator('#eras-frame');
    await frame.locator('section.event-list li[data-id]').first().waitFor({ timeout: 20_000 });
    const headlines = ERAS.events.map((e) => e.text.headline.trim());
    const shown = await frame.locator('section.event-list li[data-id]').allTextContents();
    assert.ok(shown.length >= headlines.length, `${shown.length} of ${headlines.length} events listed`);
    for (const h of ['Battle of Nineveh', 'Synod of Whitby']) {
      assert.ok(shown.some((t) => t.includes(h)), `${h} is listed: ${shown.join(' | ')}`);
    }
    assert.equal(await frame.locator('.embed-note').count(), 0);

    await page.locator('#csv').scrollIntoViewIfNeeded();
    await page.screenshot({ path: await screenshotPath('embed-host-csv-1280.png'), fullPage: true });
    await done();
  });

  test('a file with a bad row: the widget shows the valid records and a note; a file it cannot read, an error naming it', async () => {
    const { page, done } = await openHost();
    await page.evaluate(() => {
      const main = document.querySelector('main');
      for (const [id, src] of [['bad-row', 'fixtures/embed-bad-row.csv'], ['unreadable', 'embed-blank.html']]) {
        const element = document.createElement('annals-timeline');
        element.id = id;
        element.setAttribute('src', src);
        main.append(element);
      }
    });
    const note = page.locator('#bad-row .embed-note');
    await note.waitFor({ timeout: 20_000 });
    assert.equal((await note.textContent()).trim(), '1 of 4 records could not be read — open in Annals for the report');
    assert.ok(await note.isVisible());
    const ids = await listed(page, 'bad-row');
    assert.deepEqual(ids.sort(), ['bad-row-call', 'bad-row-statement', 'bad-row-talks']);

    const error = page.locator('#unreadable p.status.error');
    await error.waitFor({ timeout: 20_000 });
    assert.match(await error.textContent(), /embed-blank\.html/);
    await done();
  });

  test('keys act on the focused widget only, and no widget writes the host page address', async () => {
    const { page, done } = await openHost();
    const before = await page.evaluate(() => ({ href: location.href, history: history.length }));
    const north = idsOf(NORTH);
    const south = idsOf(SOUTH);

    await page.locator('#north canvas.timeline-canvas').focus();
    await page.keyboard.press('Home');
    await page.locator('#north section.details h2').waitFor();
    assert.equal(await details(page.locator('#north')), titleOf(NORTH, north[0]));
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(
      (t) => document.getElementById('north').shadowRoot.querySelector('section.details h2')?.textContent.trim() === t,
      titleOf(NORTH, north[1]),
    );
    assert.equal(await details(page.locator('#south')), null, 'the south widget did not react to keys in the north one');
    // Enter moves the focus to the details of this widget (found in its own shadow root).
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('north').shadowRoot.activeElement?.matches('section.details'));
    assert.equal(await page.evaluate(() => document.getElementById('south').shadowRoot.activeElement), null);
    await page.locator('#north canvas.timeline-canvas').focus();

    await page.locator('#south canvas.timeline-canvas').focus();
    await page.keyboard.press('End');
    await page.locator('#south section.details h2').waitFor();
    assert.equal(await details(page.locator('#south')), titleOf(SOUTH, south.at(-1)));
    assert.equal(await details(page.locator('#north')), titleOf(NORTH, north[1]), 'the north selection stayed');
    await page.keyboard.press('Escape');
    await page.locator('#south section.details.empty').waitFor();
    assert.equal(await details(page.locator('#north')), titleOf(NORTH, north[1]), 'Escape in south left north alone');

    // Zooming one widget leaves the other's window alone.
    const southCount = await page.locator('#south section.event-list h2').textContent();
    await page.locator('#north canvas.timeline-canvas').focus();
    for (let i = 0; i < 6; i++) await page.keyboard.press('+');
    await page.waitForFunction(
      () => !/^4 /.test(document.getElementById('north').shadowRoot.querySelector('section.event-list h2').textContent),
    );
    assert.equal(await page.locator('#south section.event-list h2').textContent(), southCount);

    const afterwards = await page.evaluate(() => ({ href: location.href, history: history.length }));
    assert.deepEqual(afterwards, before, 'the host page address and history are untouched');
    await done();
  });

  test('the wheel over a widget scrolls the host page; Ctrl + wheel zooms the widget', async () => {
    const { page, done } = await openHost();
    const heading = page.locator('#north section.event-list h2');
    const before = await heading.textContent();
    const box = await page.locator('#north canvas.timeline-canvas').boundingBox();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.wheel(0, 200);
    await page.waitForFunction(() => scrollY > 0, undefined, { timeout: 5_000 });
    assert.equal(await heading.textContent(), before, 'the plain wheel did not zoom');
    const box2 = await page.locator('#north canvas.timeline-canvas').boundingBox();
    await page.mouse.move(box2.x + box2.width * 0.3, box2.y + box2.height / 2);
    const scrolled = await page.evaluate(() => scrollY);
    await page.keyboard.down('Control');
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -400);
    await page.keyboard.up('Control');
    await page.waitForFunction(
      (t) => document.getElementById('north').shadowRoot.querySelector('section.event-list h2').textContent !== t,
      before,
      { timeout: 5_000 },
    );
    assert.equal(await page.evaluate(() => scrollY), scrolled, 'Ctrl + wheel zoomed instead of scrolling');
    await done();
  });

  test('record text is data: a title with markup is shown as text, nothing runs', async () => {
    const { page, problems, done } = await openHost();
    const item = page.locator(`#north section.event-list li[data-id="${MARKUP_ID}"] .title`);
    assert.equal((await item.textContent()).trim(), MARKUP_TITLE);
    await item.click();
    await page.locator('#north section.details h2').waitFor();
    assert.equal(await details(page.locator('#north')), MARKUP_TITLE);
    const summary = await page.locator('#north section.details .summary-text').textContent();
    assert.ok(summary.includes('<script>alert(2)</script>'), summary);
    const injected = await page.evaluate(() => {
      const root = document.getElementById('north').shadowRoot;
      return {
        img: root.querySelectorAll('img').length + document.querySelectorAll('img').length,
        b: root.querySelectorAll('b, i').length,
        script: root.querySelectorAll('script').length,
      };
    });
    assert.deepEqual(injected, { img: 0, b: 0, script: 0 });
    // The source URL is a link (https); the markup in the publisher name is text.
    const sources = await page.locator('#north section.details ul.sources').textContent();
    assert.ok(sources.includes('Test fixture <i>italic</i>'), sources);
    assert.deepEqual(problems, []);
    await done();
  });

  test('styles do not leak: the host cannot restyle a widget, a widget cannot restyle the host', async () => {
    const { page, done } = await openHost();
    const hostButton = await page.locator('#host-button').evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.equal(hostButton, 'rgb(255, 0, 0)', 'the host style applies to its own button');
    const widgetButton = await page.locator('#north section.event-list li button').first().evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.notEqual(widgetButton, 'rgb(255, 0, 0)', 'the host button style did not reach into the widget');
    const widgetHeading = await page.locator('#north section.event-list h2').evaluate((h) => getComputedStyle(h).fontSize);
    assert.notEqual(widgetHeading, '40px', 'the host heading size did not reach into the widget');
    assert.equal(await page.locator('#host-heading').evaluate((h) => getComputedStyle(h).fontSize), '40px');
    assert.equal(await page.evaluate(() => document.styleSheets.length), 1, 'the widgets added no stylesheet to the host document');
    // The dark widget is dark, the light one light (the theme reaches the canvas too).
    const paper = (id) =>
      page.locator(`#${id} .annals.embed`).evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(await paper('north'), 'rgb(251, 250, 247)');
    assert.equal(await paper('south'), 'rgb(22, 25, 29)');
    const corner = await page.locator('#south canvas.timeline-canvas').evaluate((c) => [...c.getContext('2d').getImageData(2, 2, 1, 1).data].slice(0, 3));
    assert.deepEqual(corner, [22, 25, 29], 'the dark widget paints its canvas on the dark paper');
    await done();
  });

  test('the iframe reports its height in the Pym, AMP and embed.ly formats and is sized to its content', async () => {
    const { page, done } = await openHost();
    const frame = page.frameLocator('#frame');
    // Sized by the host's listener from the frame's messages: wait until the last one states
    // the height the frame's content has now (the first ones come while the record loads).
    const contentHeight = () => frame.locator('.annals.embed').evaluate((el) => Math.ceil(el.getBoundingClientRect().bottom));
    const lastReported = () =>
      page.evaluate(() => {
        const last = window.__heightMessages.filter((m) => typeof m === 'string' && m.startsWith('{')).at(-1);
        return last ? JSON.parse(last).height : null;
      });
    for (let i = 0; i < 50 && (await lastReported()) !== (await contentHeight()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await lastReported(), await contentHeight(), 'the last message states the content height');
    const messages = await page.evaluate(() => window.__heightMessages);
    const pym = messages.filter((m) => typeof m === 'string' && m.startsWith('pymxPYMxframe-1xPYMxheightxPYMx'));
    const amp = messages.filter((m) => m && typeof m === 'object' && m.sentinel === 'amp' && m.type === 'embed-size');
    const embedly = messages
      .filter((m) => typeof m === 'string' && m.startsWith('{'))
      .map((m) => JSON.parse(m))
      .filter((m) => m.context === 'iframe.resize');
    assert.ok(pym.length && amp.length && embedly.length, `all three formats arrived: ${JSON.stringify(messages)}`);
    const reported = embedly.at(-1).height;
    assert.equal(Number(pym.at(-1).split('xPYMx').at(-1)), reported);
    assert.equal(amp.at(-1).height, reported);
    assert.ok(embedly.at(-1).src.includes('embed=1'), 'src is the frame address');
    // (The record has three kinds, so the timeline has three lanes: no empty ones.)
    assert.ok(reported > 300, `the frame holds a timeline, a list and details: ${reported}px`);
    const box = await page.locator('#frame').boundingBox();
    assert.ok(Math.abs(box.height - 2 - reported) <= 1, `frame height ${box.height} (with its border) follows ${reported}`);
    // The content fits: nothing scrolls inside the frame.
    const inner = await frame.locator('html').evaluate(() => ({ scroll: document.documentElement.scrollHeight, view: innerHeight }));
    assert.ok(inner.scroll <= inner.view + 1, `no inner scroll: ${JSON.stringify(inner)}`);
    assert.equal((await frame.locator('.embed-title').textContent()).trim(), SOUTH.title);
    assert.ok(await page.locator('#frame').getAttribute('title'), 'the iframe has a title');
    // In view, the frame paints (out of view, the browser may not have painted it yet).
    await page.locator('#frame').scrollIntoViewIfNeeded();
    await frame.locator('canvas.timeline-canvas').waitFor();
    await new Promise((r) => setTimeout(r, 300));
    await page.screenshot({ path: await screenshotPath('embed-host-1280.png'), fullPage: true });

    // Selecting an event opens the details: the frame grows, and says so.
    await frame.locator('section.event-list li[data-id="south-2014-signing"] button').click();
    await page.waitForFunction((h) => parseFloat(document.getElementById('frame').style.height) !== h, reported, { timeout: 10_000 });
    await done();
  });

  test('a deep link works inside the iframe, and the frame writes only its own address', async () => {
    const { page, done } = await openHost(undefined, '#e=south-2012-visit');
    const frame = page.frameLocator('#frame');
    await frame.locator('section.details h2').waitFor();
    assert.equal(await details(frame), titleOf(SOUTH, 'south-2012-visit'));
    await frame.locator('section.event-list li[data-id="south-2010-talks"] button').click();
    const inner = page.frames().find((f) => f.url().includes('embed=1'));
    await inner.waitForFunction(() => location.hash.includes('e=south-2010-talks'));
    assert.equal(await page.evaluate(() => location.hash), '', 'the host page has no fragment');
    await done();
  });

  test('the Embed panel: its iframe snippet works on another page, with the same view', async () => {
    const { page, done } = await newPage();
    const src = `${host.url}/fixtures/embed-north.json`;
    await page.goto(`${app.url}/index.html?src=${encodeURIComponent(src)}`);
    await page.locator('section.event-list h2').waitFor({ timeout: 15_000 });
    await page.locator('input[name=kind][value=Call]').uncheck();
    await page.locator('button.embed-button').click();
    const snippet = await page.locator('textarea.snippet-iframe').inputValue();
    const element = await page.locator('textarea.snippet-element').inputValue();
    assert.match(snippet, /^<iframe src="[^"]+embed=1[^"]*" title="[^"]+"/);
    assert.ok(snippet.includes('kinds='), snippet);
    assert.ok(element.includes(`src="${src}"`) && element.includes('<annals-timeline'), element);
    // The live preview is that iframe.
    const preview = page.frameLocator('iframe.embed-preview');
    await preview.locator('section.event-list h2').waitFor({ timeout: 15_000 });
    const withoutCalls = idsOf(NORTH).filter((id) => id !== 'north-2003-call');
    const previewIds = await preview.locator('section.event-list li[data-id]').evaluateAll((l) => l.map((li) => li.dataset.id));
    assert.deepEqual(previewIds.sort(), [...withoutCalls].sort());
    await page.screenshot({ path: await screenshotPath('embed-panel-1280.png'), fullPage: true });

    // Pasted into a page of another site, the iframe snippet shows the same view and sizes itself.
    const { page: other, done: otherDone } = await newPage();
    await other.goto(`${host.url}/embed-blank.html`);
    await other.evaluate((html) => document.body.append(document.createRange().createContextualFragment(html)), snippet);
    const pasted = other.frameLocator('iframe');
    await pasted.locator('section.event-list h2').waitFor({ timeout: 15_000 });
    const pastedIds = await pasted.locator('section.event-list li[data-id]').evaluateAll((l) => l.map((li) => li.dataset.id));
    assert.deepEqual(pastedIds.sort(), [...withoutCalls].sort());
    await other.waitForFunction(() => document.querySelector('iframe').style.height !== '', undefined, { timeout: 10_000 });

    // And the element snippet, pasted the same way, shows it too.
    await other.evaluate((html) => document.body.append(document.createRange().createContextualFragment(html)), element);
    await other.locator('annals-timeline section.event-list h2').waitFor({ timeout: 15_000 });
    const elementIds = await other.locator('annals-timeline section.event-list li[data-id]').evaluateAll((l) => l.map((li) => li.dataset.id));
    assert.deepEqual(elementIds.sort(), [...withoutCalls].sort());
    await otherDone();
    await done();
  });

  test('from a subdirectory of a static host, the iframe page and the element script work', async () => {
    // The repository root as the static host: the bundle is under /dist/.
    const site = await serveDir(join(HERE, '..', '..'), { cors: true });
    try {
      const { page, done } = await newPage();
      await page.goto(`${site.url}/dist/index.html?embed=1&src=${encodeURIComponent('../tests/e2e/fixtures/embed-south.json')}`);
      await page.locator('section.event-list h2').waitFor({ timeout: 15_000 });
      assert.deepEqual((await listed(page, 'document')).sort(), idsOf(SOUTH).sort());
      await page.goto(`${host.url}/embed-blank.html`);
      await page.evaluate(async (dist) => {
        await import(`${dist}/annals-embed.js`);
        document.body.insertAdjacentHTML('beforeend', '<annals-timeline id="w" src="fixtures/embed-north.json"></annals-timeline>');
      }, `${site.url}/dist`);
      await page.locator('#w section.event-list h2').waitFor({ timeout: 15_000 });
      assert.deepEqual((await listed(page, 'w')).sort(), idsOf(NORTH).sort());
      await done();
    } finally {
      await site.close();
    }
  });

  test('screenshots: the host page and the iframe page at 360 px, the iframe page at 1280 px', async () => {
    const { page, done } = await openHost({ width: 360, height: 740 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `no horizontal scroll on the host page at 360 px (${width})`);
    // The frame sizes itself to its content at this width too (and paints once in view).
    const frame = page.frameLocator('#frame');
    const content = () => frame.locator('.annals.embed').evaluate((el) => Math.ceil(el.getBoundingClientRect().bottom));
    const given = () => page.evaluate(() => parseFloat(document.getElementById('frame').style.height));
    for (let i = 0; i < 50 && (await given()) !== (await content()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await given(), await content());
    await page.locator('#frame').scrollIntoViewIfNeeded();
    await new Promise((r) => setTimeout(r, 300));
    await page.screenshot({ path: await screenshotPath('embed-host-360.png'), fullPage: true });
    await done();
    for (const viewport of [{ width: 1280, height: 800 }, { width: 360, height: 740 }]) {
      const { page: frame, done: frameDone } = await newPage(viewport);
      await frame.goto(`${app.url}/index.html?embed=1&e=2024-05-16-state-visit&theme=${viewport.width < 400 ? 'dark' : 'light'}`);
      await frame.locator('section.details h2').waitFor({ timeout: 15_000 });
      const scroll = await frame.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scroll <= viewport.width, `no horizontal scroll in the iframe page at ${viewport.width} px (${scroll})`);
      await frame.screenshot({ path: await screenshotPath(`embed-frame-${viewport.width}.png`) });
      await frameDone();
    }
  });
});
