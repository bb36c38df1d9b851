// End-to-end tests of story mode (`view=story`, issue 13): a title slide, one slide per event in
// date order, keys, buttons, a swipe and the strip; deep links; what a screen reader hears;
// reduced motion; the iframe widget and the custom element; axe. Then TimelineJS's own
// templates as their readers meet them: a link to a slide of the file, eras counted apart
// from events, the phone's story under the view tabs, the introduction's markup above the views.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DIST, ROOT, appSuite, screenshotPath, serveDir } from './harness.mjs';
import { axeViolations } from './axe.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const TEMPLATES = join(HERE, 'node_modules', '@knight-lab', 'timelinejs', 'src', 'template');
const RECORD = JSON.parse(readFileSync(join(ROOT, 'data', 'azerbaijan-belarus.json'), 'utf8'));
const DOMAIN_KINDS = ['Visit', 'Signing', 'CommissionMeeting', 'Talks', 'Call', 'Statement', 'Other'];
const EVENTS = RECORD.events.filter((e) => DOMAIN_KINDS.includes(e.type));
const TOTAL = EVENTS.length + 1; // and the title slide

const heard = (page) => page.locator('.story [aria-live=polite]').textContent();
const headline = (page) => page.locator('.story .slide h2').textContent();
const hash = (page) => page.evaluate(() => decodeURIComponent(location.hash));

