// End-to-end tests of what a reader meets (issue 12): the app's colours (dark mode), the Embed
// panel after opening one's own file, a tap on a phone, a record whose site does not allow other
// sites to read it, the wording of counts, disputes and the open-file report, the charts' legend
// in a widget — and axe-core on the app, the iframe page and a host page with two widgets.
//
// Each test here failed before the change it covers.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { axeViolations } from './axe.mjs';
import { DIST, appSuite, markOnCanvas, rgb, screenshotPath, serveDir } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const NORTH = readFileSync(join(HERE, 'fixtures', 'embed-north.json'));
const SIGNING_COLOUR = rgb('#D55E00');

/** The colour most pixels of a canvas have: its paper. */
async function paperOf(canvas) {
  return canvas.evaluate((c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const counts = new Map();
    for (let i = 0; i < data.length; i += 16) {
      const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1])[0][0].split(',').map(Number);
  });
}

const luminance = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

/** The centre of a solid mark of colour `[r, g, b]` on the timeline canvas, in page pixels. */
async function markOf(page, colour) {
  const spot = await markOnCanvas(page.locator('canvas.timeline-canvas'), colour);
  assert.ok(spot, 'a mark of that colour is drawn');
  return spot;
}

describe('what a reader meets', { timeout: 120_000 }, () => {
  const suite = appSuite();

  test('dark mode: ?theme=dark, the system setting, and a choice kept in the address', async () => {
    // Asked for in the address: the page and the canvas are dark.
    let { page, done } = await suite.openPage('/?theme=dark');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    const body = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(body, 'rgb(22, 25, 29)', 'the page is on the dark paper');
    assert.ok(luminance(await paperOf(page.locator('canvas.timeline-canvas'))) < 60, 'the timeline is drawn dark');
    assert.equal(await page.locator('.scheme select').inputValue(), 'dark');
    await page.screenshot({ path: await screenshotPath('app-dark-1280.png') });
    await done();

    // The system's setting is followed when nothing is chosen.
    ({ page, done } = await suite.openPage('/', { colorScheme: 'dark' }));
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    // Choosing Light turns the page light at once and writes it in the address, view kept.
    await page.evaluate(() => { location.hash = '#e=2024-05-16-state-visit'; });
    await page.waitForFunction(() => document.querySelector('#details h2'));
    await page.locator('.scheme select').selectOption('light');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    assert.match(await page.evaluate(() => location.search), /theme=light/);
    assert.match(await page.evaluate(() => location.hash), /e=2024-05-16-state-visit/);
    await page.locator('canvas.timeline-canvas').waitFor();
    await page.waitForTimeout(300);
    assert.ok(luminance(await paperOf(page.locator('canvas.timeline-canvas'))) > 200, 'the timeline is redrawn light');
    // …and a reload keeps it, though the system is dark.
    await page.reload();
    await page.locator('section.event-list h2').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    await done();
  });

  test('axe: no violations on the app (light and dark, every view), the iframe page and a page with two widgets', async () => {
    for (const path of ['/', '/?theme=dark', '/#view=map', '/#view=charts', '/?theme=dark#view=charts']) {
      const { page, done } = await suite.openPage(path);
      await page.waitForTimeout(300);
      assert.deepEqual(await axeViolations(page), [], `axe on ${path}`);
      await done();
    }
    for (const path of ['/?embed=1', '/?embed=1&theme=dark&view=charts']) {
      const { page, done } = await suite.openPage(path);
      assert.deepEqual(await axeViolations(page), [], `axe on ${path}`);
      await done();
    }
    const host = await serveDir(HERE);
    const app = await serveDir(DIST, { cors: true });
    try {
      const { page, done } = await suite.openPage('/');
      await page.goto(`${host.url}/embed-host.html?dist=${encodeURIComponent(`${app.url}/`)}`);
      await page.locator('#north .embed-title').waitFor({ timeout: 15_000 });
      await page.locator('#south .embed-title').waitFor({ timeout: 15_000 });
      assert.deepEqual(await axeViolations(page), [], 'axe on a host page with two widgets');
      await done();
    } finally {
      await host.close();
      await app.close();
    }
  });

  test('after opening a file, the Embed panel says a local file cannot be embedded instead of embedding the server record', async () => {
    const { page, done } = await suite.openPage('/');
    await page.getByRole('button', { name: 'Open a file…' }).click();
    await page.locator('.opener input[type=file]').setInputFiles({ name: 'north.json', mimeType: 'application/json', buffer: NORTH });
    await page.waitForFunction(() => document.querySelector('h1')?.textContent.startsWith('Test record North'));
    await page.getByRole('button', { name: 'Embed', exact: true }).click();
    const panel = page.locator('.embed-panel');
    await panel.waitFor();
    assert.match(await panel.textContent(), /is a file you opened in this browser: it has no address/);
    assert.equal(await panel.locator('textarea').count(), 0, 'no snippet of another record');
    assert.equal(await panel.locator('iframe').count(), 0, 'no preview of the server record');
    await done();
  });

  test('on a phone, tapping an event on the timeline or in the list brings its details into view', async () => {
    const phone = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true };
    const { page, done } = await suite.openPage('/', phone);
    const spot = await markOf(page, SIGNING_COLOUR);
    await page.touchscreen.tap(spot.x, spot.y);
    const heading = page.locator('#details h2');
    await heading.waitFor({ timeout: 5_000 });
    const inView = async () => {
      const box = await heading.boundingBox();
      return box && box.y >= 0 && box.y + box.height <= 740;
    };
    assert.ok(await inView(), 'the details of the tapped mark are on screen');
    const item = page.locator('section.event-list li button').nth(30);
    await item.scrollIntoViewIfNeeded();
    const title = (await item.locator('.title').textContent()).trim();
    await item.tap();
    await page.waitForFunction((t) => document.querySelector('#details h2')?.textContent === t, title);
    await page.waitForTimeout(200);
    assert.ok(await inView(), 'the details of the tapped list item are on screen');
    await page.screenshot({ path: await screenshotPath('phone-tap-details-360.png') });
    await done();
  });

  test('on a phone the timeline is on the first screen: the introduction one line until "more", the filters folded', async () => {
    const phone = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true };
    const { page, done } = await suite.openPage('/', phone);
    const canvas = page.locator('canvas.timeline-canvas');
    const top = (await canvas.boundingBox()).y;
    await page.screenshot({ path: await screenshotPath('phone-first-screen-360.png') });
    assert.ok(top + 200 <= 740, `at least 200 px of the timeline are on the first screen (it begins at ${Math.round(top)} px)`);
    // The introduction: one line, and all of it after "more".
    const intro = page.locator('.masthead .intro');
    const line = await intro.evaluate((p) => parseFloat(getComputedStyle(p).lineHeight));
    assert.ok((await intro.boundingBox()).height <= line * 1.5, 'the introduction is one line');
    const more = page.getByRole('button', { name: 'more', exact: true });
    assert.equal(await more.getAttribute('aria-expanded'), 'false');
    await more.click();
    assert.ok((await intro.boundingBox()).height > line * 3, 'after "more", the whole introduction');
    assert.equal(await page.getByRole('button', { name: 'less', exact: true }).getAttribute('aria-expanded'), 'true');
    // The filters: folded behind one button (the zoom buttons stay), open on a tap.
    const search = page.locator('.controls input[type=search]');
    assert.ok(!(await search.isVisible()), 'the search box is folded away');
    assert.ok(await page.getByRole('button', { name: 'Zoom in' }).isVisible(), 'the zoom buttons stay');
    const filters = page.getByRole('button', { name: 'Filters' });
    assert.equal(await filters.getAttribute('aria-expanded'), 'false');
    await filters.tap();
    assert.ok(await search.isVisible(), 'the filters unfold');
    assert.ok(await page.locator('fieldset.kinds').isVisible());
    assert.equal(await filters.getAttribute('aria-expanded'), 'true');
    await done();

    // On a wide screen nothing is folded, and the fold buttons are not there.
    const wide = await suite.openPage('/');
    assert.ok(await wide.page.locator('.controls input[type=search]').isVisible(), 'the filters are shown at 1280 px');
    assert.equal(await wide.page.getByRole('button', { name: 'Filters' }).count(), 0, 'no Filters button at 1280 px');
    assert.equal(await wide.page.getByRole('button', { name: 'more', exact: true }).count(), 0, 'no "more" at 1280 px');
    const intro1280 = wide.page.locator('.masthead .intro');
    const line1280 = await intro1280.evaluate((p) => parseFloat(getComputedStyle(p).lineHeight));
    assert.ok((await intro1280.boundingBox()).height > line1280 * 1.5, 'the whole introduction at 1280 px');
    await wide.done();
  });

  test('on a phone "more" is offered only when the introduction does not fit on its line, measured again on resize', async () => {
    const phone = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true };
    const more = (page) => page.getByRole('button', { name: 'more', exact: true });
    /** Opens the fixture North with `description` as its introduction, at `width` px. */
    const openWith = async (description, width) => {
      const opened = await suite.openPage('/index.html?no-record-yet', { ...phone, viewport: { width, height: 740 } });
      const body = JSON.stringify({ ...JSON.parse(NORTH), description });
      await opened.page.route('**/fixtures/intro.json', (route) => route.fulfill({ body, contentType: 'application/json' }));
      await opened.page.goto(`${suite.url()}/?src=${encodeURIComponent('/fixtures/intro.json')}`);
      await opened.page.locator('.masthead h1', { hasText: 'Norway' }).waitFor();
      await opened.page.locator('section.event-list h2').waitFor();
      return opened;
    };
    // A short introduction: all of it on its one line, and no button that would show nothing more.
    let { page, done } = await openWith('Invented events for a test.', 360);
    const intro = page.locator('.masthead .intro');
    assert.equal(await intro.textContent(), 'Invented events for a test.');
    assert.ok(await intro.evaluate((p) => p.scrollHeight <= p.clientHeight), 'the short introduction is whole');
    await page.waitForTimeout(100);
    assert.equal(await more(page).count(), 0, 'no "more" beside an introduction that fits');
    await page.screenshot({ path: await screenshotPath('phone-short-intro-360.png') });
    await done();

    // One that fits a line 700 px wide but not 360: no button at 700, a button once the window
    // narrows, and it unfolds the whole text.
    const medium = 'Invented visits and calls between Norway and Sweden, for the tests.';
    ({ page, done } = await openWith(medium, 700));
    await page.waitForTimeout(100);
    assert.equal(await more(page).count(), 0, 'no "more" at 700 px, where the introduction fits');
    await page.setViewportSize({ width: 360, height: 740 });
    await more(page).waitFor({ timeout: 5_000 });
    const line = await page.locator('.masthead .intro').evaluate((p) => parseFloat(getComputedStyle(p).lineHeight));
    await more(page).click();
    assert.ok((await page.locator('.masthead .intro').boundingBox()).height > line * 1.5, 'after "more", both lines');
    // Wide again while unfolded: nothing is cut any more, so no "less" either.
    await page.setViewportSize({ width: 700, height: 740 });
    await page.getByRole('button', { name: 'less', exact: true }).waitFor({ state: 'detached', timeout: 5_000 });
    await done();

    // The default record's long introduction at 360 px: the button is there.
    ({ page, done } = await suite.openPage('/', phone));
    await more(page).waitFor({ timeout: 5_000 });
    await done();

    // Opened in the story, which hides the introduction (its title slide says it): once the
    // timeline shows it, it is measured again and offers "more".
    ({ page, done } = await suite.openPage('/#view=story', phone));
    await page.locator('.story').first().waitFor();
    await page.getByRole('button', { name: 'Timeline', exact: true }).click();
    await more(page).waitFor({ timeout: 5_000 }).catch(() => assert.fail('no "more" after leaving the story for the timeline'));
    await done();
  });

  test('on a phone, the "disputed" badges of the list hold their word', async () => {
    const { page, done } = await suite.openPage('/', { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const badges = page.locator('section.event-list .badge');
    assert.ok((await badges.count()) >= 1, 'the list shows disputed events');
    for (const box of await badges.evaluateAll((els) => els.map((e) => ({ text: e.textContent, width: e.clientWidth, needed: e.scrollWidth })))) {
      assert.ok(box.needed <= box.width + 1, `the badge "${box.text}" is ${box.width} px wide for ${box.needed} px of text`);
    }
    await done();
  });

  test('a record whose site does not let other sites read it gets an explanation, not "Failed to fetch"', async () => {
    const other = await serveDir(join(HERE, 'fixtures')); // no CORS header
    try {
      const { page, done } = await suite.openPage('/');
      await page.goto(`${suite.url()}/?src=${encodeURIComponent(`${other.url}/embed-north.json`)}`);
      const status = page.locator('main .status.error');
      await status.waitFor({ timeout: 15_000 });
      const text = await status.textContent();
      assert.match(text, /does not let other sites read its files/);
      assert.match(text, /Open a file…/);
      assert.doesNotMatch(text, /TypeError|Failed to fetch/);
      await done();
    } finally {
      await other.close();
    }
  });

  test('words: counts agree with their number, disputes name fields in words, the report has no code words', async () => {
    const { page, done } = await suite.openPage('/#e=2016-11-28-lukashenko-official-visit');
    const dispute = page.locator('.dispute h3');
    await dispute.first().waitFor();
    assert.equal((await dispute.first().textContent()).trim(), 'Disputed: first official visit');
    assert.match(await page.locator('.masthead .summary').textContent(), /^\d+ events · \d+ documents signed · \d+ disputed$/);

    // One event: "1 event", never "1 events" or "event(s)".
    await page.getByRole('button', { name: 'Open a file…' }).click();
    const one = [
      '{"id":"actor:a","type":"ActorRegistered","payload":{"actor":"a","kind":"country","names":{"en":"Alpha"}}}',
      '{"id":"actor:b","type":"ActorRegistered","payload":{"actor":"b","kind":"country","names":{"en":"Beta"}}}',
      '{"id":"c1","type":"Call","payload":{"occurred":"2020-01-02","title":"One call","actors":[{"actor":"a"},{"actor":"b"}],"sources":[{"publisher":"P","title":"T"}]}}',
    ];
    await page.locator('.paste textarea').fill(`${one.join('\n')}\n`);
    await page.getByRole('button', { name: 'Read the pasted text' }).click();
    await page.waitForFunction(() => /^1 event in view$/.test(document.querySelector('section.event-list h2')?.textContent ?? ''));
    // One call: one event, and no count of documents or disputes it cannot have.
    assert.equal(await page.locator('.masthead .summary').textContent(), '1 event');

    // A file with a dozen broken lines: plain words, no "?" field, list numbers 10+ not clipped.
    await page.getByRole('button', { name: 'Open a file…' }).click();
    const broken = [...one, ...Array.from({ length: 12 }, () => '"just a string"')];
    await page.locator('.paste textarea').fill(`${broken.join('\n')}\n`);
    await page.getByRole('button', { name: 'Read the pasted text' }).click();
    const report = page.locator('.open-report');
    await report.waitFor({ timeout: 15_000 });
    const text = await report.textContent();
    assert.doesNotMatch(text, /RawRecord|expected struct|expected enum/);
    assert.match(text, /expected an Annals record/);
    assert.deepEqual(await report.locator('ol.problems code').allTextContents(), [], 'no field named "?" or anything else');
    const clipped = await report.locator('ol.problems li').nth(11).evaluate((li) => {
      const list = li.parentElement;
      const room = parseFloat(getComputedStyle(list).paddingLeft);
      const font = parseFloat(getComputedStyle(li).fontSize);
      return room < font * 2.2; // "12." needs about two ems beside the text
    });
    assert.equal(clipped, false, 'the numbers 10 and up have room');
    await done();
  });

  test('a widget showing charts has a colour legend of the kinds drawn', async () => {
    const { page, done } = await suite.openPage('/?embed=1&view=charts');
    const legend = page.locator('.charts .legend li');
    await legend.first().waitFor();
    const kinds = await legend.allTextContents();
    assert.ok(kinds.includes('Visit') && kinds.includes('Signing'), `legend: ${kinds}`);
    await done();
  });
});

