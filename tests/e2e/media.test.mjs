// An event's medium in the details panel and on its story slide (frontend/src/media.rs): a
// picture that fails to load becomes a labelled placeholder; a video of a well-known host is a
// button, and nothing is asked of that host until the reader clicks it; then its player is a
// sandboxed frame; a page is a link.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { appSuite } from './harness.mjs';

const SOURCE = [{ publisher: 'Test fixture', title: 'Invented for the media tests' }];

async function openRecord(page, record) {
  await page.getByRole('button', { name: 'Open a file…' }).click();
  await page.locator('.opener input[type=file]').setInputFiles({ name: 'media.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(record)) });
  await page.waitForFunction((t) => document.querySelector('h1')?.textContent.trim().startsWith(t), record.title, { timeout: 20_000 });
}

describe('media', { timeout: 60_000 }, () => {
  const suite = appSuite();

  test('a broken picture is a labelled placeholder; a video loads its host only when asked, in a sandbox', async () => {
    const { page, done } = await suite.openPage('/');
    const thirdParty = [];
    // Nothing leaves the machine: requests to other hosts are noted and refused.
    await page.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => {
      thirdParty.push(route.request().url());
      return route.abort();
    });
    const event = (id, occurred, title, media) => ({ id, type: 'Other', payload: { occurred, title, sources: SOURCE, media } });
    const record = {
      annals: 1,
      stream: 'media-test',
      title: 'A record with media',
      events: [
        event('pic', '2001-01-01', 'A picture', { url: `${suite.url()}/no-such-picture.png`, alt: 'A hall', caption: 'The hall', credit: 'Photo: Nobody' }),
        event('vid', '2002-01-01', 'A video', { url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', title: 'The talks' }),
        event('doc', '2003-01-01', 'A page', { url: 'https://example.org/statement', title: 'The statement' }),
      ],
    };
    await openRecord(page, record);

    await page.locator('section.event-list li[data-id="pic"] button').click();
    const placeholder = page.locator('.medium-broken');
    await placeholder.waitFor({ timeout: 10_000 });
    assert.match(await placeholder.textContent(), /The picture could not be loaded: The hall/);
    assert.match(await page.locator('.medium figcaption').textContent(), /The hall.*Photo: Nobody/);

    await page.locator('section.event-list li[data-id="vid"] button').click();
    const play = page.getByRole('button', { name: /Play “The talks” from YouTube/ });
    await play.waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.medium iframe').count(), 0, 'no frame before the click');
    assert.deepEqual(thirdParty, [], 'nothing asked of another host before the click');
    await play.click();
    const frame = page.locator('.medium iframe');
    await frame.waitFor({ timeout: 10_000 });
    assert.equal(await frame.getAttribute('src'), 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ');
    assert.match(await frame.getAttribute('sandbox'), /allow-scripts/);
    assert.doesNotMatch(await frame.getAttribute('sandbox'), /allow-top-navigation|allow-popups/);

    await page.locator('section.event-list li[data-id="doc"] button').click();
    const link = page.locator('.medium a');
    await link.waitFor({ timeout: 10_000 });
    assert.equal(await link.getAttribute('href'), 'https://example.org/statement');
    assert.equal(await link.textContent(), 'The statement');
    await done();
  });
});
