// The served benchmark (issue 14): a stream under `annals serve` opened in the web app, at
// several sizes, in headless Chromium at 1280×800, two ways in the same run and against the
// same server: the whole-log loading (the app reads the stream's events page by page and folds
// them; forced with `?window_above=` a size above the stream's) and the reading by the window
// (the app opens from the level-of-detail counts of all time, `lod`, and fetches only the
// events of the window on screen, `window`; forced with `?window_above=0`, see
// `frontend/src/remote.rs`). Beside them, what `lod` and `window` answer the same page.
//
// For each size it builds (once, kept under target/bench/served/) a SQLite store of the
// synthetic events of `events.mjs`, starts `annals serve` on it with the built app, and
// measures, for each way, in a fresh page:
// - `window.__annalsFirstPaint` (performance.now() at the timeline's first paint), the app's
//   `annals:*` marks, the API requests made and their bytes until then;
// - the scripted interaction of `run.mjs` (wheel zoom from all time down to a month, then a
//   20-step drag pan): the main-thread work per input step (p50/p95, from the input reaching
//   the page to the end of the frame after it) and the API requests the gesture made;
// - bounded reads, from the whole-log page after it painted: `lod?width=1280` over all time
//   and `window` of one month (limit 1000), each fetched and parsed six times: the first
//   (written by the server) and the median of the other five (sent as the server kept them).
// The server (`--fold-at-start`) is asked for `lod` once before the pages open, which waits
// for its fold of the stream (reported as `foldedAfterMs`). The server's peak resident memory
// (VmHWM) is read at the end of each size.
//
// Run with dist/ built (`cargo xtask bench` builds it) and the binary built:
// `node tests/e2e/bench/served.mjs` (ANNALS_BIN, default target/release/annals;
// BENCH_SERVED_SIZES, default 10000,100000,1000000; BENCH_SERVED_INTERACT=0 skips the
// interaction). Writes target/bench/served.json.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { DIST, ROOT, launchBrowser, requireDist } from '../harness.mjs';
import { generate, toNdjson } from './events.mjs';
import { instruments, interact, windowReader } from './run.mjs';

