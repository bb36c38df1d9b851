// End-to-end test of deep time: TimelineJS's cosmology template (src/template/cosmo.json of
// TimelineJS3, from the Big Bang 13.8 billion years ago to a wheeled vehicle of 3500 BCE), opened
// by the page's file picker — every slide read, the axis labelled in years before now without a
// label crowding the next, the list, the details and the story saying "13.8 billion years ago",
// zoom and pan still working — at 1280×800 and on a 360×740 phone, with screenshots.
//
// The file comes from ../shared/corpus/timelinejs/cosmo.json or $ANNALS_CORPUS when it is there,
// else from TimelineJS's own package, a dev dependency of these tests (installed by `cargo xtask
// setup`, never copied into the repository); without either the test is skipped and says so.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { ROOT, appSuite, screenshotPath, serveDir } from './harness.mjs';

const CORPUS = process.env.ANNALS_CORPUS || join(ROOT, '..', 'shared', 'corpus');
const COSMO = [
  join(CORPUS, 'timelinejs', 'cosmo.json'),
  join(ROOT, 'tests', 'e2e', 'node_modules', '@knight-lab', 'timelinejs', 'src', 'template', 'cosmo.json'),
].find(existsSync) ?? join(CORPUS, 'timelinejs', 'cosmo.json');

/** What the timeline drew (`data-drawn`, see `timeline::describe`), once `ready` holds. */
async function drawn(page, ready = () => true) {
  const canvas = page.locator('canvas.timeline-canvas');
  let last;
  for (let i = 0; i < 100; i += 1) {
    const text = await canvas.getAttribute('data-drawn');
    if (text) {
      last = JSON.parse(text);
      if (ready(last)) return last;
    }
    await page.waitForTimeout(50);
  }
  assert.fail(`the timeline did not draw what was expected; last drawn: ${JSON.stringify(last)?.slice(0, 2000)}`);
}

/** The axis labels drawn: each inside the canvas and clear of the next one. */
function assertReadableAxis(d, width, what) {
  assert.ok(d.axis.length >= 1, `${what}: labels on the axis: ${JSON.stringify(d.axis)}`);
  for (const [i, label] of d.axis.entries()) {
    assert.ok(label.x + label.width <= width, `${what}: ${label.text} is cut by the edge`);
    const next = d.axis[i + 1];
    if (next) assert.ok(label.x + label.width + 4 <= next.x, `${what}: ${label.text} runs into ${next.text}`);
  }
}

