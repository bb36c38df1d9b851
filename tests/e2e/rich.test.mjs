// The record's rich text on the page (frontend/src/rich.rs) and what a TimelineJS file's reader
// is shown: paragraphs, links, emphasis and lists in the details and on the story's slides
// (the title slide's introduction too), links opening apart from the page; a slide's own
// background behind it; eras as labelled spans over the strip; none of the clutter an import
// adds (kind "Other", the sources' precision, a Sources block naming the file). Hostile files
// — a TimelineJS file (sanitized by the worker's reader) and an Annals file (refused by the
// check) — put no script, handler, frame, style or `javascript:` link on the page, and nothing
// of theirs runs.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { appSuite, screenshotPath, serveDir } from './harness.mjs';
import { axeViolations } from './axe.mjs';

const RICH = (base) => ({
  title: {
    text: {
      headline: 'Rich stories',
      text: '<p>The first paragraph, with <a href="https://example.org/intro">a link</a>.</p><p>A <em>second</em> paragraph.</p>',
    },
  },
  eras: [{ start_date: { year: '2000' }, end_date: { year: '2001' }, text: { headline: 'The early years' } }],
  events: [
    {
      start_date: { year: '2001' },
      unique_id: 'first',
      text: {
        headline: 'The <em>first</em> day',
        text: '<p>One <strong>strong</strong> word.</p><ul><li>Alpha</li><li>Beta</li></ul><p>Read <a href="https://example.org/more" target="_self">more</a>.</p>',
      },
      background: { color: '#1a2b3c' },
    },
    {
      start_date: { year: '2002', month: '5', day: '3' },
      unique_id: 'second',
      text: { headline: 'The second day', text: '<ol><li>One</li><li>Two</li></ol>' },
      background: { url: `${base}/sky.svg` },
    },
  ],
});

// Every way a file can try to run something: each would set window.__hit or open a dialog.
const HOSTILE_TIMELINEJS = {
  title: {
    text: {
      headline: '<img src=x onerror="window.__hit=1">Hostile story',
      text: '<script>window.__hit=2</script><p onclick="window.__hit=3">Intro <a href="javascript:window.__hit=4">trap</a></p>',
    },
  },
  events: [
    {
      start_date: { year: '2001' },
      unique_id: 'h1',
      text: {
        headline: '<svg onload="window.__hit=5">Head</svg>',
        text: '<iframe src="javascript:parent.__hit=6"></iframe><p style="color:red">Body <a href="javascript:window.__hit=7">link</a> <a href="https://ok.example/" onmouseover="window.__hit=8">ok</a></p><style>*{display:none}</style><img src=x onerror="alert(9)"><details open ontoggle="window.__hit=10">x</details><p><a href="#h1" onclick="window.__hit=14">self</a> <a href="#javascript:window.__hit=15">hash</a> <a href="#javascript:x">js</a></p>',
      },
    },
  ],
};

const SOURCE = [{ publisher: 'Test fixture', title: 'Invented for the rich-text tests' }];
const HOSTILE_ANNALS = {
  annals: 1,
  stream: 'hostile',
  title: 'Hostile native',
  events: [
    { id: 'good', type: 'Other', payload: { occurred: '2001-01-01', title: 'Fine', summary: 'Fine text', summary_html: '<p>Fine <em>text</em></p>', sources: SOURCE } },
    { id: 'img', type: 'Other', payload: { occurred: '2001-01-02', title: 'Head', title_html: '<img src=x onerror="window.__hit=11">Head', sources: SOURCE } },
    { id: 'js', type: 'Other', payload: { occurred: '2001-01-03', title: 'x', summary: 'x', summary_html: '<a href="javascript:window.__hit=12">x</a>', sources: SOURCE } },
    { id: 'frame', type: 'Other', payload: { occurred: '2001-01-04', title: 'y', summary: 'y', summary_html: '<iframe srcdoc="<script>parent.__hit=13</script>"></iframe>y', sources: SOURCE } },
    { id: 'own', type: 'Other', payload: { occurred: '2001-01-05', title: 'z', summary: 'z', summary_html: '<a href="#good" onclick="window.__hit=16">z</a>', sources: SOURCE } },
    { id: 'hash', type: 'Other', payload: { occurred: '2001-01-06', title: 'w', summary: 'w', summary_html: '<a href="#javascript:window.__hit=17">w</a>', sources: SOURCE } },
    { id: 'away', type: 'Other', payload: { occurred: '2001-01-07', title: 'Away', summary: 'To good and nowhere', summary_html: '<p>To <a href="#good">good</a> and <a href="#nowhere">nowhere</a></p>', sources: SOURCE } },
  ],
};