const OUT = join(ROOT, 'target', 'bench');
const STORES = join(OUT, 'served');
const BIN = process.env.ANNALS_BIN ?? join(ROOT, 'target', 'release', 'annals');
const SIZES = (process.env.BENCH_SERVED_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const VIEWPORT = { width: 1280, height: 800 };
const OPEN_TIMEOUT_MS = 600_000;
const STREAM = 'bench';
const INTERACT = process.env.BENCH_SERVED_INTERACT !== '0';
/** The two ways of opening a stream, by the page's `window_above`. */
const WAYS = [
  ['wholeLog', 1e15],
  ['windowed', 0],
];

/** The store of `n` events, built once. */
function store(n) {
  const db = join(STORES, `events-${n}.db`);
  if (existsSync(db)) return db;
  const file = join(STORES, `events-${n}.ndjson`);
  if (!existsSync(file)) writeFileSync(file, toNdjson(generate(n)));
  const started = Date.now();
  const run = spawnSync(BIN, ['import', '--db', db, '--stream', STREAM, file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`annals import ${file}: ${run.stderr}`);
  console.log(`store of ${n} events built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return db;
}

/** `annals serve` on `db` with the built app; resolves to `{ child, base }`. */
function serve(db) {
  const child = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--db', db, '--dist', DIST, '--no-seed', '--fold-at-start'], {
    env: { ...process.env, NO_COLOR: '1', RUST_LOG: 'warn,annals=info', ANNALS_TOKEN: 'bench' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      const at = line.indexOf('http://');
      if (at >= 0) ok({ child, base: line.slice(at).split(/\s/)[0].replace(/\/$/, '') });
    });
    child.on('exit', (code) => fail(new Error(`annals serve exited (${code})`)));
  });
}

function vmHwm(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM'));
    return line ? line.split(':')[1].trim() : '?';
  } catch {
    return '?';
  }
}


/** Opens the stream in a fresh page one way (`above`: the page's `window_above`). */
async function open(browser, base, above, bounded) {
  const context = await browser.newContext({ viewport: VIEWPORT, timezoneId: 'UTC', locale: 'en-GB' });
  await context.addInitScript(instruments);
  const out = {};
  try {
    const page = await context.newPage();
    const api = { requests: 0, bytes: 0, lod: 0, window: 0 };
    page.on('requestfinished', async (request) => {
      const url = request.url();
      if (!url.includes('/api/')) return;
      api.requests += 1;
      if (url.includes('/lod?')) api.lod += 1;
      if (url.includes('/window?')) api.window += 1;
      api.bytes += (await request.sizes()).responseBodySize;
    });
    const started = Date.now();
    await page.goto(`${base}/?stream=${STREAM}&window_above=${above}`);
    await page.waitForFunction(() => window.__annalsFirstPaint !== undefined, null, {
      timeout: OPEN_TIMEOUT_MS,
      polling: 100,
    });
    out.wallMs = Date.now() - started;
    out.firstPaintMs = await page.evaluate(() => Math.round(window.__annalsFirstPaint));
    out.marks = await page.evaluate(() =>
      Object.fromEntries(
        performance
          .getEntriesByType('mark')
          .filter((m) => m.name.startsWith('annals:'))
          .map((m) => [m.name.slice('annals:'.length), Math.round(m.startTime)]),
      ),
    );
    out.apiRequests = api.requests;
    out.apiBytes = api.bytes;
    if (INTERACT) {
      // Let what the first paint asked for arrive, then count what the gesture asks for.
      await page.waitForTimeout(1000);
      const before = { ...api };
      const run = await interact(page, 'canvas.timeline-canvas', windowReader(page));
      out.interaction = {
        completed: run.completed,
        stopped: run.stopped,
        steps: run.zoom.length + run.pan.length,
        zoomedTo: run.zoomedWindow,
        pannedDays: run.pannedDays,
        work: run.stats.work,
        zoomWork: run.stats.zoomWork,
        panWork: run.stats.panWork,
        settle: run.stats.settle,
        inputFloor: run.stats.inputFloor,
        apiRequests: api.requests - before.requests,
        windowPages: api.window - before.window,
        lodAnswers: api.lod - before.lod,
        apiBytes: api.bytes - before.bytes,
      };
    }
    if (bounded) out.bounded = await page.evaluate(async (stream) => {
      // The first answer is written by the server; the next ones are sent as it kept them.
      const timed = async (path) => {
        const times = [];
        let bytes = 0;
        for (let i = 0; i < 6; i += 1) {
          const t0 = performance.now();
          const response = await fetch(`/api/streams/${stream}/${path}`);
          if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
          const text = await response.text();
          JSON.parse(text);
          times.push(performance.now() - t0);
          bytes = text.length;
        }
        const round = (v) => Math.round(v * 10) / 10;
        const again = times.slice(1).sort((a, b) => a - b);
        return { firstMs: round(times[0]), medianMs: round(again[2]), bytes };
      };
      return {
        lod: await timed('lod?width=1280'),
        window: await timed('window?from=1988-06&to=1988-06&limit=1000'),
      };
    }, STREAM);
  } catch (e) {
    out.error = e.message;
  }
  await context.close();
  return out;
}

async function run(browser, n) {
  const db = store(n);
  const { child, base } = await serve(db);
  const result = { events: n, load: loadavg().map((v) => Math.round(v * 100) / 100) };
  // The service folds the stream at start (`--fold-at-start`, as a large store is served):
  // the first `lod` waits for that fold, and both ways are measured after it.
  const t0 = Date.now();
  const folded = await fetch(`${base}/api/streams/${STREAM}/lod?width=1280`);
  if (!folded.ok) throw new Error(`lod: HTTP ${folded.status}`);
  result.foldedAfterMs = Date.now() - t0;
  for (const [way, above] of WAYS) {
    result[way] = await open(browser, base, above, way === 'wholeLog');
    console.log(`  ${n} ${way}: ${JSON.stringify(result[way])}`);
  }
  result.serverVmHwm = vmHwm(child.pid);
  child.kill('SIGTERM');
  return result;
}

async function main() {
  requireDist();
  if (!existsSync(BIN)) throw new Error(`${BIN} does not exist: build it (cargo build --release -p annals-server)`);
  await mkdir(STORES, { recursive: true });
  const browser = await launchBrowser();
  const results = [];
  try {
    for (const n of SIZES) {
      const r = await run(browser, n);
      results.push(r);
      console.log(JSON.stringify(r));
    }
  } finally {
    await browser.close();
  }
  const cell = (v, w) => String(v ?? '—').padStart(w);
  console.log('\nevents     way        first paint   API req/bytes to paint   step work p50/p95   pan p95   zoom p95   gesture req   server VmHWM');
  for (const r of results) {
    for (const [way] of WAYS) {
      const o = r[way] ?? {};
      const i = o.interaction ?? {};
      console.log(
        `${String(r.events).padEnd(10)} ${way.padEnd(10)} ${cell(o.firstPaintMs ?? o.error, 8)} ms ${cell(o.apiRequests, 8)} / ${cell(o.apiBytes, 11)}   ` +
          `${cell(i.work?.p50, 6)}/${cell(i.work?.p95, 6)} ms ${cell(i.panWork?.p95, 6)} ms ${cell(i.zoomWork?.p95, 6)} ms ${cell(i.apiRequests, 8)}      ${r.serverVmHwm}`,
      );
    }
  }
  writeFileSync(join(OUT, 'served.json'), JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
