// Pictures of the views (issue 13, point 8): the timeline, the relation map and the charts saved
// as SVG and PNG from the app's "Save picture" buttons, framed with the record's title, the
// filters in force and a sources line. The downloads are caught as a reader's browser would
// save them, the SVG is parsed by the browser's own XML parser, the PNG's header is read, and
// the SVG's marks are counted against what the canvas says it drew.
//
// Copies of the pictures go to /work/shots/pictures/ (or PICTURES_DIR) for a person to look at.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT, appSuite, serveDir } from './harness.mjs';
import { generate, toNdjson } from './bench/events.mjs';

const RECORD = JSON.parse(readFileSync(join(ROOT, 'data', 'azerbaijan-belarus.json'), 'utf8'));
const SHOTS = process.env.PICTURES_DIR ?? '/work/shots/pictures';
const DOMAIN_KINDS = ['Visit', 'Signing', 'CommissionMeeting', 'Talks', 'Call', 'Statement', 'Other'];
const EVENTS = RECORD.events.filter((e) => DOMAIN_KINDS.includes(e.type));
const ofKinds = (...kinds) => EVENTS.filter((e) => kinds.includes(e.type)).length;

/** Saves the picture of the view on screen in `format`; answers the file's name and bytes. */
async function save(page, format, group = 'Save picture') {
  const button = page.getByRole('group', { name: group }).getByRole('button', { name: format, exact: true });
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), button.click()]);
  const bytes = readFileSync(await download.path());
  const name = download.suggestedFilename();
  try {
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, name), bytes);
  } catch {
    // A copy for people only; the test does not depend on it.
  }
  return { name, bytes };
}

/** The SVG as the browser's XML parser reads it. */
function readSvg(page, text) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = doc.documentElement;
    const texts = (selector) => [...doc.querySelectorAll(selector)].map((e) => e.textContent.trim());
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: root.localName,
      width: Number(root.getAttribute('width')),
      height: Number(root.getAttribute('height')),
      title: texts('.title')[0],
      filters: texts('.filters')[0],
      sources: texts('.sources')[0],
      marks: [...doc.querySelectorAll('.mark')].map((m) => m.getAttribute('data-id')),
      nodes: [...doc.querySelectorAll('.node')].map((m) => m.getAttribute('data-id')),
      charts: doc.querySelectorAll('svg.chart').length,
      clusters: [...doc.querySelectorAll('.cluster')].length,
      counts: texts('.count'),
      captions: texts('.caption'),
      rects: doc.querySelectorAll('svg.chart rect').length,
      text: texts('text'),
    };
  }, text);
}

/** Width and height of a PNG, from its header; fails unless the bytes are a PNG. */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the PNG signature');
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

/** The sites the record's sources are on (or their publishers), as the sources line names them. */
const SITES = new Set(
  RECORD.events.flatMap((e) => e.payload?.sources ?? []).map((s) => (s.url ? new URL(s.url).hostname.replace(/^www\./, '') : s.publisher)),
);

function checkFrame(svg, filters) {
  assert.equal(svg.error, null, 'the SVG parses');
  assert.equal(svg.root, 'svg');
  assert.equal(svg.title, RECORD.title);
  assert.equal(svg.filters, filters);
  assert.match(svg.sources, /^Sources: .+ — made with Annals$/);
  const named = svg.sources.replace(/^Sources: /, '').replace(/ — made with Annals$/, '').split(', ');
  assert.ok(named.length >= 2 && named.length <= 5, `at most four sites and "…": ${svg.sources}`);
  for (const site of named.filter((n) => n !== '…')) assert.ok(SITES.has(site), `${site} is a site of the record's sources`);
}