describe('story mode', { timeout: 120_000 }, () => {
  const suite = appSuite();

  test('a title slide, then every event in date order, moved by keys, buttons, a swipe and the strip', async () => {
    const { page, done } = await suite.openPage('/#view=story');
    assert.equal((await headline(page)).trim(), RECORD.title);
    assert.match(await page.locator('.title-slide').textContent(), new RegExp(`${EVENTS.length} events`));
    // The record's introduction: on the title slide and above the views.
    const intro = RECORD.description.slice(0, 60);
    assert.ok((await page.locator('.title-slide').textContent()).includes(intro), 'the title slide introduces the record');
    assert.ok((await page.locator('.masthead .intro').textContent()).includes(intro), 'the masthead introduces the record');
    // The filters stay in the address, out of the reader's way.
    assert.equal(await page.locator('.controls').count(), 0);
    assert.equal((await heard(page)).trim(), `Slide 1 of ${TOTAL}: ${RECORD.title}`);
    // The list and details give way to the slide.
    assert.equal(await page.locator('section.event-list').count(), 0);

    const stage = page.locator('.story-stage');
    await stage.focus();
    await page.keyboard.press('ArrowRight');
    const first = EVENTS.find((e) => e.id === '1993-06-11-diplomatic-relations');
    assert.equal((await headline(page)).trim(), first.payload.title, 'slide 2 is the earliest event');
    assert.equal((await heard(page)).trim(), `Slide 2 of ${TOTAL}: ${first.payload.title}, 11 June 1993`);
    assert.match(await hash(page), /e=1993-06-11-diplomatic-relations/);

    // A year-only event says so: the date is never made more precise.
    await page.keyboard.press('End');
    const lastTitle = (await headline(page)).trim();
    assert.match(await heard(page), new RegExp(`^Slide ${TOTAL} of ${TOTAL}: `));
    assert.equal(await page.getByRole('button', { name: 'Next slide' }).isDisabled(), true);
    await page.keyboard.press('ArrowRight');
    assert.equal((await headline(page)).trim(), lastTitle, 'the last slide stays the last');
    await page.keyboard.press('Home');
    assert.equal((await headline(page)).trim(), RECORD.title);

    // Buttons.
    await page.getByRole('button', { name: 'Begin the story →' }).click();
    await page.getByRole('button', { name: 'Next slide' }).click();
    assert.match(await heard(page), new RegExp(`^Slide 3 of ${TOTAL}: `));
    await page.getByRole('button', { name: 'Previous slide' }).click();
    assert.equal((await headline(page)).trim(), first.payload.title);

    // A swipe to the left is "next".
    const box = await stage.boundingBox();
    await page.mouse.move(box.x + box.width * 0.7, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + 60, { steps: 4 });
    await page.mouse.up();
    assert.match(await heard(page), new RegExp(`^Slide 3 of ${TOTAL}: `));

    // The strip marks where the reader is and jumps.
    const current = page.locator('.story-strip button[aria-current=step]');
    assert.equal(await current.count(), 1);
    assert.match(await current.textContent(), /, Slide 3 of /);
    await page.locator('.story-strip button').nth(6).click();
    assert.match(await heard(page), new RegExp(`^Slide 7 of ${TOTAL}: `));
    await page.screenshot({ path: await screenshotPath('story-1280.png') });
    await done();
  });

  test('a deep link opens its slide; the date keeps its precision; disputes and sources are on the slide', async () => {
    const { page, done } = await suite.openPage('/#view=story&e=2016-11-28-lukashenko-official-visit', {
      viewport: { width: 360, height: 740 },
    });
    const event = EVENTS.find((e) => e.id === '2016-11-28-lukashenko-official-visit');
    assert.equal((await headline(page)).trim(), event.payload.title);
    const slide = page.locator('.story .slide');
    assert.match(await slide.textContent(), /Disputed: first official visit/);
    assert.ok((await slide.locator('.sources li').count()) > 0, 'the slide cites its sources');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `no horizontal scroll at 360 px (${width})`);
    await page.screenshot({ path: await screenshotPath('story-360.png') });
    // The strip names its slides and keeps the current one in view, also at the end of a
    // long story on a phone (it shows two or three slides at a time).
    const track = page.locator('.strip-track');
    const currentInView = async () =>
      track.evaluate((t) => {
        const b = t.querySelector('[aria-current]').getBoundingClientRect();
        const r = t.getBoundingClientRect();
        return b.left >= r.left - 1 && b.right <= r.right + 1;
      });
    assert.ok(await currentInView(), 'the deep-linked slide is in the strip\'s view');
    assert.equal(
      (await page.locator('.story-strip button[aria-current] .strip-title').textContent()).trim(),
      event.payload.title,
      'the strip names the slide',
    );
    await page.locator('.story-stage').focus();
    await page.keyboard.press('End');
    assert.ok(await currentInView(), 'the last slide is in the strip\'s view');

    const yearOnly = EVENTS.find((e) => /^\d{4}$/.test(e.payload.occurred));
    await page.evaluate((id) => { location.hash = `#view=story&e=${id}`; }, yearOnly.id);
    await page.waitForFunction((t) => document.querySelector('.story .slide h2')?.textContent === t, yearOnly.payload.title);
    assert.match(await slide.locator('.date').textContent(), new RegExp(`^${yearOnly.payload.occurred} — the sources give no more precise date`));
    await done();
  });

  test('a link to an event the filters hide shows that event, says why it is not a slide, and clears the filters on request', async () => {
    // Only Calls are slides; the link names the 16 May 2024 state visit.
    const visit = EVENTS.find((e) => e.id === '2024-05-16-state-visit');
    const calls = EVENTS.filter((e) => e.type === 'Call').length;
    assert.ok(visit && calls > 0 && calls < EVENTS.length, 'the record has the visit and some calls');
    const { page, done } = await suite.openPage(`/#view=story&kinds=Call&e=${visit.id}`);
    await page.waitForFunction((t) => document.querySelector('.story .slide h2')?.textContent.trim() === t, visit.payload.title);
    const slide = page.locator('.story .slide');
    assert.equal(await page.locator('.title-slide').count(), 0, 'not the title slide');
    assert.match(await slide.locator('.outside').textContent(), /The filters hide this event: it is not among the slides\./);
    assert.ok((await slide.locator('.sources li').count()) > 0, 'its sources are there');
    assert.equal((await page.locator('.story-where').textContent()).trim(), `– / ${calls + 1}`);
    await page.screenshot({ path: await screenshotPath('story-hidden-1280.png') });
    assert.deepEqual(await axeViolations(page), []);
    // Next goes to the first slide the filters let through.
    await page.getByRole('button', { name: 'Next slide' }).click();
    await page.waitForFunction(() => document.querySelector('.story-where')?.textContent.trim().startsWith('2 /'));
    assert.equal(await slide.locator('.outside').count(), 0);
    // Back to the link, and the filters are cleared: the event is a slide among all.
    await page.evaluate((id) => { location.hash = `#view=story&kinds=Call&e=${id}`; }, visit.id);
    await slide.locator('.outside').waitFor();
    await slide.getByRole('link', { name: 'Show every event' }).click();
    await page.waitForFunction(() => !document.querySelector('.story .outside'));
    assert.equal((await headline(page)).trim(), visit.payload.title, 'the same event, now a slide');
    assert.match(await page.locator('.story-where').textContent(), new RegExp(`^\\d+ / ${TOTAL}$`));
    assert.doesNotMatch(await hash(page), /kinds=/, 'no kind filter left');
    await done();
  });

  test('reduced motion: slides change without animation', async () => {
    const { page, done } = await suite.openPage('/#view=story', { reducedMotion: 'reduce' });
    assert.equal(await page.locator('.story .slide').evaluate((s) => getComputedStyle(s).animationName), 'none');
    await done();
    const moving = await suite.openPage('/#view=story');
    assert.equal(await moving.page.locator('.story .slide').evaluate((s) => getComputedStyle(s).animationName), 'slide-in');
    await moving.done();
  });

  test('in the iframe widget and the custom element, with no axe violations', async () => {
    const { page, done } = await suite.openPage('/?embed=1&view=story&e=2024-05-16-state-visit');
    assert.match(await heard(page), /^Slide \d+ of \d+: Ilham Aliyev's state visit|^Slide \d+ of \d+: /);
    const event = EVENTS.find((e) => e.id === '2024-05-16-state-visit');
    assert.equal((await headline(page)).trim(), event.payload.title);
    await page.locator('.story-stage').focus();
    await page.keyboard.press('ArrowRight');
    assert.notEqual((await headline(page)).trim(), event.payload.title);
    assert.deepEqual(await axeViolations(page), [], 'axe in the iframe page');
    await done();

    const host = await serveDir(HERE);
    const app = await serveDir(DIST, { cors: true });
    try {
      const opened = await suite.openPage('/');
      const hostPage = opened.page;
      await hostPage.goto(`${host.url}/embed-host.html?dist=${encodeURIComponent(`${app.url}/`)}`);
      await hostPage.locator('#north .embed-title').waitFor({ timeout: 15_000 });
      await hostPage.evaluate(() => document.getElementById('north').setAttribute('view', 'story'));
      await hostPage.locator('#north .story .title-slide').waitFor({ timeout: 10_000 });
      await hostPage.locator('#north .story-stage').focus();
      await hostPage.keyboard.press('ArrowRight');
      await hostPage.waitForFunction(() => /^Slide 2 of /.test(document.getElementById('north').shadowRoot.querySelector('.story [aria-live=polite]')?.textContent ?? ''));
      assert.deepEqual(await axeViolations(hostPage), [], 'axe on the host page with a story widget');
      await opened.done();
    } finally {
      await host.close();
      await app.close();
    }
    const story = await suite.openPage('/#view=story&e=2024-05-16-state-visit');
    assert.deepEqual(await axeViolations(story.page), [], 'axe on the app in story mode');
    await story.done();
  });

  test('printing: the chronology the filters let through, with its sources as footnotes, and nothing interactive', async () => {
    const { page, done } = await suite.openPage('/#kinds=Visit');
    await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed ?? 0) + 1; }; });
    await page.getByRole('button', { name: 'Print', exact: true }).click();
    await page.waitForFunction(() => window.__printed === 1);
    const visits = EVENTS.filter((e) => e.type === 'Visit');
    const items = page.locator('.print-chronology .chronology li');
    assert.equal(await items.count(), visits.length);
    assert.equal((await page.locator('.print-chronology > .note').textContent()).trim(), `${visits.length} events of ${EVENTS.length}: only Visit.`);
    // Every mark leads to its footnote; a page cited twice has one number.
    const targets = await page.locator('.print-chronology sup a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(targets.length >= visits.length, 'every visit cites a source');
    for (const t of new Set(targets)) assert.equal(await page.locator(`.footnotes li${t}`).count(), 1, `${t} exists`);
    const notes = await page.locator('.footnotes li').count();
    assert.ok(notes <= targets.length && notes === new Set(targets).size, 'one footnote per cited page');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.timeline').isVisible(), false, 'the canvas is not printed');
    assert.equal(await page.locator('.print-chronology').isVisible(), true);
    await page.pdf({ path: await screenshotPath('chronology-visits.pdf') });
    await page.evaluate(() => dispatchEvent(new Event('afterprint')));
    await page.locator('.print-chronology').waitFor({ state: 'detached' });
    // Ctrl+P: the browser's beforeprint builds it too.
    await page.evaluate(() => dispatchEvent(new Event('beforeprint')));
    await page.locator('.print-chronology .chronology li').first().waitFor();
    await done();
  });
});

