// The served benchmark (issue 14): a stream under `annals serve` opened in the web app, at
// several sizes, in headless Chromium at 1280×800 — how long today's whole-log loading (the app
// reads the stream's events page by page and folds them) takes to the first paint, against
// what the bounded read endpoints answer from the same server in the same page: the
// level-of-detail counts of the opening view (`lod`) and the events of a window on screen
// (`window`), which is all a view of a large stream needs.
//
// For each size it builds (once, kept under target/bench/served/) a SQLite store of the
// synthetic events of `events.mjs`, starts `annals serve` on it with the built app, and measures
// in a fresh page:
// - whole log: `window.__annalsFirstPaint` (performance.now() at the timeline's first paint),
//   the app's `annals:*` marks, the API requests made and their bytes;
// - bounded reads, from the same page after it painted: `lod?width=1280` over all time and
//   `window` of one month (limit 1000), each fetched and parsed six times: the first (written
//   by the server) and the median of the other five (sent as the server kept them).
// The server's peak resident memory (VmHWM) is read at the end of each size.
//
// Run with dist/ built (`cargo xtask bench` builds it) and the binary built:
// `node tests/e2e/bench/served.mjs` (ANNALS_BIN, default target/release/annals;
// BENCH_SERVED_SIZES, default 10000,100000,1000000). Writes target/bench/served.json.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { DIST, ROOT, launchBrowser, requireDist } from '../harness.mjs';
import { generate, toNdjson } from './events.mjs';

const OUT = join(ROOT, 'target', 'bench');
const STORES = join(OUT, 'served');
const BIN = process.env.ANNALS_BIN ?? join(ROOT, 'target', 'release', 'annals');
const SIZES = (process.env.BENCH_SERVED_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const VIEWPORT = { width: 1280, height: 800 };
const OPEN_TIMEOUT_MS = 600_000;
const STREAM = 'bench';

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
  const child = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--db', db, '--dist', DIST, '--no-seed'], {
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

async function run(browser, n) {
  const db = store(n);
  const { child, base } = await serve(db);
  const result = { events: n, load: loadavg().map((v) => Math.round(v * 100) / 100) };
  const context = await browser.newContext({ viewport: VIEWPORT, timezoneId: 'UTC', locale: 'en-GB' });
  try {
    const page = await context.newPage();
    const api = { requests: 0, bytes: 0 };
    page.on('requestfinished', async (request) => {
      if (!request.url().includes('/api/')) return;
      api.requests += 1;
      api.bytes += (await request.sizes()).responseBodySize;
    });
    const started = Date.now();
    await page.goto(`${base}/?stream=${STREAM}`);
    await page.waitForFunction(() => window.__annalsFirstPaint !== undefined, null, {
      timeout: OPEN_TIMEOUT_MS,
      polling: 100,
    });
    result.wholeLog = {
      wallMs: Date.now() - started,
      firstPaintMs: await page.evaluate(() => Math.round(window.__annalsFirstPaint)),
      marks: await page.evaluate(() =>
        Object.fromEntries(
          performance
            .getEntriesByType('mark')
            .filter((m) => m.name.startsWith('annals:'))
            .map((m) => [m.name.slice('annals:'.length), Math.round(m.startTime)]),
        ),
      ),
      apiRequests: api.requests,
      apiBytes: api.bytes,
    };
    result.bounded = await page.evaluate(async (stream) => {
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
    result.error = e.message;
  }
  await context.close();
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
  console.log('\nevents     whole log: first paint   API requests   API bytes   lod first/again   window first/again   server VmHWM');
  for (const r of results) {
    const w = r.wholeLog ?? {};
    const b = r.bounded ?? {};
    console.log(
      `${String(r.events).padEnd(10)} ${String(w.firstPaintMs ?? r.error).padStart(17)} ms ${String(w.apiRequests ?? '—').padStart(14)} ` +
        `${String(w.apiBytes ?? '—').padStart(11)} ${String(b.lod?.firstMs ?? '—').padStart(8)}/${b.lod?.medianMs ?? '—'} ms ` +
        `${String(b.window?.firstMs ?? '—').padStart(11)}/${b.window?.medianMs ?? '—'} ms   ${r.serverVmHwm}`,
    );
  }
  writeFileSync(join(OUT, 'served.json'), JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
