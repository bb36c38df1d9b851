// Importing a person's file into the real `annals serve` from the web app: the file is checked
// in the browser, and an editor with the write token sends its valid part to a stream in one
// atomic request; a wrong token writes nothing. The stream is then read back through the API.
//
// Needs dist/ and the `annals` binary (target/debug or target/release; `cargo xtask test`
// builds both before this runs).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { launchBrowser, requireDist, startServe } from './harness.mjs';

const TOKEN = 'open-test-token';

let stopServe;
let base;
let browser;

before(async () => {
  requireDist();
  ({ base, stop: stopServe } = await startServe(TOKEN, 'annals-open'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  stopServe?.();
});

const CSV = [
  'id,type,occurred,title,actors,source_publisher,source_title,actor,kind',
  'actor:x,ActorRegistered,,Xland,,,,x,country',
  'actor:y,ActorRegistered,,Yland,,,,y,country',
  'talks-2019,Talks,2019-12,Talks in December,x|y,Example,Example report,,',
  'bad,Call,2020-02-30,A call on a day that does not exist,x|y,Example,Example report,,',
  'call-2020,Call,2020,A call,x|y,Example,Example report,,',
].join('\n');

async function streamIds(stream) {
  const answer = await fetch(`${base}/api/streams/${stream}/events?limit=1000`);
  if (answer.status === 404) return [];
  assert.equal(answer.status, 200);
  return (await answer.json()).events.map((e) => e.id);
}

test('an editor imports the valid part of a checked file into a stream; a wrong token writes nothing', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.locator('section.event-list h2').waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Open a file…' }).click();
  await page.locator('.opener input[type=file]').setInputFiles({ name: 'my-events.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  const report = page.locator('.open-report');
  await report.waitFor({ timeout: 15_000 });
  assert.match(await report.textContent(), /my-events\.csv \(csv\): 4 records accepted, 1 rejected, 1 problem/);
  // A visitor is not offered a write-token field: it waits folded, for the service's editors.
  const fold = page.locator('details.import-details');
  await fold.waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('input[type=password]').isVisible(), false, 'no token field before an editor asks');
  await fold.locator('summary').click();
  const form = page.locator('form.import');
  await form.waitFor({ timeout: 10_000 });
  assert.equal(await form.locator('input[type=text]').inputValue(), 'my-events', 'the stream is named after the file');

  // A wrong token: refused, and the stream does not exist afterwards.
  await form.locator('input[type=password]').fill('not-the-token');
  await form.getByRole('button', { name: /Import 4 records/ }).click();
  await page.waitForFunction(() => /refused/.test(document.querySelector('form.import [role=status]')?.textContent ?? ''), undefined, { timeout: 10_000 });
  assert.match(await form.locator('[role=status]').textContent(), /\(401\); nothing was written\. The write token was not accepted\./);
  assert.deepEqual(await streamIds('my-events'), []);

  // The right token: all four valid records, in file order.
  await form.locator('input[type=password]').fill(TOKEN);
  await form.getByRole('button', { name: /Import 4 records/ }).click();
  await page.waitForFunction(() => /Imported 4 records into my-events \(version 4\)/.test(document.querySelector('form.import [role=status]')?.textContent ?? ''), undefined, { timeout: 10_000 });
  assert.deepEqual(await streamIds('my-events'), ['actor:x', 'actor:y', 'talks-2019', 'call-2020']);

  // Importing again is idempotent: the same ids, nothing new.
  await form.getByRole('button', { name: /Import 4 records/ }).click();
  await page.waitForFunction(() => /Already in my-events \(version 4\)/.test(document.querySelector('form.import [role=status]')?.textContent ?? ''), undefined, { timeout: 10_000 });
  assert.deepEqual(await streamIds('my-events'), ['actor:x', 'actor:y', 'talks-2019', 'call-2020']);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a refused import is said in the reader's language", async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${base}/?lang=ru`);
  await page.waitForFunction(() => document.documentElement.lang === 'ru', undefined, { timeout: 15_000 });
  await page.getByRole('button', { name: 'Открыть файл…' }).click();
  await page.locator('.opener input[type=file]').setInputFiles({ name: 'ru-events.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await page.locator('.open-report').waitFor({ timeout: 15_000 });
  const fold = page.locator('details.import-details');
  await fold.waitFor({ timeout: 10_000 });
  await fold.locator('summary').click();
  const form = page.locator('form.import');
  await form.locator('input[type=password]').fill('not-the-token');
  await form.locator('button[type=submit]').click();
  const status = form.locator('[role=status].error');
  await status.waitFor({ timeout: 10_000 });
  assert.equal(
    (await status.textContent()).trim(),
    'Сервис отклонил импорт (401); ничего не записано. Токен записи не принят.',
  );
  assert.deepEqual(await streamIds('ru-events'), []);
  await context.close();
});