describe('TimelineJS templates in the story', { timeout: 120_000 }, () => {
  const suite = appSuite();
  let files;
  before(async () => { files = await serveDir(TEMPLATES, { cors: true }); });
  after(async () => { await files?.close(); });
  const open = (name, options) => suite.openPage(`/?src=${encodeURIComponent(`${files.url}/${name}`)}`, options);

  test('a link to a slide of the file (#unique_id) is a real link to that event: the story goes to its slide, the details show it', async () => {
    const { page, context, done } = await open('all-media-types.json');
    const target = JSON.parse(readFileSync(join(TEMPLATES, 'all-media-types.json'), 'utf8')).events.find((e) => e.unique_id === 'wikipedia-images');
    const link = page.locator('.title-slide a', { hasText: 'click to jump to Wikipedia Images' });
    assert.equal(await link.getAttribute('href'), '#e=wikipedia-images', 'the address of the event in the page');
    assert.equal(await link.getAttribute('target'), null, 'it stays in the page');
    // A middle click opens the event in a new tab: the same file, that event.
    const [tab] = await Promise.all([context.waitForEvent('page'), link.click({ button: 'middle' })]);
    const opened = new URL(tab.url());
    assert.equal(opened.search, new URL(page.url()).search, 'the same file');
    assert.equal(opened.hash, '#e=wikipedia-images');
    await tab.close();
    // The keyboard follows it, to its slide.
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((t) => document.querySelector('.story .slide h2')?.textContent.trim() === t, target.text.headline);
    assert.match(await hash(page), /^#e=wikipedia-images&/, 'still the story (the file\'s own view), at that slide');
    assert.match(await heard(page), new RegExp(`^Slide \\d+ of 42: ${target.text.headline}`));
    // Back returns to the title slide.
    await page.goBack();
    await page.locator('.title-slide').waitFor();
    // Above the timeline the introduction holds the same link: it selects the event in the details.
    await page.getByRole('button', { name: 'Timeline', exact: true }).click();
    await page.locator('.masthead .intro a[href="#e=wikipedia-images"]').click();
    await page.waitForFunction((t) => document.querySelector('#details h2')?.textContent.trim() === t, target.text.headline);
    assert.match(await hash(page), /^#view=timeline&e=wikipedia-images&/, 'the timeline stays on screen');
    await done();
  });

  test('in an iframe widget the link leads to its slide; in a custom element it is text (the address is the host\'s)', async () => {
    const host = await serveDir(HERE);
    const app = await serveDir(DIST, { cors: true });
    try {
      const opened = await suite.openPage('/');
      const page = opened.page;
      await page.goto(`${host.url}/embed-host.html?dist=${encodeURIComponent(`${app.url}/`)}`);
      const src = `${files.url}/all-media-types.json`;
      await page.evaluate(({ src, frameSrc }) => {
        const element = document.createElement('annals-timeline');
        element.id = 'media';
        element.setAttribute('src', src);
        element.setAttribute('view', 'story');
        document.querySelector('main').append(element);
        const frame = document.createElement('iframe');
        Object.assign(frame, { id: 'media-frame', title: 'TimelineJS media types', height: 700, src: frameSrc });
        document.querySelector('main').append(frame);
      }, { src, frameSrc: `${app.url}/index.html?embed=1&src=${encodeURIComponent(src)}` });
      const words = page.locator('#media .title-slide a', { hasText: 'click to jump to Wikipedia Images' });
      await words.waitFor({ timeout: 20_000 });
      assert.equal(await words.getAttribute('href'), null, 'no link out of the widget into the host\'s address');
      await words.click();
      assert.equal(await page.evaluate(() => location.hash), '', 'the host\'s address is untouched');
      const frame = page.frameLocator('#media-frame');
      const link = frame.locator('.title-slide a', { hasText: 'click to jump to Wikipedia Images' });
      await link.waitFor({ timeout: 20_000 });
      assert.equal(await link.getAttribute('href'), '#e=wikipedia-images');
      await link.click();
      await frame.locator('.story .slide h2', { hasText: 'Wikimedia Images' }).waitFor();
      assert.equal(await page.evaluate(() => location.hash), '', 'the iframe moved, not its host');
      await opened.done();
    } finally {
      await host.close();
      await app.close();
    }
  });

  test('eras are spans, not events: the masthead, the title slide and the slides count alike', async () => {
    const { page, done } = await open('eras.json');
    const file = JSON.parse(readFileSync(join(TEMPLATES, 'eras.json'), 'utf8'));
    const [events, eras] = [file.events.length, file.eras.length];
    assert.equal((await page.locator('.masthead .summary').textContent()).trim(), `${events} events · ${eras} eras`);
    assert.match(await page.locator('.title-slide .note').textContent(), new RegExp(`^${events} events, 600–720$`), 'the events, and the years they span');
    assert.equal((await heard(page)).trim(), `Slide 1 of ${events + 1}: ${file.title.text.headline}`, 'the title slide and one slide per event');
    assert.equal((await page.locator('.story-where').textContent()).trim(), `1 / ${events + 1}`);
    // The list of the timeline lists the eras too, and counts them apart.
    await page.getByRole('button', { name: 'Timeline', exact: true }).click();
    await page.getByRole('button', { name: 'All', exact: true }).click();
    await page.locator('section.event-list h2', { hasText: `${events} events · ${eras} eras in view` }).waitFor({ timeout: 5_000 })
      .catch(async () => assert.fail(`the list says "${await page.locator('section.event-list h2').textContent()}"`));
    await done();
  });

  test('a selected era (a link to it) opens the story at the first slide that begins in it', async () => {
    const { page, done } = await open('eras.json');
    const file = JSON.parse(readFileSync(join(TEMPLATES, 'eras.json'), 'utf8'));
    const year = (e) => Number(e.start_date.year);
    const first = file.events.filter((e) => year(e) >= 650 && year(e) <= 700).sort((a, b) => year(a) - year(b))[0];
    await page.evaluate(() => { location.hash = '#view=story&e=era-0650-era-test-650-700'; });
    await page.locator('.story-stage h2', { hasText: first.text.headline }).waitFor({ timeout: 5_000 })
      .catch(async () => assert.fail(`the story shows "${await page.locator('.story-stage h2').first().textContent()}", not ${first.text.headline}`));
    await done();
  });

  test('on a phone the story opens under the view tabs, and moving between slides does not move the page', async () => {
    for (const name of ['eras.json', 'all-media-types.json']) {
      const { page, done } = await open(name, { viewport: { width: 360, height: 740 } });
      const tabsTop = () => page.locator('nav.tabs').evaluate((e) => Math.abs(Math.round(e.getBoundingClientRect().top)));
      await page.waitForFunction(() => Math.abs(document.querySelector('nav.tabs').getBoundingClientRect().top) <= 1);
      await page.waitForTimeout(300);
      assert.equal(await tabsTop(), 0, `${name}: the view tabs at the top, "Story" pressed`);
      assert.equal(await page.getByRole('button', { name: 'Story', exact: true }).getAttribute('aria-pressed'), 'true');
      if (name === 'eras.json') {
        // A short title slide: the story fills the screen under the tabs, the strip at its foot.
        // (all-media-types's title slide, with its picture, is taller than a phone's screen.)
        const strip = await page.locator('.strip-track').boundingBox();
        assert.ok(strip.y + strip.height <= 741, `${name}: the strip on the first screen: ${JSON.stringify(strip)}`);
      }
      const y = await page.evaluate(() => scrollY);
      await page.locator('.story-stage').focus();
      for (const key of ['ArrowRight', 'ArrowRight', 'ArrowLeft']) {
        await page.keyboard.press(key);
        await page.waitForTimeout(150);
        assert.equal(await page.evaluate(() => scrollY), y, `${name}: ${key} leaves the page where it is`);
      }
      assert.match(await heard(page), /^Slide 2 of /);
      await page.screenshot({ path: await screenshotPath(`story-tabs-360-${name}.png`) });
      await done();
    }
  });
});
