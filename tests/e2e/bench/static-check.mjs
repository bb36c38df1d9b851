// Checks that a static file of 1,000,000 events (the served benchmark's NDJSON) opens in the
// app by URL, with a progress bar while it downloads: serves dist/ with the file beside it,
// samples the progress bar, and reports the first paint. Run after `served.mjs` has written
// target/bench/served/events-1000000.ndjson: `node tests/e2e/bench/static-check.mjs`.
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

import { DIST, ROOT, launchBrowser, screenshotPath, serveDir } from '../harness.mjs';

const FILE = join(ROOT, 'target', 'bench', 'served', 'events-1000000.ndjson');
const SITE = join(ROOT, 'target', 'static1m');
mkdirSync(SITE, { recursive: true });
cpSync(DIST, SITE, { recursive: true });
if (!existsSync(join(SITE, 'events.ndjson'))) symlinkSync(FILE, join(SITE, 'events.ndjson'));
const site = await serveDir(SITE);
const browser = await launchBrowser();
const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
const seen = [];
await page.goto(`${site.url}/?src=events.ndjson`);
let shot = false;
for (let i = 0; i < 1200; i += 1) {
  const state = await page.evaluate(() => {
    const p = document.querySelector('p.status progress');
    return { progress: p ? [Number(p.value), Number(p.max)] : null, painted: window.__annalsFirstPaint };
  });
  if (state.progress) seen.push(state.progress[0] / state.progress[1]);
  if (state.progress && !shot && state.progress[0] / state.progress[1] > 0.3) {
    await page.screenshot({ path: await screenshotPath('static-1m-progress-1280.png') });
    shot = true;
  }
  if (state.painted !== undefined) {
    console.log(JSON.stringify({ firstPaintMs: Math.round(state.painted), progressSamples: seen.length, progressSeen: seen.map((v) => Math.round(v * 100)) }));
    break;
  }
  await page.waitForTimeout(100);
}
await page.screenshot({ path: await screenshotPath('static-1m-opened-1280.png') });
await browser.close();
await site.close();