/** Nothing of a hostile file's is on the page, nothing ran, no dialog opened. */
async function assertHarmless(page, dialogs, where) {
  const found = await page.evaluate(() => {
    const bad = 'script, iframe, style, svg, img[src="x"], details, [onerror], [onclick], [onload], [onmouseover], [ontoggle], [style*="color:red"], a[href^="javascript" i]';
    // Where the record's texts are shown: the masthead, the story, the details, the list.
    const shown = [...document.querySelectorAll('.masthead, .story, #details, .event-list')];
    return shown.flatMap((s) => [...s.querySelectorAll(bad)]).map((e) => e.outerHTML.slice(0, 120));
  });
  assert.deepEqual(found, [], `${where}: nothing hostile on the page`);
  assert.equal(await page.evaluate(() => window.__hit), undefined, `${where}: nothing of the file's ran`);
  assert.deepEqual(dialogs, [], `${where}: no dialog`);
}

describe('rich text and TimelineJS slides', { timeout: 120_000 }, () => {
  const suite = appSuite();

  test('paragraphs, links, emphasis and lists in the story and the details; backgrounds; eras; no clutter', async () => {
    const dir = join(tmpdir(), `annals-rich-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const files = await serveDir(dir, { cors: true });
    try {
      writeFileSync(join(dir, 'sky.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#48c"/></svg>');
      writeFileSync(join(dir, 'rich.json'), JSON.stringify(RICH(files.url)));
      const { page, done } = await suite.openPage(`/?src=${encodeURIComponent(`${files.url}/rich.json`)}`);
      // The title slide: the introduction's paragraphs and link.
      const intro = page.locator('.title-slide .summary-text.rich');
      await intro.waitFor({ timeout: 20_000 });
      assert.equal(await intro.locator('p').count(), 2);
      assert.equal(await intro.locator('em').textContent(), 'second');
      const introLink = intro.locator('a');
      assert.equal(await introLink.getAttribute('href'), 'https://example.org/intro');
      assert.equal(await introLink.getAttribute('target'), '_blank');
      assert.equal(await introLink.getAttribute('rel'), 'noopener noreferrer');
      // The era over the slides it holds (the first; the second is in 2002).
      const era = page.locator('.strip-eras li');
      assert.equal(await era.count(), 1);
      assert.equal((await era.textContent()).trim(), 'The early years');
      assert.equal(await page.locator('.story-strip button').count(), 3, 'the title slide and two: the era is no slide');

      await page.locator('.story-stage').focus();
      await page.keyboard.press('ArrowRight');
      const slide = page.locator('.story .slide');
      await page.waitForFunction(() => document.querySelector('.story .slide h2 em')?.textContent === 'first');
      assert.equal((await slide.locator('h2').textContent()).trim(), 'The first day');
      const text = slide.locator('.summary-text.rich');
      assert.deepEqual(await text.locator('li').allTextContents(), ['Alpha', 'Beta']);
      assert.equal(await text.locator('strong').textContent(), 'strong');
      const link = text.locator('a');
      assert.equal(await link.getAttribute('href'), 'https://example.org/more');
      assert.equal(await link.getAttribute('target'), '_blank', 'ours first: the file\'s target="_self" comes after');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      // Nothing an import made up: no kind "Other", no "sources give no more", no Sources block.
      const words = await slide.textContent();
      assert.doesNotMatch(words, /Other|no more precise date|Sources|Imported from/);
      assert.equal(await slide.locator('.date').textContent(), '2001');
      // The slide's background, the words on a card of paper.
      assert.equal(await slide.getAttribute('data-backdrop'), '');
      assert.equal(await slide.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(26, 43, 60)');
      assert.notEqual(await slide.locator('.card').evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(26, 43, 60)');
      await page.screenshot({ path: await screenshotPath('rich-story-1280.png') });
      assert.deepEqual(await axeViolations(page), [], 'axe on a slide with a background colour');

      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => document.querySelector('.story .slide h2')?.textContent.trim() === 'The second day');
      const picture = slide.locator('.backdrop-picture');
      assert.equal(await picture.getAttribute('src'), `${files.url}/sky.svg`);
      assert.equal(await picture.getAttribute('referrerpolicy'), 'no-referrer');
      assert.equal(await slide.locator('.summary-text.rich ol li').count(), 2);
      await page.waitForFunction(() => document.querySelector('.backdrop-picture')?.complete);
      assert.deepEqual(await axeViolations(page), [], 'axe on a slide with a background picture');

      // The details show the same.
      await page.getByRole('button', { name: 'Timeline', exact: true }).click();
      // Above the views, the introduction keeps its paragraphs, emphasis and link too.
      const masthead = page.locator('.masthead .intro .summary-text.rich');
      assert.equal(await masthead.locator('p').count(), 2);
      assert.equal(await masthead.locator('em').textContent(), 'second');
      assert.equal(await masthead.locator('a').getAttribute('href'), 'https://example.org/intro');
      assert.equal(await masthead.locator('a').getAttribute('target'), '_blank');
      await page.locator('section.event-list li[data-id="first"] button').click();
      const details = page.locator('#details');
      await details.locator('.summary-text.rich li').first().waitFor();
      assert.deepEqual(await details.locator('.summary-text.rich li').allTextContents(), ['Alpha', 'Beta']);
      assert.equal(await details.locator('h2 em').textContent(), 'first');
      assert.equal(await details.locator('.summary-text a').getAttribute('rel'), 'noopener noreferrer');
      assert.doesNotMatch(await details.textContent(), /Other|no more precise date|Sources/);
      // Its one lane (every slide is of no particular kind) is not named "Other".
      assert.equal((await page.locator('#timeline-lanes').textContent()).trim(), 'Lanes: All events.');
      await page.screenshot({ path: await screenshotPath('rich-details-1280.png') });
      await done();
    } finally {
      await files.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bare web address in plain text is a link, as in TimelineJS, without the sentence\'s full stop', async () => {
    const dir = join(tmpdir(), `annals-bare-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const files = await serveDir(dir, { cors: true });
    try {
      writeFileSync(join(dir, 'bare.json'), JSON.stringify({
        title: { text: { headline: 'Bare addresses', text: 'Events from https://en.wikipedia.org/wiki/Timeline_of_the_Middle_Ages' } },
        events: [{ start_date: { year: '2001' }, text: { headline: 'One', text: 'See https://example.org/a_(b). Or not.' } }],
      }));
      const { page, done } = await suite.openPage(`/?src=${encodeURIComponent(`${files.url}/bare.json`)}`);
      const intro = page.locator('.title-slide .summary-text');
      await intro.waitFor({ timeout: 20_000 });
      assert.equal((await intro.textContent()).trim(), 'Events from https://en.wikipedia.org/wiki/Timeline_of_the_Middle_Ages');
      const link = intro.locator('a');
      assert.equal(await link.getAttribute('href'), 'https://en.wikipedia.org/wiki/Timeline_of_the_Middle_Ages');
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      await page.locator('.story-stage').focus();
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => document.querySelector('.story .slide h2')?.textContent.trim() === 'One');
      const text = page.locator('.story .slide .summary-text');
      assert.equal((await text.textContent()).trim(), 'See https://example.org/a_(b). Or not.');
      assert.deepEqual(await text.locator('a').evaluateAll((a) => a.map((e) => e.getAttribute('href'))), ['https://example.org/a_(b)']);
      assert.deepEqual(await axeViolations(page), []);
      await done();
    } finally {
      await files.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('on a phone the story is the screen under the view tabs, the strip at its foot', async () => {
    const dir = join(tmpdir(), `annals-phone-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const files = await serveDir(dir, { cors: true });
    try {
      writeFileSync(join(dir, 'sky.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#48c"/></svg>');
      writeFileSync(join(dir, 'rich.json'), JSON.stringify(RICH(files.url)));
      const { page, done } = await suite.openPage(`/?src=${encodeURIComponent(`${files.url}/rich.json`)}`, { viewport: { width: 360, height: 740 } });
      await page.locator('.title-slide .summary-text.rich').waitFor({ timeout: 20_000 });
      const top = () => page.locator('nav.tabs').evaluate((e) => Math.abs(Math.round(e.getBoundingClientRect().top)));
      await page.waitForFunction(() => Math.abs(document.querySelector('nav.tabs').getBoundingClientRect().top) <= 1);
      const strip = await page.locator('.strip-track').boundingBox();
      assert.ok(strip.y + strip.height <= 741, `the strip on the first screen: ${JSON.stringify(strip)}`);
      // A move from the strip (scrolled to) brings the tabs and the next slide's headline back.
      await page.evaluate(() => window.scrollBy(0, 200));
      await page.locator('.story-strip button').nth(1).click();
      await page.waitForFunction(() => document.querySelector('.story .slide h2 em')?.textContent === 'first');
      await page.waitForFunction(() => Math.abs(document.querySelector('nav.tabs').getBoundingClientRect().top) <= 1);
      assert.equal(await top(), 0);
      await page.screenshot({ path: await screenshotPath('rich-story-360.png') });
      assert.deepEqual(await axeViolations(page), [], 'axe at 360 px');
      await done();
    } finally {
      await files.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a hostile TimelineJS file and a hostile Annals file put nothing on the page that runs', async () => {
    const dir = join(tmpdir(), `annals-hostile-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const files = await serveDir(dir, { cors: true });
    try {
      writeFileSync(join(dir, 'hostile.json'), JSON.stringify(HOSTILE_TIMELINEJS));
      const { page, done } = await suite.openPage(`/?src=${encodeURIComponent(`${files.url}/hostile.json`)}`);
      const dialogs = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        d.dismiss();
      });
      await page.locator('.title-slide').waitFor({ timeout: 20_000 });
      assert.match(await page.locator('.title-slide').textContent(), /Intro trap/, 'the words stay');
      await assertHarmless(page, dialogs, 'TimelineJS title slide');
      await page.locator('.story-stage').focus();
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => document.querySelector('.story .slide h2')?.textContent.trim() === 'Head');
      const body = await page.locator('.story .slide').textContent();
      assert.match(body, /Body link ok/);
      // A link to the file's own slide stays one, without its handler; one to no slide of the
      // file is text.
      const own = page.locator('.story .slide .summary-text a[href]');
      assert.deepEqual(await own.evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('onclick')])), [
        ['ok', 'https://ok.example/', null],
        ['self', '#e=h1', null],
      ]);
      assert.match(body, /self hash js/);
      await page.locator('.story .slide .summary-text').hover();
      await assertHarmless(page, dialogs, 'TimelineJS slide');
      await page.getByRole('button', { name: 'Timeline', exact: true }).click();
      await page.locator('section.event-list li[data-id="h1"] button').click();
      await page.locator('#details h2').waitFor();
      await assertHarmless(page, dialogs, 'TimelineJS details');

      // An Annals file: the check refuses the events whose markup is not allowed.
      await page.getByRole('button', { name: 'Open a file…' }).click();
      await page.locator('.opener input[type=file]').setInputFiles({ name: 'hostile.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(HOSTILE_ANNALS)) });
      const report = page.locator('.open-report');
      await report.waitFor({ timeout: 20_000 });
      const said = (await report.innerText()).replace(/\s+/g, ' ');
      assert.match(said, /2 records? accepted, 5 rejected/);
      assert.match(said, /payload\.summary_html\s*:?\s*has the attribute "onclick" on <a>/);
      assert.match(said, /payload\.summary_html\s*:?\s*has a link whose href "#javascript:window.__hit=17" is not an http\(s\) link/);
      assert.match(said, /payload\.title_html\s*:?\s*has <img>, which is not allowed/);
      assert.match(said, /payload\.summary_html\s*:?\s*has a link whose href "javascript:window.__hit=12" is not an http\(s\) link/);
      assert.match(said, /payload\.summary_html\s*:?\s*has <iframe>, which is not allowed/);
      await page.getByRole('button', { name: /View the 2 valid records/ }).click();
      await page.waitForFunction(() => document.querySelector('h1')?.textContent.trim().startsWith('Hostile native'));
      // A link to another event of the file selects it; one to an id the file lacks is text.
      await page.locator('section.event-list li[data-id="away"] button').click();
      await page.locator('#details .summary-text.rich').waitFor();
      assert.deepEqual(await page.locator('#details .summary-text a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')])), [
        ['good', '#e=good'],
        ['nowhere', null],
      ]);
      await page.locator('#details .summary-text a[href]').click();
      await page.locator('#details .summary-text.rich em').waitFor();
      assert.equal((await page.locator('#details h2').textContent()).trim(), 'Fine');
      await assertHarmless(page, dialogs, 'Annals file');
      await done();
    } finally {
      await files.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
