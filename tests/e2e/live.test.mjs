// The web app served by the real `annals serve`: it reads the stream through the API and shows
// an event appended over HTTP without a reload (Server-Sent Events).
//
// Needs dist/ and the `annals` binary (target/debug or target/release; `cargo xtask test`
// builds both before this runs).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { launchBrowser, requireDist, startServe } from './harness.mjs';

let stopServe;
let base;
const token = 'live-test-token';
let browser;

before(async () => {
  requireDist();
  ({ base, stop: stopServe } = await startServe(token, 'annals-live'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  stopServe?.();
});

test('a new event appears without a reload', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/`);
  await page.waitForSelector('h1 .live', { timeout: 20000 });
  assert.match(await page.textContent('h1'), /^Azerbaijan–Belarus relations/);
  // The badge is a word of its own for a screen reader ("… relations live", not "relationslive").
  const heading = await page.getByRole('heading', { level: 1 }).evaluate((h) => h.textContent.replace(/\s+/g, ' ').trim());
  assert.match(heading, /relations live$/);
  const count = async () => Number((await page.textContent('.event-list h2')).match(/\d+/)[0]);
  const before = await count();
  const record = {
    id: 'live-test-call',
    type: 'Call',
    payload: {
      occurred: '2025-11-20',
      title: 'A call appended while the page is open',
      actors: [{ actor: 'aliyev' }, { actor: 'lukashenko' }],
      sources: [{ publisher: 'Test', title: 'End-to-end test' }],
    },
  };
  const res = await fetch(`${base}/api/streams/azerbaijan-belarus/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(record),
  });
  assert.equal(res.status, 201, await res.text());
  await page.waitForSelector('li[data-id="live-test-call"]', { timeout: 10000 });
  assert.equal(await count(), before + 1);
  // The reader is told, and the new event is marked in the list; "Show it" selects it.
  const notice = page.locator('.arrived[role=status]');
  assert.match(await notice.textContent(), /Just recorded: A call appended while the page is open \(20 November 2025\)/);
  assert.equal(await page.locator('li.arrived[data-id="live-test-call"]').count(), 1);
  await notice.getByRole('button', { name: 'Show it' }).click();
  await page.waitForFunction(() => document.querySelector('#details h2')?.textContent === 'A call appended while the page is open');
  // A second append arrives too (the page folds into the current record, not a stale one).
  record.id = 'live-test-call-2';
  record.payload.title = 'A second live call';
  const res2 = await fetch(`${base}/api/streams/azerbaijan-belarus/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(record),
  });
  assert.equal(res2.status, 201);
  await page.waitForSelector('li[data-id="live-test-call-2"]', { timeout: 10000 });
  assert.equal(await count(), before + 2);
  assert.deepEqual(errors, []);
});