describe('pictures of the views', { timeout: 120_000 }, () => {
  const suite = appSuite();

  test('the timeline as SVG (one mark per drawn event) and PNG (at twice the pixels), with title, filters and sources', async () => {
    const { page, done } = await suite.openPage('/#kinds=Visit,Signing&from=2014-01-01&to=2024-12-31');
    const canvas = page.locator('canvas.timeline-canvas');
    await canvas.evaluate((c) => c.setAttribute('data-test', ''));
    // A selection repaints the canvas, which then says what it drew.
    const first = page.locator('section.event-list li button').first();
    await first.click();
    await page.waitForFunction(() => document.querySelector('canvas.timeline-canvas')?.getAttribute('data-drawn'));
    const drawn = JSON.parse(await canvas.getAttribute('data-drawn'));
    assert.ok(drawn.marks.length > 5, `the window shows marks (${drawn.marks.length})`);

    // The control: labelled, keyboard-operable (Enter on the focused button saves).
    const group = page.getByRole('group', { name: 'Save picture' });
    assert.equal(await group.count(), 1);
    const svgButton = group.getByRole('button', { name: 'SVG', exact: true });
    await svgButton.focus();
    const [byKey] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.keyboard.press('Enter')]);
    assert.match(byKey.suggestedFilename(), /\.svg$/);

    const { name, bytes } = await save(page, 'SVG');
    assert.match(name, /^azerbaijan-belarus.*-timeline-\d{4}-\d{2}-\d{2}\.svg$/);
    const svg = await readSvg(page, bytes.toString('utf8'));
    checkFrame(svg, `${ofKinds('Visit', 'Signing')} events · only Visit, Signing`);
    assert.deepEqual(svg.marks, drawn.marks.map((m) => m.id), 'one mark per event drawn, the same events');
    for (const lane of drawn.lanes) assert.ok(svg.text.some((t) => lane.startsWith(t.replace(/…$/, ''))), `lane ${lane} is named`);
    const labels = drawn.marks.filter((m) => m.label).map((m) => m.label.text);
    for (const label of labels) assert.ok(svg.text.includes(label), `the label “${label}” is in the picture`);
    assert.ok(svg.text.includes('2020'), 'the axis is labelled');
    assert.equal(svg.width, drawn.width + 24, 'the canvas and a margin on each side');

    const png = await save(page, 'PNG');
    assert.match(png.name, /-timeline-\d{4}-\d{2}-\d{2}\.png$/);
    assert.deepEqual(pngSize(png.bytes), [Math.round(svg.width * 2), Math.round(svg.height * 2)], 'twice the CSS pixels');
    await done();
  });

  test('the relation map as SVG (one node per actor drawn) and PNG', async () => {
    const { page, done } = await suite.openPage('/#view=map');
    const canvas = page.locator('canvas.map-canvas');
    await page.waitForFunction(() => document.querySelector('canvas.map-canvas')?.getAttribute('data-nodes'));
    const nodes = (await canvas.getAttribute('data-nodes')).split('|').map((n) => n.split(' ')[0]);
    const { name, bytes } = await save(page, 'SVG');
    assert.match(name, /-map-\d{4}-\d{2}-\d{2}\.svg$/);
    const svg = await readSvg(page, bytes.toString('utf8'));
    // The year the map shows, as its slider says it.
    const asOf = (await page.locator('.as-of').textContent()).trim();
    assert.match(asOf, /^As of \d{4}$/);
    checkFrame(svg, `${EVENTS.length} events · ${asOf}`);
    assert.deepEqual(svg.nodes, nodes, 'one node per actor drawn, in the same order');
    // Moved back to another year, the picture says that year.
    await page.locator('.as-of input[type=range]').focus();
    await page.keyboard.press('Home');
    const first = (await page.locator('.as-of').textContent()).trim();
    assert.notEqual(first, asOf);
    await page.waitForTimeout(300);
    const earlier = await readSvg(page, (await save(page, 'SVG')).bytes.toString('utf8'));
    assert.equal(earlier.filters, `${EVENTS.length} events · ${first}`);
    const png = await save(page, 'PNG');
    assert.deepEqual(pngSize(png.bytes), [Math.round(svg.width * 2), Math.round(svg.height * 2)]);
    await done();
  });

  test('the charts as SVG (both charts, plotters) and PNG', async () => {
    const { page, done } = await suite.openPage('/#view=charts&kinds=Visit,Signing');
    await page.locator('canvas.chart').first().waitFor();
    // The charts are drawn by the visuals module once it has loaded.
    await page.waitForTimeout(500);
    const { bytes } = await save(page, 'SVG');
    const svg = await readSvg(page, bytes.toString('utf8'));
    checkFrame(svg, `${ofKinds('Visit', 'Signing')} events · only Visit, Signing`);
    assert.equal(svg.charts, 2, 'events per year and documents signed');
    assert.ok(svg.rects > 5, 'bars');
    assert.ok(svg.text.includes('events') && svg.text.includes('documents'), 'the axes say what they count');
    // Each chart's caption, as the page shows it above the chart.
    const captions = (await page.locator('.charts figcaption').allTextContents()).map((t) => t.trim());
    assert.deepEqual(svg.captions, captions);
    const png = await save(page, 'PNG');
    assert.deepEqual(pngSize(png.bytes), [Math.round(svg.width * 2), Math.round(svg.height * 2)]);
    // Visits alone: no signing, so no documents' chart on the page (a sentence) nor in the
    // picture, though one was drawn for the choice before.
    await page.getByRole('checkbox', { name: 'Signing' }).uncheck();
    await page.getByText('No documents signed among the events shown.').waitFor();
    await page.waitForTimeout(500);
    const visits = await readSvg(page, (await save(page, 'SVG')).bytes.toString('utf8'));
    assert.equal(visits.charts, 1, 'events per year alone');
    assert.deepEqual(visits.captions, (await page.locator('.charts figcaption').allTextContents()).map((t) => t.trim()));
    await done();
  });

  test('a window of counted clusters (too many events to draw one by one) is pictured with its counts', async () => {
    const dir = join(tmpdir(), `annals-clusters-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const files = await serveDir(dir, { cors: true });
    try {
      writeFileSync(join(dir, 'many.ndjson'), toNdjson(generate(20_000)));
      const { page, done } = await suite.openPage(`/?src=${encodeURIComponent(`${files.url}/many.ndjson`)}#view=timeline`);
      const canvas = page.locator('canvas.timeline-canvas');
      await canvas.evaluate((c) => c.setAttribute('data-test', ''));
      await canvas.focus();
      // Two steps in: still too many events to draw one by one, and bars wide enough to count.
      await page.keyboard.press('+');
      await page.keyboard.press('+');
      await page.waitForTimeout(500);
      await page.keyboard.press('Shift+ArrowRight');
      await page.waitForFunction(() => JSON.parse(document.querySelector('canvas.timeline-canvas')?.getAttribute('data-drawn') ?? '{}').clusters?.length > 0);
      await page.waitForTimeout(300);
      const drawn = JSON.parse(await canvas.getAttribute('data-drawn'));
      assert.equal(drawn.marks.length, 0, 'clusters, not marks');
      const svg = await readSvg(page, (await save(page, 'SVG')).bytes.toString('utf8'));
      assert.equal(svg.error, null);
      assert.equal(svg.clusters, drawn.clusters.length, 'one bar per cluster drawn');
      const counted = drawn.clusters.reduce((n, c) => n + c[5], 0);
      assert.ok(counted > 1500, `the clusters count the events in the window (${counted})`);
      // A count where the canvas writes one: inside a bar wide enough for it.
      const wide = drawn.clusters.filter((c) => c[1] - c[0] > 30 && String(c[5]).length <= 3);
      assert.ok(wide.length > 0, `some bars are wide enough for their count: ${drawn.clusters.map((c) => Math.round(c[1] - c[0]))}`);
      assert.ok(svg.counts.length >= wide.length, `counts in the bars: ${svg.counts.length} of ${wide.length}`);
      for (const n of svg.counts) assert.ok(drawn.clusters.some((c) => String(c[5]) === n), `${n} is a cluster's count`);
      await done();
    } finally {
      await files.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the widget has no Save control; the app in Russian names it in Russian', async () => {
    const widget = await suite.openPage('/?embed=1');
    assert.equal(await widget.page.locator('.save-picture').count(), 0);
    await widget.done();
    const { page, done } = await suite.openPage('/?lang=ru');
    await page.getByRole('group', { name: 'Сохранить изображение' }).waitFor();
    const { bytes } = await save(page, 'SVG', 'Сохранить изображение');
    const svg = await readSvg(page, bytes.toString('utf8'));
    assert.match(svg.sources, /^Источники: .+ — сделано в Annals$/);
    await done();
  });
});

