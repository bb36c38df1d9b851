// Embedding from the real `annals serve`: the app page's oEmbed discovery link leads to an
// iframe that works when pasted into a page of another site, and a widget mounted on that
// other site with `Annals.mount` reads the service's stream (script, wasm and API across
// origins) and follows it live.
//
// Needs dist/ and the `annals` binary (target/debug or target/release; `cargo xtask test`
// builds both before this runs).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchBrowser, requireDist, serveDir, startServe } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const TOKEN = 'embed-test-token';

let stopServe;
let base;
let host;
let browser;

before(async () => {
  requireDist();
  ({ base, stop: stopServe } = await startServe(TOKEN, 'annals-embed'));
  host = await serveDir(HERE);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.close();
  stopServe?.();
});

const unescape = (s) => s.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>');

test('the discovery link of the served page leads to an oEmbed iframe that works on another site', async () => {
  const html = await (await fetch(`${base}/`)).text();
  const link = /<link rel="alternate" type="application\/json\+oembed" href="([^"]+)"/.exec(html);
  assert.ok(link, `the app page has an oEmbed discovery link:\n${html}`);
  const answer = await fetch(unescape(link[1]));
  assert.equal(answer.status, 200);
  const oembed = await answer.json();
  assert.equal(oembed.type, 'rich');
  assert.equal(oembed.version, '1.0');
  assert.match(oembed.html, /^<iframe src="[^"]+embed=1[^"]*" title="[^"]+"/);

  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${host.url}/embed-blank.html`);
  await page.evaluate((h) => document.body.append(document.createRange().createContextualFragment(h)), oembed.html);
  const frame = page.frameLocator('iframe');
  await frame.locator('section.event-list h2').waitFor({ timeout: 20_000 });
  assert.match(await frame.locator('.embed-title').textContent(), /^Azerbaijan–Belarus relations/);
  assert.equal(await frame.locator('.embed-title .live').count(), 1, 'the stream is followed live inside the frame');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a widget mounted on another site reads the service stream and follows it live', async () => {
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${host.url}/embed-blank.html`);
  const before = await page.evaluate(() => location.href);
  await page.evaluate(async (b) => {
    await import(`${b}/annals-embed.js`);
    const div = document.createElement('div');
    div.id = 'widget';
    document.body.append(div);
    window.handle = await window.Annals.mount(div, { stream: 'azerbaijan-belarus', service: `${b}/`, view: 'timeline' });
  }, base);
  const heading = page.locator('#widget section.event-list h2');
  await heading.waitFor({ timeout: 20_000 });
  await page.locator('#widget .embed-title .live').waitFor({ timeout: 10_000 });
  const count = async () => Number((await heading.textContent()).match(/\d+/)[0]);
  const initial = await count();

  const res = await fetch(`${base}/api/streams/azerbaijan-belarus/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      id: 'embed-live-call',
      type: 'Call',
      payload: {
        occurred: '2025-11-21',
        title: 'A call the embedded widget shows live',
        actors: [{ actor: 'aliyev' }, { actor: 'lukashenko' }],
        sources: [{ publisher: 'Test', title: 'End-to-end test' }],
      },
    }),
  });
  assert.equal(res.status, 201, await res.text());
  await page.locator('#widget li[data-id="embed-live-call"]').waitFor({ timeout: 10_000 });
  assert.equal(await count(), initial + 1);

  // Unmounting removes the widget and leaves the host page as it was.
  await page.evaluate(() => window.handle.unmount());
  assert.equal(await page.locator('#widget section.event-list').count(), 0);
  assert.equal(await page.evaluate(() => location.href), before);
  assert.deepEqual(errors, []);
  await page.close();
});
