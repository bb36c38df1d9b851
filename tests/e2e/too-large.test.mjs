// A stream larger than `annals serve --kept-max-events` (issue 14): the service refuses its
// views (400 `stream_too_large`) and the page, which opens such a stream by the window
// (`frontend/src/remote.rs`), tells the reader so in a sentence of their language — not a
// status code, not a blank timeline. The default record (93 events) stands in for the large
// stream: the limit is 50 and the page reads by the window above 50.
//
// Needs dist/ and the `annals` binary (target/debug or target/release).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { axeViolations } from './axe.mjs';
import { launchBrowser, requireDist, screenshotPath, startServe } from './harness.mjs';

let stopServe;
let base;
let browser;

before(async () => {
  requireDist();
  ({ base, stop: stopServe } = await startServe('too-large-token', 'annals-too-large', ['--kept-max-events', '50']));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  stopServe?.();
});

const SAID = {
  en: 'This stream has more events than this service can show as a timeline.',
  ru: 'В этом потоке больше событий, чем этот сервис может показать в виде ленты времени.',
};

for (const [lang, said] of Object.entries(SAID)) {
  test(`a stream whose views the service refuses for its size is explained in words (${lang})`, async () => {
    const lod = await fetch(`${base}/api/streams/azerbaijan-belarus/lod?width=1200`);
    assert.equal(lod.status, 400);
    assert.equal((await lod.json()).error.code, 'stream_too_large');

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC', locale: 'en-GB' });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/?lang=${lang}&window_above=50`);
    const alert = page.locator('main [role="alert"] h1.status.error');
    await alert.waitFor({ timeout: 30_000 });
    assert.ok((await alert.textContent()).startsWith(said), await alert.textContent());
    assert.equal(await page.locator('canvas.timeline-canvas').count(), 0, 'no blank timeline');
    await page.screenshot({ path: await screenshotPath(`too-large-${lang}-1280.png`) });
    assert.deepEqual(await axeViolations(page), []);
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: await screenshotPath(`too-large-${lang}-360.png`), fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `the address breaks rather than widen the page (${width} px)`);
    // Its events are still read page by page, from the link the sentence ends with.
    const link = alert.locator('a');
    assert.equal(await link.count(), 1, 'the sentence links to the events pages');
    const href = new URL(await link.getAttribute('href'), page.url()).href;
    assert.equal(href, `${base}/api/streams/azerbaijan-belarus/events`);
    const events = await fetch(href);
    assert.equal(events.status, 200);
    assert.ok((await events.json()).events.length > 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
}