// A TimelineJS file with a title slide (issue 13, point 5 and 6): it opens in story view unless
// the address asks for another; the title slide shows the introduction's medium on the slide's
// background.
describe('a TimelineJS file with a title slide', { timeout: 120_000 }, () => {
  const suite = appSuite();
  const slide = (year, headline) => ({ start_date: { year }, text: { headline, text: `<p>${headline}, told.</p>` } });
  const file = (base, background) => ({
    title: {
      text: { headline: 'Rivers of the North', text: '<p>How the rivers were <b>named</b>.</p>' },
      media: { url: `${base}/river.svg`, caption: 'The delta', credit: 'Drawing: the tests', alt: 'A river delta' },
      background,
    },
    events: [slide(1901, 'The first map'), slide(1920, 'The second map'), slide(1955, 'The survey')],
  });

  test('opens in story view with the medium on the background colour; the address may ask for the timeline', async () => {
    const dir = join(tmpdir(), `annals-tljs-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const files = await serveDir(dir, { cors: true });
    try {
      writeFileSync(join(dir, 'river.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#2a6"/></svg>');
      writeFileSync(join(dir, 'coloured.json'), JSON.stringify(file(files.url, { color: '#1a2b3c' })));
      writeFileSync(join(dir, 'pictured.json'), JSON.stringify(file(files.url, { url: `${files.url}/river.svg` })));
      const src = (name) => `/?src=${encodeURIComponent(`${files.url}/${name}`)}`;

      const { page, done } = await suite.openPage(src('coloured.json'));
      const title = page.locator('.story .title-slide');
      await title.waitFor();
      assert.equal((await title.locator('h2').textContent()).trim(), 'Rivers of the North');
      assert.equal(await page.getByRole('button', { name: 'Story', pressed: true }).count(), 1, 'the Story tab is pressed');
      assert.equal(await title.getAttribute('data-backdrop'), '', 'the slide has its file\'s background');
      assert.equal(await title.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(26, 43, 60)');
      const picture = title.locator('.medium img');
      assert.equal(await picture.getAttribute('alt'), 'A river delta');
      await page.waitForFunction(() => document.querySelector('.title-slide .medium img')?.complete);
      assert.match(await title.locator('.medium figcaption').textContent(), /The delta.*Drawing: the tests/);
      await page.screenshot({ path: join(SHOTS, 'timelinejs-title-slide-colour.png') }).catch(() => {});
      // The card keeps the text readable on the file's colour.
      const card = await title.locator('.title-card').evaluate((e) => getComputedStyle(e).backgroundColor);
      assert.notEqual(card, 'rgb(26, 43, 60)');
      // Choosing the timeline is said in the address, so a reload keeps it.
      await page.getByRole('button', { name: 'Timeline' }).click();
      await page.waitForFunction(() => location.hash.includes('view=timeline'));
      await page.reload();
      await page.locator('canvas.timeline-canvas').waitFor();
      assert.equal(await page.locator('.story').count(), 0);
      await done();

      const asked = await suite.openPage(`${src('coloured.json')}#view=timeline`);
      await asked.page.locator('canvas.timeline-canvas').waitFor();
      assert.equal(await asked.page.locator('.story').count(), 0, 'the address asks for the timeline');
      await asked.done();

      const pictured = await suite.openPage(src('pictured.json'));
      const backdrop = pictured.page.locator('.title-slide .backdrop-picture');
      await backdrop.waitFor();
      assert.equal(await backdrop.getAttribute('src'), `${files.url}/river.svg`);
      assert.equal(await backdrop.getAttribute('referrerpolicy'), 'no-referrer');
      assert.equal(await backdrop.getAttribute('alt'), '');
      await pictured.page.waitForFunction(() => document.querySelector('.backdrop-picture')?.complete);
      await pictured.page.screenshot({ path: join(SHOTS, 'timelinejs-title-slide-picture.png') }).catch(() => {});
      await pictured.done();
    } finally {
      await files.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // What a story's reader knows from TimelineJS: on a wide screen a slide's medium on the left
  // and its words beside it (the words stay on the first screen); on a phone the medium under
  // the words. The introduction is said once: on the title slide, not again above the views.
  test('a slide\'s medium beside its words on a wide screen, under them on a phone; the introduction once', async () => {
    const dir = join(tmpdir(), `annals-tljs-side-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const files = await serveDir(dir, { cors: true });
    try {
      writeFileSync(join(dir, 'river.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="500"><rect width="800" height="500" fill="#2a6"/></svg>');
      const story = file(files.url, { color: '#1a2b3c' });
      story.events[1].media = { url: `${files.url}/river.svg`, caption: 'The second map', credit: 'The tests', alt: 'A green map' };
      writeFileSync(join(dir, 'side.json'), JSON.stringify(story));
      const src = `/?src=${encodeURIComponent(`${files.url}/side.json`)}`;
      for (const [width, height, beside] of [[1280, 800, true], [360, 740, false]]) {
        const { page, done } = await suite.openPage(src, { viewport: { width, height } });
        await page.locator('.title-slide').waitFor();
        // The introduction: on the title slide, not above the views while the story is shown.
        assert.ok(await page.locator('.title-slide .summary-text').isVisible());
        assert.equal(await page.locator('.masthead .intro').isVisible(), false, `${width}: the introduction is not said twice`);
        const stage = page.locator('.story-stage');
        await stage.focus();
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press('ArrowRight');
        await page.waitForFunction(() => document.querySelector('.slide h2')?.textContent.includes('The second map'));
        await page.waitForFunction(() => document.querySelector('.slide .medium img')?.complete);
        const box = async (selector) => page.locator(selector).first().boundingBox();
        const [medium, headline, text] = [await box('.slide .card > .medium'), await box('.slide .card > h2'), await box('.slide .card > .summary-text')];
        if (beside) {
          assert.ok(medium.x + medium.width <= headline.x, `${width}: the medium left of the headline: ${JSON.stringify({ medium, headline })}`);
          assert.ok(medium.y < headline.y + headline.height && headline.y < medium.y + medium.height, `${width}: side by side`);
          assert.ok(text.y + text.height <= height, `${width}: the words on the first screen`);
        } else {
          assert.ok(medium.y >= text.y + text.height, `${width}: the medium under the words`);
        }
        await page.screenshot({ path: join(SHOTS, `timelinejs-slide-medium-${width}.png`) }).catch(() => {});
        // In the timeline the introduction is above the views again.
        await page.getByRole('button', { name: 'Timeline', exact: true }).click();
        await page.locator('canvas.timeline-canvas').waitFor();
        assert.equal(await page.locator('.masthead .intro').count(), 1);
        if (beside) assert.ok(await page.locator('.masthead .intro').isVisible(), 'the introduction above the timeline');
        await done();
      }
    } finally {
      await files.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an Annals file does not open in story view', async () => {
    const { page, done } = await suite.openPage('/');
    assert.equal(await page.locator('.story').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Timeline', pressed: true }).count(), 1);
    await done();
  });
});

