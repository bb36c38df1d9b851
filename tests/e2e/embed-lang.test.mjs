// The embed's `lang` option: actors are named in the reader's language where the record has
// their names in it (the default record has Russian, Belarusian and Azerbaijani names), and
// in English otherwise. Built dist/ in headless Chromium.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { DIST, launchBrowser, requireDist, serveDir } from './harness.mjs';

let server;
let browser;

before(async () => {
  requireDist();
  server = await serveDir(DIST);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The host named in the details of the 2024 state visit, in an embed with this `lang`. */
async function hostIn(lang) {
  const page = await browser.newPage();
  const query = lang ? `&lang=${lang}` : '';
  await page.goto(`${server.url}/?embed=1${query}&event=2024-05-16-state-visit`);
  const details = page.locator('section#details h2');
  await details.waitFor({ timeout: 15_000 });
  const text = await page.locator('section#details dl').textContent();
  const lang_attr = await page.evaluate(() => document.documentElement.lang || document.querySelector('.annals.embed')?.lang);
  await page.close();
  return { text, lang_attr };
}

test('lang=ru names the host in Russian, lang=az in Azerbaijani, lang=fr falls back to English', async () => {
  const ru = await hostIn('ru');
  assert.match(ru.text, /Азербайджан/, ru.text);
  assert.equal(ru.lang_attr, 'ru');
  const az = await hostIn('az');
  assert.match(az.text, /Azərbaycan/, az.text);
  const fr = await hostIn('fr');
  assert.match(fr.text, /Azerbaijan/, fr.text);
  const none = await hostIn(null);
  assert.match(none.text, /Azerbaijan/, none.text);
  assert.doesNotMatch(none.text, /Азербайджан/);
});
