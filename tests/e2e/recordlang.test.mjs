// End-to-end tests of the record's own text in several languages (issue 15, points 3–5): with
// `lang=ru` the default record's titles and summaries are Russian in the details, the list and
// the story, each marked as the editors' translation (or as a source's published words) and
// carrying its `lang`; in a language the record lacks (Belarusian) the English text is shown and
// says so; a Russian query finds events whatever the interface's language; axe stays clean.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, appSuite, screenshotPath } from './harness.mjs';
import { axeViolations } from './axe.mjs';

const RECORD = JSON.parse(readFileSync(join(ROOT, 'data', 'azerbaijan-belarus.json'), 'utf8'));
const CATALOGS = Object.fromEntries(
  ['az', 'ru', 'be'].map((code) => [code, JSON.parse(readFileSync(join(ROOT, 'frontend', 'lang', `${code}.json`), 'utf8'))]),
);
const payload = (id) => RECORD.events.find((e) => e.id === id).payload;
const tr = (code, english) => CATALOGS[code].texts[english];

/** Waits until the interface speaks `code`. */
const speaks = (page, code) =>
  page.waitForFunction((code) => document.documentElement.lang === code, code, { timeout: 15_000 });

describe("the record's text in the reader's language", { timeout: 180_000 }, () => {
  const suite = appSuite();

  test('in Russian: details, list and story are Russian, marked as translations, with lang', async () => {
    const visit = payload('2024-05-16-state-visit');
    const { page, done } = await suite.openPage('/?lang=ru#e=2024-05-16-state-visit');
    await speaks(page, 'ru');
    const heading = page.locator('#details h2');
    await page.waitForFunction((t) => document.querySelector('#details h2')?.textContent.trim() === t, visit.titles.ru.text, {
      timeout: 15_000,
    });
    assert.equal(await heading.getAttribute('lang'), 'ru');
    assert.equal((await page.locator('#details .summary-text').textContent()).trim(), visit.summaries.ru.text);
    assert.equal(await page.locator('#details .summary-text').getAttribute('lang'), 'ru');
    // Title and summary are both the editors' translation: one note says so, under the title
    // (a dispute's note, translated too, has its own, in its box).
    assert.deepEqual(await page.locator('#details .lang-note:not(.dispute .lang-note)').allTextContents(), [
      tr('ru', "translated by the record's editors"),
    ]);
    // The list: the row's title in Russian, no "shown in" badge.
    await page.locator('.controls button', { hasText: tr('ru', 'All') }).click();
    const row = page.locator('.event-list li[data-id="2024-05-16-state-visit"] .title');
    assert.equal((await row.textContent()).trim(), visit.titles.ru.text);
    assert.equal(await row.locator('[lang]').getAttribute('lang'), 'ru');
    assert.equal(await page.locator('.event-list .lang-badge').count(), 0, 'every event has its Russian title');
    assert.deepEqual(await axeViolations(page), []);
    await done();
  });

  test("a source's own published headline is marked as the source's words", async () => {
    const call = payload('2021-11-08-phone-call');
    assert.equal(call.titles.ru.origin, 'source');
    const { page, done } = await suite.openPage('/?lang=ru#e=2021-11-08-phone-call');
    await speaks(page, 'ru');
    await page.waitForFunction((t) => document.querySelector('#details h2')?.textContent.trim() === t, call.titles.ru.text, {
      timeout: 15_000,
    });
    assert.deepEqual(await page.locator('#details .lang-note').allTextContents(), [
      tr('ru', "the source's own words, as published"),
      tr('ru', "translated by the record's editors"),
    ]);
    await done();
  });

  test('in a language the record lacks, the English text says "shown in English"', async () => {
    const signing = payload('2024-05-16-signing');
    const { page, done } = await suite.openPage('/?lang=be#e=2024-05-16-signing');
    await speaks(page, 'be');
    const marker = tr('be', 'shown in English');
    await page.locator('#details .lang-note:not(.dispute .lang-note)', { hasText: marker }).waitFor({ timeout: 15_000 });
    assert.equal((await page.locator('#details h2').textContent()).trim(), signing.title);
    assert.equal(await page.locator('#details h2').getAttribute('lang'), 'en');
    // The list marks every row; the Turan source's Russian headline is not shown to a Belarusian reader.
    await page.locator('.controls button', { hasText: tr('be', 'All') }).click();
    const rows = await page.locator('.event-list li').count();
    assert.equal(await page.locator('.event-list .lang-badge', { hasText: marker }).count(), rows);
    assert.equal(await page.locator('#details .lang-alt').count(), 0);
    assert.deepEqual(await axeViolations(page), []);
    // Story mode: the slide says it too.
    await page.locator('nav.tabs button', { hasText: tr('be', 'Story') }).click();
    await page.locator('.story .slide .lang-note:not(.dispute .lang-note)', { hasText: marker }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('.story .slide h2').getAttribute('lang'), 'en');
    await done();
  });

  test("a source's title in the reader's language stands beside the one it was cited by", async () => {
    // In Russian, the Turan source shows the Russian title it published, marked as its own.
    const { page, done } = await suite.openPage('/?lang=ru#e=2024-05-16-signing');
    await speaks(page, 'ru');
    const alt = page.locator('#details .sources .lang-alt').first();
    await alt.waitFor({ timeout: 15_000 });
    assert.match(await alt.textContent(), /К итогам визита президента Беларуси в Азербайджан/);
    assert.match(await alt.textContent(), new RegExp(tr('ru', "the source's own words, as published")));
    assert.equal(await alt.locator('[lang]').getAttribute('lang'), 'ru');
    await done();
  });

  test('a Russian query finds events in the English interface, and the story slides follow the language', async () => {
    const { page, done } = await suite.openPage('/');
    await page.locator('.controls button', { hasText: 'All' }).click();
    // The events whose title or summary in some language has both words; none in English alone.
    const query = 'по телефону';
    const texts = (p) => [p.title, p.summary ?? '', ...Object.values(p.titles ?? {}), ...Object.values(p.summaries ?? {})]
      .map((t) => (typeof t === 'string' ? t : t.text).toLowerCase());
    const expected = RECORD.events
      .filter((e) => e.payload.occurred && query.split(' ').every((w) => texts(e.payload).some((t) => t.includes(w))))
      .map((e) => e.id)
      .sort();
    assert.ok(expected.length >= 2, `${expected}`);
    assert.ok(expected.every((id) => !`${payload(id).title} ${payload(id).summary}`.toLowerCase().includes('телефон')));
    await page.locator('.search input[type=search]').fill(query);
    await page.waitForFunction((n) => document.querySelectorAll('.event-list li').length === n, expected.length, { timeout: 15_000 });
    const ids = await page.locator('.event-list li').evaluateAll((rows) => rows.map((r) => r.dataset.id));
    assert.deepEqual(ids.sort(), expected);
    // An English title on the page: the rows read in English.
    assert.equal((await page.locator('.event-list li .title').first().textContent()).trim(), payload(ids[0]).title);
    await done();

    const story = await suite.openPage('/?lang=az#view=story&e=2013-11-20-lukashenko-official-visit');
    await speaks(story.page, 'az');
    const official = payload('2013-11-20-lukashenko-official-visit');
    await story.page.waitForFunction(
      (t) => document.querySelector('.story .slide h2')?.textContent.trim() === t,
      official.titles.az.text,
      { timeout: 15_000 },
    );
    assert.match(await story.page.locator('.story [aria-live=polite]').textContent(), new RegExp(official.titles.az.text.slice(0, 20)));
    assert.deepEqual(await axeViolations(story.page), []);
    await story.page.screenshot({ path: await screenshotPath('recordlang-az-story.png') });
    await story.done();
  });
});