describe('deep time: the cosmology template', { timeout: 180_000 }, () => {
  const suite = appSuite();

  for (const [width, height] of [
    [1280, 800],
    [360, 740],
  ]) {
    test(`from the Big Bang to a wheel, at ${width}×${height}`, { skip: !existsSync(COSMO) && `no ${COSMO} (../shared/corpus, ANNALS_CORPUS, or TimelineJS's package: cargo xtask setup)` }, async () => {
      const { page, done } = await suite.openPage('/', { viewport: { width, height } });
      const filters = page.getByRole('button', { name: 'Filters' });
      if (await filters.isVisible()) await filters.click();
      await page.getByRole('button', { name: 'Open a file…' }).click();
      await page.locator('.opener input[type=file]').setInputFiles(COSMO);
      await page.waitForFunction(() => document.querySelector('h1')?.textContent.includes('Cosmological Scale Timeline'), null, { timeout: 30_000 });
      const status = await page.locator('.open-done').first().textContent();
      assert.match(status, /cosmo\.json \(timelinejs-json\): 7 records accepted, 0 rejected/);
      // Close the file panel, as a reader would, to see the record.
      const close = page.getByRole('button', { name: 'Open a file…' });
      if ((await close.getAttribute('aria-expanded')) === 'true') await close.click();
      // The template's title slide opens it as a story; the reader turns to the timeline.
      await page.locator('.title-slide').waitFor();
      await page.getByRole('button', { name: 'Timeline', exact: true }).click();

      // All seven slides in the list, oldest first, each dated as people read it.
      const list = page.locator('section.event-list li');
      assert.equal(await list.count(), 7);
      const dates = await page.locator('section.event-list li .date').allTextContents();
      assert.deepEqual(dates.map((d) => d.trim()), [
        '13.8 billion years ago',
        '13.79963 billion years ago',
        '12.8 billion years ago',
        '4.6 billion years ago',
        '538.8 million years ago – 251.902 million years ago',
        '315,000 years ago',
        '3500 BC',
      ]);

      // The whole record on the axis: years before now, none crowding the next.
      const canvas = page.locator('canvas.timeline-canvas');
      await canvas.scrollIntoViewIfNeeded();
      await canvas.evaluate((c) => c.setAttribute('data-test', ''));
      // Drawn again (and described) after a pan there and back.
      await canvas.focus();
      await page.keyboard.press('Shift+ArrowRight');
      await page.keyboard.press('Shift+ArrowLeft');
      const canvasWidth = await canvas.evaluate((c) => c.clientWidth);
      let d = await drawn(page, (x) => x.axis?.length >= 1 && x.marks?.length === 7);
      await page.screenshot({ path: await screenshotPath(`deeptime-${width}.png`) });
      assertReadableAxis(d, canvasWidth, 'whole record');
      assert.ok(d.axis.some((l) => /billion years ago$/.test(l.text)), `billions on the axis: ${JSON.stringify(d.axis)} in ${canvasWidth} px`);
      const label = await canvas.getAttribute('aria-label');
      assert.match(label, /years ago/, `the canvas's label reads the window in words: ${label}`);

      // The window's boxes: beyond the calendar a date box would be empty, so they hold years
      // a reader can read and change.
      const from = page.locator('.date-input input').first();
      const to = page.locator('.date-input input').nth(1);
      if (!(await from.isVisible())) await page.getByRole('button', { name: 'Filters' }).click();
      assert.equal(await from.getAttribute('type'), 'number', 'a year box, not a date box');
      const start = Number(await from.inputValue());
      assert.ok(start <= -13_800_000_000 && start > -15_000_000_000, `the window starts before the Big Bang: ${start}`);
      assert.ok(Number(await to.inputValue()) >= -3500, `and ends after the wheel: ${await to.inputValue()}`);
      assert.match(await page.locator('.date-input').first().textContent(), /^From: 1\d\.\d+ billion years ago$/, 'the year in words with the box');
      // The reader types the years of humans: the list keeps what lies in them.
      await from.fill('-400000');
      await from.press('Enter');
      await to.fill('-3000');
      await to.press('Enter');
      await page.waitForFunction(() => document.querySelectorAll('section.event-list li').length === 2);
      assert.deepEqual((await page.locator('section.event-list li .date').allTextContents()).map((t) => t.trim()), ['315,000 years ago', '3500 BC']);
      assert.equal(await from.inputValue(), '-400000');
      assert.match(await page.locator('.date-input').nth(1).textContent(), /3000 BC/);
      await page.screenshot({ path: await screenshotPath(`deeptime-${width}-years.png`) });
      await page.getByRole('button', { name: 'All', exact: true }).click();
      await page.waitForFunction(() => document.querySelectorAll('section.event-list li').length === 7);
      const filtersToggle = page.getByRole('button', { name: 'Filters' });
      if ((await filtersToggle.isVisible()) && (await filtersToggle.getAttribute('aria-expanded')) === 'true') await filtersToggle.click();

      // The details of the Big Bang: the date as people read it.
      await list.first().locator('button').click();
      const details = page.locator('.details, section.details, [aria-label="Details"]').first();
      await details.waitFor({ timeout: 10_000 });
      assert.match(await details.textContent(), /13\.8 billion years ago/);

      // The wheel zooms in on the Homo sapiens slide (found where it is drawn, again after each
      // step): from billions of years to thousands, the axis reads "320,000 years ago".
      const sapiens = await list.nth(5).getAttribute('data-id');
      const thousands = (x) =>
        x.axis?.length >= 1 && x.axis.every((l) => /^\d{3},\d{3} years ago$/.test(l.text)) && x.marks.some((m) => m.id === sapiens);
      for (let i = 0; i < 40 && !thousands(d); i += 1) {
        const mark = d.marks.find((m) => m.id === sapiens);
        assert.ok(mark, `the Homo sapiens slide is drawn at step ${i}`);
        const box = await canvas.boundingBox();
        await page.mouse.move(box.x + (mark.x1 + mark.x2) / 2, box.y + mark.y);
        await page.mouse.wheel(0, -400);
        // The gesture settles (the view takes the window) before the next look.
        await page.waitForTimeout(400);
        d = await drawn(page);
      }
      assert.ok(thousands(d), `zoomed in to thousands of years: ${d.axis.map((l) => l.text)}`);
      assertReadableAxis(d, canvasWidth, 'zoomed in');
      await canvas.focus();
      const before = d.axis.map((l) => l.text).join('|');
      await page.keyboard.press('Shift+ArrowLeft');
      d = await drawn(page, (x) => x.axis?.map((l) => l.text).join('|') !== before || x.axis?.[0]?.x !== d.axis[0].x);
      assertReadableAxis(d, canvasWidth, 'panned');
      await page.screenshot({ path: await screenshotPath(`deeptime-${width}-zoomed.png`) });

      // The story: a slide says when, in words.
      await page.getByRole('button', { name: 'Story' }).click();
      await page.locator('.story').waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('.story-strip button').count(), 8, 'the title slide and the seven');
      const stage = page.locator('.story-stage');
      await stage.focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowRight');
      const heard = (await page.locator('.story [aria-live=polite]').textContent()).trim();
      assert.equal(heard, 'Slide 2 of 8: The Big Bang, 13.8 billion years ago');
      await page.screenshot({ path: await screenshotPath(`deeptime-${width}-story.png`) });
      await page.keyboard.press('End');
      const wheel = (await page.locator('.story [aria-live=polite]').textContent()).trim();
      assert.match(wheel, /^Slide 8 of 8: .+, 3500 BC$/, 'a year before year 1 with its era');
      assert.match(await page.locator('.story .slide').textContent(), /3500 BC/);
      await done();
    });
  }

  // A year before year 1 in each language of the interface: with its era as the language
  // writes it (the browser's Intl where it has the language, the catalog where not), in the
  // list, the details and the timeline's description, and never with a minus sign.
  test('3500 BC in Russian, Belarusian and Azerbaijani', { skip: !existsSync(COSMO) && `no ${COSMO}` }, async () => {
    const files = await serveDir(dirname(COSMO), { cors: true });
    try {
      for (const [lang, wheel] of [
        ['ru', '3500 г. до н. э.'],
        ['be', '3500 г. да н. э.'],
        ['az', 'e.ə. 3500'],
      ]) {
        const src = encodeURIComponent(`${files.url}/cosmo.json`);
        const { page, done } = await suite.openPage(`/?lang=${lang}&src=${src}#view=timeline`);
        await page.locator('section.event-list li').nth(6).waitFor();
        const dates = (await page.locator('section.event-list li .date').allTextContents()).map((t) => t.trim());
        assert.equal(dates[6], wheel, `${lang}: ${dates}`);
        assert.ok(dates.every((d) => !d.startsWith('-')), `${lang}: no minus sign: ${dates}`);
        await page.locator('section.event-list li button').nth(6).click();
        await page.waitForFunction((w) => [...document.querySelectorAll('.details, section.details')].some((d) => d.textContent.includes(w)), wheel);
        await done();
      }
    } finally {
      await files.close();
    }
  });
});
