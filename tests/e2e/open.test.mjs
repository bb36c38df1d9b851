// End-to-end tests of opening a person's own file in the web app and saving the record:
// the picker, paste, drop, the report with its choice, a large log with progress, and every
// export format — on the built `dist/` in Debian's headless Chromium.
//
// Real files written by other people come from ../shared/corpus/ or $ANNALS_CORPUS (never copied
// here); without it, the tests that need it are skipped and say so.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

import { DIST, ROOT, appSuite, screenshotPath } from './harness.mjs';
import { axeViolations } from './axe.mjs';

const CORPUS = process.env.ANNALS_CORPUS || join(ROOT, '..', 'shared', 'corpus');
const NO_CORPUS = `no corpus at ${CORPUS} (../shared/corpus, or set ANNALS_CORPUS)`;

/** The path of a corpus file, or null (and the test is skipped, saying so) without a corpus. */
function corpusFile(t, ...parts) {
  if (!existsSync(CORPUS)) {
    t.skip(NO_CORPUS);
    return null;
  }
  const file = join(CORPUS, ...parts);
  assert.ok(existsSync(file), `${file} is missing: the corpus is there but incomplete`);
  return file;
}
const DEFAULT_TITLE = 'Azerbaijan–Belarus relations';

/** The app's suite; set in `describe`. */
let suite;

/** Opens the app with its default record and the file panel open. */
async function openApp() {
  const { page, done } = await suite.openPage('/', { acceptDownloads: true });
  await page.getByRole('button', { name: 'Open a file…' }).click();
  return { page, done };
}

async function heading(page) {
  return (await page.locator('h1').first().textContent()).trim();
}

/** The rows listed by "N events in view" (or "1 event in view", or "20 events · 3 eras in view"). */
async function inView(page) {
  const text = (await page.locator('section.event-list h2').textContent()).trim();
  const m = /^(\d+) events?(?: · (\d+) eras?)? in view$/.exec(text);
  assert.ok(m, `unexpected list heading ${JSON.stringify(text)}`);
  return Number(m[1]) + Number(m[2] ?? 0);
}

/** Waits for the record on screen to have this title. */
async function waitForTitle(page, title) {
  try {
    await page.waitForFunction((t) => document.querySelector('h1')?.textContent.trim().startsWith(t), title, {
      timeout: 30_000,
    });
  } catch {
    const report = await page.locator('.opener').textContent();
    assert.fail(`the record never became ${JSON.stringify(title)}; the h1 is ${JSON.stringify(await heading(page))}; the panel says: ${report}`);
  }
}

async function paste(page, text) {
  await page.locator('.paste textarea').fill(text);
  await page.getByRole('button', { name: 'Read the pasted text' }).click();
}

const SOURCE = { publisher: 'Example', title: 'Example report' };
const actor = (id, kind, en) => ({ id: `actor:${id}`, type: 'ActorRegistered', payload: { actor: id, kind, names: { en } } });
const call = (id, occurred, title, extra = {}) => ({
  id,
  type: 'Call',
  payload: { occurred, title, actors: [{ actor: 'a' }, { actor: 'b' }], sources: [SOURCE], ...extra },
});

/** An NDJSON log of `n` calls between two countries. */
function bigLog(n) {
  const lines = [JSON.stringify(actor('a', 'country', 'Alpha')), JSON.stringify(actor('b', 'country', 'Beta'))];
  for (let i = 0; i < n; i += 1) {
    const year = 1950 + (i % 70);
    const month = String(1 + (i % 12)).padStart(2, '0');
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(JSON.stringify(call(`call-${i}`, `${year}-${month}-${day}`, `Call number ${i} between Alpha and Beta`)));
  }
  return `${lines.join('\n')}\n`;
}

describe('opening and saving files in the web app', { timeout: 120_000 }, () => {
  suite = appSuite();

  test('the main bundle stays under 400 KB gzipped; the readers and writers are in the worker', () => {
    const gz = (name) => gzipSync(readFileSync(join(DIST, name)), { level: 9 }).length;
    const main = gz('annals-web_bg.wasm') + gz('annals-web.js');
    assert.ok(main < 400_000, `the main bundle is ${(main / 1000).toFixed(1)} KB gzipped`);
    const worker = gz('annals-open_bg.wasm') + gz('annals-open.js');
    console.log(`# main bundle ${(main / 1000).toFixed(1)} KB, worker ${(worker / 1000).toFixed(1)} KB (gzip -9)`);
    assert.ok(existsSync(join(DIST, 'annals-open_loader.js')), 'the worker has its loader');
  });

  test('a TimelineJS file from the corpus, by the picker, becomes the record in every view', async (t) => {
    const file = corpusFile(t, 'timelinejs', 'eras.json');
    if (!file) return;
    const { page, done } = await openApp();
    await page.locator('.opener input[type=file]').setInputFiles(file);
    await waitForTitle(page, 'Eras Test');
    // It has a title slide, so it opens as a story (TimelineJS readers expect the story first).
    await page.locator('.story .title-slide').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Timeline' }).click();
    // 20 slides and 3 eras (an era is kept as an event spanning its years, tagged as an era).
    assert.equal(await inView(page), 23, 'the 20 slides and 3 eras of eras.json are listed');
    const status = await page.locator('.open-done').first().textContent();
    assert.match(status, /eras\.json \(timelinejs-json\): \d+ records accepted, 0 rejected, no problems/);
    // The map and the charts show the same record.
    await page.getByRole('button', { name: 'Charts' }).click();
    await page.locator('.charts canvas, canvas.chart').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: await screenshotPath('open-timelinejs-charts.png') });
    await page.getByRole('button', { name: 'Timeline' }).click();
    await page.screenshot({ path: await screenshotPath('open-timelinejs.png') });
    await done();
  });

  test('a file with problems shows each with line and field, and the choice: nothing, or the valid part', async () => {
    const { page, done } = await openApp();
    const lines = [
      actor('a', 'country', 'Alpha'),
      actor('b', 'country', 'Beta'),
      call('good-1', '2020-03', 'A good call'),
      call('bad-date', '2020-02-30', 'A call on a day that does not exist'),
      call('good-2', '2021', 'Another good call'),
    ].map((r) => JSON.stringify(r));
    await paste(page, lines.join('\n'));
    const report = page.locator('.open-report');
    await report.waitFor({ timeout: 15_000 });
    const text = await report.textContent();
    assert.match(text, /pasted text \(annals-ndjson\): 4 records accepted, 1 rejected, 1 problem/);
    const problem = (await report.locator('.problems li').first().textContent()).replace(/\s+/g, ' ');
    assert.match(problem, /line 4/);
    assert.match(problem, /record 4/);
    assert.match(problem, /payload\.occurred/);
    assert.match(problem, /30/);
    await page.screenshot({ path: await screenshotPath('open-report.png') });
    // Nothing: the record on screen stays.
    await page.getByRole('button', { name: /View nothing/ }).click();
    assert.equal(await heading(page), DEFAULT_TITLE);
    assert.equal(await page.locator('.open-report').count(), 0);
    // The valid part: two calls.
    await paste(page, lines.join('\n'));
    await page.getByRole('button', { name: 'View the 4 valid records' }).click();
    await waitForTitle(page, 'pasted text');
    assert.equal(await inView(page), 2);
    await done();
  });

  test('a file dropped on the page opens', async () => {
    const { page, done } = await openApp();
    const csv = [
      'id,type,occurred,title,actors,source_publisher,source_title,actor,kind',
      'actor:x,ActorRegistered,,Xland,,,,x,country',
      'actor:y,ActorRegistered,,Yland,,,,y,country',
      'one,Talks,2019-12,"Talks, with a comma",x|y,Example,Example report,,',
      'two,Call,2020,A call,x|y,Example,Example report,,',
    ].join('\r\n');
    await page.evaluate((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'dropped.csv', { type: 'text/csv' }));
      const target = document.querySelector('main');
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, csv);
    await waitForTitle(page, 'dropped.csv');
    assert.equal(await inView(page), 2);
    const titles = await page.locator('section.event-list li[data-id] .title').allTextContents();
    assert.ok(titles.some((t) => t.includes('Talks, with a comma')), `titles: ${titles}`);
    await done();
  });

  test('a spreadsheet named by ?src= is read by the opener', async () => {
    const { page, done } = await openApp();
    await page.goto(`${suite.url()}/index.html?src=${encodeURIComponent('data/examples/events.csv')}`);
    await waitForTitle(page, 'events.csv');
    const status = await page.locator('.open-done').first().textContent();
    assert.match(status, /events\.csv \(csv\): 9 records accepted, 0 rejected, no problems/);
    assert.ok((await inView(page)) > 0);
    await done();
  });

  test('a file named by ?src= that opens with problems is reported once: in the panel, the heading for screen readers only', async () => {
    const { page, done } = await openApp();
    await page.goto(`${suite.url()}/index.html?src=${encodeURIComponent('data/examples/invalid.ndjson')}`);
    const report = page.locator('.page-tools .open-report');
    await report.waitFor({ timeout: 30_000 });
    const said = (await report.locator('strong, h2, h3, p').first().textContent()).trim();
    const heading = page.locator('main h1.status.error');
    assert.equal((await heading.textContent()).trim().slice(0, 20), said.slice(0, 20), 'the heading says what the panel says');
    const box = await heading.boundingBox();
    assert.ok(box === null || (box.width <= 1 && box.height <= 1), `the heading is not shown a second time (${JSON.stringify(box)})`);
    assert.ok(await report.isVisible());
    assert.deepEqual(await axeViolations(page), []);
    await done();
  });

  test('the GDELT 2.0 export from the corpus opens, with its notes', async (t) => {
    const file = corpusFile(t, 'gdelt', '20150218230000.export.CSV');
    if (!file) return;
    const { page, done } = await openApp();
    await page.locator('.opener input[type=file]').setInputFiles(file);
    await waitForTitle(page, '20150218230000.export.CSV');
    assert.ok((await inView(page)) > 1000, 'most of the 2,271 GDELT rows are events');
    const status = await page.locator('.open-done').first().textContent();
    assert.match(status, /\(gdelt\)/);
    // On a phone its title, one long word, breaks rather than run off the page.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(300);
    const title = await page.locator('.masthead h1').evaluate((h) => [h.scrollWidth, h.clientWidth]);
    assert.ok(title[0] <= title[1], `the title fits its line (${title[0]} of ${title[1]} px)`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `no page wider than the phone (${width} px)`);
    await done();
  });

  test('a HistoryAtState XML file opens (the worker and the page name its format alike)', async () => {
    const visit = (id, day, who, country) => `<visit><id>${id}</id><start-date>${day}</start-date><end-date>${day}</end-date>
      <visitor>${who}</visitor><from id="${country.toLowerCase()}">${country}</from><description>Working Visit.</description></visit>`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?><visits>${visit(1, '2020-01-07', 'Prime Minister A', 'Greece')}${visit(2, '2020-01-27', 'Prime Minister B', 'Israel')}</visits>`;
    const { page, done } = await openApp();
    await page.locator('.opener input[type=file]').setInputFiles({ name: 'visits.xml', mimeType: 'application/xml', buffer: Buffer.from(xml) });
    await waitForTitle(page, 'visits.xml');
    assert.match(await page.locator('.open-done').first().textContent(), /visits\.xml \(historyatstate-xml\): \d+ records accepted, 0 rejected/);
    assert.equal(await inView(page), 2, 'both visits');
    await done();
  });

  test('the HistoryAtState visits of 2020 from the corpus open', async (t) => {
    const file = corpusFile(t, 'historyatstate', 'visits-2020.xml');
    if (!file) return;
    const { page, done } = await openApp();
    await page.locator('.opener input[type=file]').setInputFiles(file);
    await waitForTitle(page, 'visits-2020.xml');
    assert.match(await page.locator('.open-done').first().textContent(), /\(historyatstate-xml\)/);
    assert.ok((await inView(page)) > 0);
    await done();
  });

  test('a 100,000-event log shows progress, stays responsive, and opens whole', async () => {
    const { page, done } = await openApp();
    const text = bigLog(100_000);
    // The file is made in the page and handed to the picker there: playwright's own transfer of
    // 22 MB into the page (setInputFiles) blocks the page for seconds by itself, and the gaps
    // measured would be the test's, not the app's.
    await page.evaluate((t) => {
      window.__big = new File([t], 'big.ndjson', { type: 'application/x-ndjson' });
    }, text);
    // Count the longest gap between animation frames while the file is read.
    await page.evaluate(() => {
      window.__gaps = [];
      let last = performance.now();
      const tick = (now) => {
        window.__gaps.push(now - last);
        last = now;
        if (!window.__stopFrames) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const started = Date.now();
    await page.evaluate(() => {
      const input = document.querySelector('.opener input[type=file]');
      const picked = new DataTransfer();
      picked.items.add(window.__big);
      input.files = picked.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.locator('.open-progress progress').waitFor({ timeout: 10_000 });
    await waitForTitle(page, 'big.ndjson');
    const seconds = (Date.now() - started) / 1000;
    const gaps = await page.evaluate(() => {
      window.__stopFrames = true;
      return window.__gaps;
    });
    const longest = Math.max(...gaps);
    console.log(
      `# big.ndjson: ${(text.length / 1e6).toFixed(1)} MB, 100,000 events, opened in ${seconds.toFixed(1)} s; ` +
        `${gaps.length} frames, longest gap ${longest.toFixed(0)} ms`,
    );
    assert.ok(gaps.length > 10, 'frames kept coming while the file was read');
    // Reading and checking run in the worker; the page only takes in and folds the accepted
    // part in steps (about 0.2 s each on a loaded 2-core machine).
    assert.ok(longest < 1000, `the page froze for ${longest.toFixed(0)} ms`);
    const summary = (await page.locator('header .summary').textContent()).trim();
    assert.ok(summary.startsWith('100000 events'), summary);
    await done();
  });

  test('the record saves in every format; the Annals JSON reads back as the same record', async () => {
    const { page, done } = await openApp();
    const summary = (await page.locator('header .summary').textContent()).trim();
    const saved = {};
    for (const format of ['annals-json', 'annals-ndjson', 'timelinejs-json', 'csv', 'ics', 'geojson']) {
      await page.locator('.save select').selectOption(format);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download' }).click(),
      ]);
      const path = await download.path();
      saved[format] = { name: download.suggestedFilename(), text: readFileSync(path, 'utf8'), path };
      assert.match(await page.locator('.save [role=status]').textContent(), new RegExp(`as ${format}`));
    }
    assert.equal(saved['annals-json'].name, 'azerbaijan-belarus-relations.json');
    assert.equal(JSON.parse(saved['geojson'].text).type, 'FeatureCollection');
    assert.ok(saved.ics.text.startsWith('BEGIN:VCALENDAR\r\n'), 'an iCalendar file');
    assert.ok(JSON.parse(saved['timelinejs-json'].text).events.length > 0, 'TimelineJS slides');
    assert.ok(saved.csv.text.startsWith('id,type,occurred'), 'the Annals CSV template');
    // What was saved opens again as the same record (a spreadsheet holds the record as it
    // stands, without its disputes, so it reads back with the same events but none disputed).
    const current = summary.replace(/ · \d+ disputed$/, '');
    for (const [format, expected] of [['annals-json', summary], ['annals-ndjson', summary], ['csv', current]]) {
      // A clean file folds the panel away; open it again for the next one.
      if (!(await page.locator('.opener input[type=file]').count())) {
        await page.getByRole('button', { name: 'Open a file…' }).click();
      }
      await page.locator('.opener input[type=file]').setInputFiles({
        name: `again.${format}`,
        mimeType: 'text/plain',
        buffer: Buffer.from(saved[format].text),
      });
      await page.waitForFunction(
        (name) => document.querySelector('.open-done')?.textContent.includes(name),
        `again.${format}`,
        { timeout: 15_000 },
      );
      assert.equal((await page.locator('header .summary').textContent()).trim(), expected, `${format} read back`);
    }
    await done();
  });
});
