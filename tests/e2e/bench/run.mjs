// The browser benchmark (issue 3): 100,000 synthetic events in the Annals web app and, for
// comparison, in vis-timeline, in the same headless Chromium, one after the other, each in a fresh
// 1280×800 page.
//
// For each tool it measures:
// - time to first render: Annals sets `window.__annalsFirstPaint` (performance.now() when the
//   timeline first painted events); for vis-timeline, from before `new vis.Timeline(…)` until two
//   animation frames after it returns, and until `.vis-item` elements exist. Both are also given
//   from navigation start (fetching and parsing the events included), which is the like-for-like
//   comparison.
// - frame time during a scripted interaction: wheel zoom at the centre from all-time down to one
//   month or less (the same 120-unit wheel steps; both tools zoom by about 0.83 per step), then a
//   20-step drag pan. Per step: `t0 = performance.now()` in the page, dispatch the input, await two
//   requestAnimationFrames, take `performance.now() - t0` ("frame"). Two frames cannot take less
//   than one vsync interval, so the same measure with no input ("floor") is reported too, and
//   with an input nothing answers ("input floor": an input reaches the page with the next frame,
//   so about three vsyncs, ~47 ms headless; no input step can measure less). A second
//   measure ("work") is the main-thread time from the first input event reaching the page (a
//   capture listener on window) until the end of the frame that follows it (a message posted from
//   that frame's requestAnimationFrame callback runs after style, layout and paint).
//
// Runs, each opening on all time unless named "month": Annals at 100,000, 10,000 and 1,000 events;
// vis-timeline at 1,000, 10,000 and 100,000; and both at 100,000 opened directly on one month (the
// way vis-timeline's documentation recommends using it with many items), then panned. vis-timeline
// is capped by a timeout (BENCH_VIS_TIMEOUT_S, default 120 s); running out of time is a result and
// is reported as such.
//
// Run: `cargo xtask bench` (builds dist/ first), or with dist/ built, `node tests/e2e/bench/run.mjs`
// (BENCH_ONLY="Annals 1k,vis 1k" runs only the runs named; see `plan` below). BENCH_COMPARE compares
// the first render of builds in turns (see `compareFirstRender`), or with BENCH_WHAT=interaction
// their work per input step (see `compareInteraction`).
// Writes target/bench/web.json (and the generated log, target/bench/events-100000.ndjson).

import { createServer } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DIST, ROOT, launchBrowser, requireDist } from '../harness.mjs';
import { allTime, generate, toNdjson, toVisData } from './events.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const OUT = join(ROOT, 'target', 'bench');
const VIS_JS = join(ROOT, 'tests/e2e/node_modules/vis-timeline/standalone/umd/vis-timeline-graph2d.min.js');
const SIZES = [100_000, 10_000, 1_000];
/** The one-month window of the "month" runs (the middle of the generated span), for both tools. */
const MONTH = ['1988-06-01', '1988-06-29'];
const VIEWPORT = { width: 1280, height: 800 };
const DAY_MS = 86_400_000;
/** Zoom until the window is this many days or fewer ("one month"). */
const MONTH_DAYS = 31;
const MAX_ZOOM_STEPS = 60;
const WHEEL_DELTA = -120;
const PAN_STEPS = 20;
const PAN_STEP_PX = 25;
const FLOOR_SAMPLES = 15;
const GOALS = { firstRenderMs: 1000, frameP95Ms: 16 };
const VIS_TIMEOUT_MS = Number(process.env.BENCH_VIS_TIMEOUT_S ?? 120) * 1000;
const ANNALS_TIMEOUT_MS = 120_000;
/** One input step (dispatch plus measure) may take this long before the run is cut short. */
const STEP_TIMEOUT_MS = 60_000;

/**
 * The window of the page's address, in milliseconds: a function that waits for a gesture to
 * settle (the URL follows then, see `instruments`; never during a measured step) and reads it.
 */
export function windowReader(page) {
  return () =>
    page.evaluate(async () => {
      const bench = window.__bench;
      const frame = () => new Promise((ok) => requestAnimationFrame(ok));
      for (let i = 0; i < 120 && bench.t0 && bench.lastSettle < bench.t0; i += 1) await frame();
      await frame();
      const fragment = new URLSearchParams(location.hash.slice(1));
      const day = (s) => Date.parse(s.length === 4 ? `${s}-01-01` : s.length === 7 ? `${s}-01` : s);
      return { from: day(fragment.get('from')), to: day(fragment.get('to')) };
    });
}

/** The whole interaction of one run may take this long. */
const INTERACTION_BUDGET_MS = 150_000;

// ---------------------------------------------------------------------------------------------
// Serving: a snapshot of dist/ (so a concurrent rebuild cannot change it mid-run), the generated
// files, the vis page and the vis-timeline build, all from memory on 127.0.0.1.

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ndjson': 'application/x-ndjson; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.md': 'text/markdown; charset=utf-8',
};

function snapshot(dir, files = new Map(), root = dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) snapshot(path, files, root);
    else files.set(`/${relative(root, path).split(sep).join('/')}`, readFileSync(path));
  }
  return files;
}

async function serve(files) {
  const server = createServer((req, res) => {
    let path = new URL(req.url, 'http://x').pathname;
    if (path.endsWith('/')) path += 'index.html';
    const body = files.get(path);
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(path)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((ok) => (server.closeAllConnections(), server.close(() => ok()))),
  };
}

// ---------------------------------------------------------------------------------------------
// In-page instruments, installed before any page script runs.

export function instruments() {
  const bench = {
    armed: false,
    t0: 0,
    tIn: 0,
    work: null,
    arm() {
      this.armed = true;
      this.tIn = 0;
      this.work = null;
      this.t0 = performance.now();
    },
  };
  window.__bench = bench;
  const onInput = () => {
    if (!bench.armed || bench.tIn) return;
    bench.tIn = performance.now();
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        bench.work = performance.now() - bench.tIn;
      };
      channel.port2.postMessage(0);
    });
  };
  for (const type of ['wheel', 'pointermove', 'mousemove']) {
    addEventListener(type, onInput, { capture: true, passive: true });
  }
  // Annals: during a gesture only the canvas follows the input; the rest of the app (the list,
  // the date boxes, the URL) takes the new window once the input has rested, marked
  // `annals:settle`. That work is measured the same way as an input step's: from the mark
  // until the end of the frame that follows it.
  bench.settles = [];
  bench.lastSettle = 0;
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {
    const entry = mark(name, options);
    if (name === 'annals:settle') {
      const at = performance.now();
      bench.lastSettle = at;
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => bench.settles.push(performance.now() - at);
        channel.port2.postMessage(0);
      });
    }
    return entry;
  };
  // Annals: when the event list heading appears, and two frames after the first paint.
  const observer = new MutationObserver(() => {
    if (document.querySelector('section.event-list h2')) {
      window.__annalsListShown = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
  const watch = () => {
    if (window.__annalsFirstPaint === undefined) {
      requestAnimationFrame(watch);
      return;
    }
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        window.__annalsPaintPlusTwoFrames = performance.now();
      }),
    );
  };
  requestAnimationFrame(watch);
}

/** In the page: two frames after the armed input, the frame and work times. */
export function measure() {
  const frame = () => new Promise((ok) => requestAnimationFrame(ok));
  return frame()
    .then(frame)
    .then(async () => {
      const bench = window.__bench;
      const frameMs = performance.now() - bench.t0;
      for (let i = 0; i < 10 && bench.tIn && bench.work === null; i += 1) await frame();
      bench.armed = false;
      return { frame: frameMs, work: bench.work, input: bench.tIn > 0 };
    });
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/** `promise`, or a rejection naming `what` after `ms`. */
function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Nearest-rank percentile of numbers. */
function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function stats(samples, key) {
  const values = samples.map((s) => s[key]).filter((v) => typeof v === 'number');
  if (values.length === 0) return null;
  const round = (v) => Math.round(v * 10) / 10;
  return {
    n: values.length,
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    max: round(Math.max(...values)),
  };
}

const round = (v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v);

async function newPage(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT, timezoneId: 'UTC', locale: 'en-GB' });
  await context.addInitScript(instruments);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text().slice(0, 300)}`);
  });
  return { context, page, errors };
}

async function closeQuietly(context) {
  try {
    await within(20_000, 'closing the page', context.close());
  } catch (e) {
    console.log(`  (could not close the page: ${e.message})`);
  }
}

// ---------------------------------------------------------------------------------------------
// The scripted interaction, the same for both tools.

/**
 * Wheel-zooms at the centre of `selector` until the window (`readWindow()`, `{ from, to }` in
 * milliseconds) is a month or less, then drag-pans. Returns the samples and what happened.
 */
export async function interact(page, selector, readWindow) {
  const windowDays = async () => {
    const w = await readWindow();
    return (w.to - w.from) / DAY_MS;
  };
  const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
  const deadline = Date.now() + INTERACTION_BUDGET_MS;
  const box = await page.locator(selector).first().boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + Math.min(box.height / 2, 200);
  const out = { target: selector, at: [Math.round(x), Math.round(y)], floor: [], inputFloor: [], zoom: [], pan: [], windows: [] };
  // The floor with an input that nothing answers: a mouse move over the page's corner. An input
  // reaches the page with the next frame, so this floor is a frame longer than the plain one,
  // and it is what the frame measure of an input step can never go below.
  for (let i = 0; i < FLOOR_SAMPLES; i += 1) {
    await page.evaluate(() => window.__bench.arm());
    await page.mouse.move(2 + (i % 2), 2);
    out.inputFloor.push(await page.evaluate(measure));
  }
  await page.mouse.move(x, y);
  await page.evaluate(measure);

  const step = async (what, action) => {
    if (Date.now() > deadline) throw new Error(`the interaction budget of ${INTERACTION_BUDGET_MS / 1000} s ran out`);
    await within(STEP_TIMEOUT_MS, `${what}: arming`, page.evaluate(() => window.__bench.arm()));
    if (action) await within(STEP_TIMEOUT_MS, `${what}: input`, action());
    return within(STEP_TIMEOUT_MS, `${what}: frames`, page.evaluate(measure));
  };

  try {
    for (let i = 0; i < FLOOR_SAMPLES; i += 1) out.floor.push(await step('floor', null));
    out.windows.push(round(await windowDays()));
    let stuck = 0;
    while (out.windows.at(-1) > MONTH_DAYS && out.zoom.length < MAX_ZOOM_STEPS) {
      out.zoom.push(await step(`zoom step ${out.zoom.length + 1}`, () => page.mouse.wheel(0, WHEEL_DELTA)));
      out.windows.push(round(await within(STEP_TIMEOUT_MS, 'reading the window', windowDays())));
      stuck = out.windows.at(-1) >= out.windows.at(-2) ? stuck + 1 : 0;
      if (stuck >= 3) throw new Error(`the window stopped shrinking at ${out.windows.at(-1)} days`);
    }
    out.zoomedTo = out.windows.at(-1);
    if (out.zoomedTo > MONTH_DAYS) throw new Error(`${MAX_ZOOM_STEPS} wheel steps left the window at ${out.zoomedTo} days`);
    const beforePan = await within(STEP_TIMEOUT_MS, 'reading the window', readWindow());
    out.zoomedWindow = [isoDay(beforePan.from), isoDay(beforePan.to)];
    await page.mouse.down();
    for (let i = 1; i <= PAN_STEPS; i += 1) {
      out.pan.push(await step(`pan step ${i}`, () => page.mouse.move(x + i * PAN_STEP_PX, y)));
    }
    await page.mouse.up();
    const afterPan = await within(STEP_TIMEOUT_MS, 'reading the window', readWindow());
    out.pannedWindow = [isoDay(afterPan.from), isoDay(afterPan.to)];
    out.pannedDays = round((beforePan.from - afterPan.from) / DAY_MS);
    out.completed = true;
  } catch (e) {
    out.completed = false;
    out.stopped = e.message;
  }
  out.stats = {
    floor: stats(out.floor, 'frame'),
    inputFloor: stats(out.inputFloor, 'frame'),
    frame: stats([...out.zoom, ...out.pan], 'frame'),
    work: stats([...out.zoom, ...out.pan], 'work'),
    zoomFrame: stats(out.zoom, 'frame'),
    zoomWork: stats(out.zoom, 'work'),
    panFrame: stats(out.pan, 'frame'),
    panWork: stats(out.pan, 'work'),
  };
  const settles = await page.evaluate(() => window.__bench.settles ?? []);
  out.stats.settle = stats(settles.map((ms) => ({ ms })), 'ms');
  out.settles = settles.map(round);
  out.inputsSeen = [...out.zoom, ...out.pan].filter((s) => s.input).length;
  for (const key of ['floor', 'inputFloor', 'zoom', 'pan']) out[key] = out[key].map((s) => ({ frame: round(s.frame), work: round(s.work) }));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Profiling (BENCH_PROFILE=1): a sampled CPU profile of the Annals interaction through the
// page's DevTools protocol session, written as target/bench/<run>.cpuprofile (it opens in the
// Performance panel of Chromium's DevTools) and summed by function into the report. Wasm
// functions have names only in a bundle built with them (wasm-opt strips them; build with
// `data-wasm-opt="0"` for a profile). The sampler costs time itself: a profiled run's frame
// and work figures are not the benchmark's.

const PROFILE = Boolean(process.env.BENCH_PROFILE);

async function startProfile(page) {
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 200 });
  await session.send('Profiler.start');
  return session;
}

/** Self time by function (and by category: wasm, JavaScript, the browser's own work). */
async function stopProfile(session, name) {
  const { profile } = await session.send('Profiler.stop');
  await writeFile(join(OUT, `${name}.cpuprofile`), JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const node = byId.get(profile.samples[i]);
    const ms = (deltas[i + 1] ?? 0) / 1000;
    const f = node.callFrame;
    const where = f.url ? f.url.split('/').pop() : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + ms);
    if (f.functionName !== '(idle)' && f.functionName !== '(program)') total += ms;
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
  console.log(`  profile ${name} (${Math.round(total)} ms busy, top self times):`);
  for (const [key, ms] of top) console.log(`    ${ms.toFixed(1).padStart(8)} ms  ${key}`);
  await session.detach();
  return { busyMs: round(total), top: top.map(([key, ms]) => ({ function: key, selfMs: round(ms) })) };
}

/**
 * BENCH_TRACE=1: a Chromium trace of the Annals interaction (target/bench/<run>.trace.json),
 * with the renderer main thread's time summed by what it was doing (script, style, layout,
 * paint…), which the sampled profile lumps together as "(program)".
 */
const TRACE = Boolean(process.env.BENCH_TRACE);
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing'];

async function summarizeTrace(buffer, name) {
  await writeFile(join(OUT, `${name}.trace.json`), buffer);
  const { traceEvents } = JSON.parse(buffer.toString());
  const main = traceEvents.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const events = traceEvents.filter((e) => e.ph === 'X' && main && e.pid === main.pid && e.tid === main.tid);
  // Self time of each complete event: its duration minus that of its direct children.
  events.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const stack = [];
  for (const e of events) {
    while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent, (self.get(parent) ?? parent.dur) - e.dur);
    if (!self.has(e)) self.set(e, e.dur);
    stack.push(e);
  }
  const byName = new Map();
  for (const [e, us] of self) byName.set(e.name, (byName.get(e.name) ?? 0) + Math.max(0, us) / 1000);
  const top = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20);
  console.log(`  trace ${name} (renderer main thread, self time by event):`);
  for (const [event, ms] of top) console.log(`    ${ms.toFixed(1).padStart(8)} ms  ${event}`);
  return top.map(([event, ms]) => ({ event, selfMs: round(ms) }));
}

// ---------------------------------------------------------------------------------------------
// The two tools.

async function runAnnals(browser, base, n, opening, { interaction = true } = {}) {
  const { context, page, errors } = await newPage(browser);
  const result = { tool: 'Annals', events: n, opensOn: opening ? opening : 'all time' };
  try {
    const started = Date.now();
    const fragment = opening ? `#from=${opening[0]}&to=${opening[1]}` : '';
    await page.goto(`${base}/?src=${encodeURIComponent(`/bench/events-${n}.ndjson`)}${fragment}`);
    const failed = page.locator('main .status.error');
    await Promise.race([
      page.waitForFunction(() => window.__annalsFirstPaint !== undefined, null, { timeout: ANNALS_TIMEOUT_MS, polling: 50 }),
      failed.waitFor({ timeout: ANNALS_TIMEOUT_MS }).then(async () => {
        throw new Error(`the app did not load the record: ${await failed.textContent()}`);
      }),
    ]);
    await page.waitForFunction(() => window.__annalsPaintPlusTwoFrames && window.__annalsListShown, null, {
      timeout: ANNALS_TIMEOUT_MS,
    });
    result.wallMs = Date.now() - started;
    Object.assign(
      result,
      await page.evaluate((file) => {
        const entry = performance.getEntriesByType('resource').find((r) => r.name.includes(file));
        const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'));
        return {
          firstRenderMs: window.__annalsFirstPaint,
          firstRenderPlusTwoFramesMs: window.__annalsPaintPlusTwoFrames,
          listShownMs: window.__annalsListShown,
          listHeading: document.querySelector('section.event-list h2')?.textContent,
          listItems: document.querySelectorAll('section.event-list li').length,
          domElements: document.getElementsByTagName('*').length,
          fileRequestedMs: entry?.startTime,
          fileFetchedMs: entry?.responseEnd,
          fileBytes: entry?.encodedBodySize,
          wasmFetchedMs: wasm?.responseEnd,
          // The app's own marks (record.rs): fetched, decoded and validated, folded.
          marks: Object.fromEntries(
            performance
              .getEntriesByType('mark')
              .filter((m) => m.name.startsWith('annals:'))
              .map((m) => [m.name.slice('annals:'.length), Math.round(m.startTime * 10) / 10]),
          ),
        };
      }, `events-${n}.ndjson`),
    );
    result.afterFetchToFirstRenderMs = result.firstRenderMs - result.fileFetchedMs;
    // The URL follows once a gesture has settled (see `instruments`): wait for that (never
    // during a measured step), then read it.
    const readWindow = windowReader(page);
    if (!interaction) throw new Done();
    const name = `annals-${n}${opening ? '-month' : ''}`;
    const profiler = PROFILE ? await startProfile(page) : null;
    if (TRACE) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    result.interaction = await interact(page, 'canvas.timeline-canvas', readWindow);
    if (TRACE) result.trace = await summarizeTrace(await browser.stopTracing(), name);
    result.interaction.finalFragment = await page.evaluate(() => location.hash);
    if (profiler) result.profile = await stopProfile(profiler, name);
  } catch (e) {
    if (!(e instanceof Done)) result.error = e.message;
  }
  result.errors = errors;
  await closeQuietly(context);
  return result;
}

/** Ends a run early, without an error (a first-render-only run). */
class Done extends Error {}

async function runVis(browser, base, n, opening) {
  const { context, page, errors } = await newPage(browser);
  const result = { tool: 'vis-timeline', events: n, opensOn: opening ? opening : 'all time', timeoutMs: VIS_TIMEOUT_MS };
  const started = Date.now();
  try {
    const window = opening ? `&from=${opening[0]}&to=${opening[1]}` : '';
    await page.goto(`${base}/bench/vis.html?n=${n}${window}`);
    try {
      // Playwright's own timeout is not reliable while the renderer's main thread is blocked for
      // minutes, so the run also races a timer of its own.
      const ready = page.waitForFunction(() => window.__visReady === true, null, { timeout: VIS_TIMEOUT_MS, polling: 100 });
      ready.catch(() => {});
      await within(VIS_TIMEOUT_MS + 1_000, 'vis-timeline first render', ready);
    } catch {
      result.timedOut = true;
      result.wallMs = Date.now() - started;
      const marks = await within(5_000, 'reading marks', page.evaluate(() => window.__visMarks)).catch(() => null);
      result.marks = marks;
      throw new Error(
        `vis-timeline did not finish its first render within ${VIS_TIMEOUT_MS / 1000} s` +
          (marks ? ` (constructor ${marks.constructed ? 'returned' : 'still running'})` : ' (the page did not answer: its main thread is busy)'),
      );
    }
    result.wallMs = Date.now() - started;
    const m = await page.evaluate(() => window.__visMarks);
    result.marks = m;
    Object.assign(result, {
      firstRenderMs: m.twoFrames - m.constructStart,
      constructorMs: m.constructed - m.constructStart,
      itemsShownMs: m.itemsShown - m.constructStart,
      itemElements: m.itemElements,
      firstRenderFromNavigationMs: m.twoFrames,
      fileFetchedMs: m.fetched,
      dataSetMs: m.dataSet - m.fetched,
      domElements: await page.evaluate(() => document.getElementsByTagName('*').length),
    });
    const readWindow = () =>
      page.evaluate(() => {
        const w = window.__visTimeline.getWindow();
        return { from: w.start.getTime(), to: w.end.getTime() };
      });
    result.interaction = await interact(page, '.vis-panel.vis-center', readWindow);
  } catch (e) {
    result.error = e.message;
  }
  result.errors = errors;
  await closeQuietly(context);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report.

const fmt = (v, digits = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? Math.round((a / b) * 10) / 10 : null);

function summary(r) {
  const s = r.interaction?.stats ?? {};
  return {
    firstRenderMs: round(r.firstRenderMs),
    firstRenderFromNavigationMs: round(r.tool === 'Annals' ? r.firstRenderPlusTwoFramesMs : r.firstRenderFromNavigationMs),
    frameP50Ms: s.frame?.p50 ?? null,
    frameP95Ms: s.frame?.p95 ?? null,
    frameMaxMs: s.frame?.max ?? null,
    workP50Ms: s.work?.p50 ?? null,
    workP95Ms: s.work?.p95 ?? null,
    workMaxMs: s.work?.max ?? null,
    floorP50Ms: s.floor?.p50 ?? null,
    inputFloorP50Ms: s.inputFloor?.p50 ?? null,
    zoomWorkP50Ms: s.zoomWork?.p50 ?? null,
    zoomWorkP95Ms: s.zoomWork?.p95 ?? null,
    panWorkP50Ms: s.panWork?.p50 ?? null,
    panWorkP95Ms: s.panWork?.p95 ?? null,
    settleP50Ms: s.settle?.p50 ?? null,
    settleP95Ms: s.settle?.p95 ?? null,
    steps: s.frame?.n ?? 0,
    timedOutAfterMs: r.timedOut ? r.timeoutMs : null,
    completed: r.interaction?.completed ?? false,
    note: r.error ?? r.interaction?.stopped ?? null,
  };
}

function printTable(rows) {
  const columns = [
    ['first', 'firstRenderMs'],
    ['nav+2f', 'firstRenderFromNavigationMs'],
    ['fr p50', 'frameP50Ms'],
    ['fr p95', 'frameP95Ms'],
    ['fr max', 'frameMaxMs'],
    ['wk p50', 'workP50Ms'],
    ['wk p95', 'workP95Ms'],
    ['wk max', 'workMaxMs'],
    ['floor', 'floorP50Ms'],
    ['in flr', 'inputFloorP50Ms'],
    ['zoom p95', 'zoomWorkP95Ms'],
    ['pan p95', 'panWorkP95Ms'],
    ['settle', 'settleP50Ms'],
    ['steps', 'steps'],
  ];
  const names = Object.keys(rows);
  const first = Math.max(...names.map((n) => n.length)) + 2;
  console.log(`\n${'run'.padEnd(first)}${columns.map(([label]) => label.padStart(9)).join('')}`);
  for (const name of names) {
    const cells = columns.map(([, key]) => {
      const v = rows[name][key];
      return (typeof v === 'number' ? fmt(v, key === 'steps' ? 0 : 1) : '—').padStart(9);
    });
    console.log(`${name.padEnd(first)}${cells.join('')}`);
  }
  console.log(
    'first: time to first render, ms (Annals: __annalsFirstPaint; vis: new vis.Timeline() until two frames later)\n' +
      'nav+2f: two frames after the first render, from navigation start (fetch and parse included), ms\n' +
      'fr: frame time per input step (input → two rAF), ms; wk: main-thread work per step (input event → end of its frame), ms\n' +
      'floor: the frame measure with no input (p50), ms; in flr: with an input nothing answers (p50), ms: the least an input step\'s frame can measure\n' +
      'zoom/pan p95: work p95 of the zoom and of the pan steps, ms\n' +
      'settle: Annals only, work when the app takes a gesture\'s window once the input rests (p50), ms; steps: measured zoom + pan steps',
  );
  for (const name of names) if (rows[name].note) console.log(`  ${name}: ${rows[name].note}`);
}

// ---------------------------------------------------------------------------------------------

/** The steps of an Annals first render, ms from navigation. */
function steps(r) {
  const m = r.marks ?? {};
  return [
    ['wasm fetched', r.wasmFetchedMs],
    ['file requested', r.fileRequestedMs],
    ['file fetched', r.fileFetchedMs],
    ['bytes read', m.fetched],
    ['decoded+validated', m.loaded],
    ['folded', m.folded],
    ['first paint', r.firstRenderMs],
  ];
}

/** An Annals first render taken apart: each step from navigation and (+) from the one before. */
function breakdown(r) {
  let last = 0;
  return steps(r)
    .filter(([, t]) => typeof t === 'number')
    .map(([what, t]) => {
      const part = `${what} ${fmt(t)} (+${fmt(t - last)})`;
      last = t;
      return part;
    })
    .join(', ');
}

/**
 * What both comparisons start from: the builds named in `spec` ("label=dir,…"), the rounds
 * (BENCH_ROUNDS, else `defaultRounds`), one server per build serving it and the 100,000-event
 * file from memory, the browser, the load average, and an empty list of runs per build.
 */
async function compareSetup(spec, defaultRounds) {
  const builds = spec.split(',').map((item) => {
    const at = item.indexOf('=');
    return { label: item.slice(0, at).trim(), dir: resolve(ROOT, item.slice(at + 1).trim()) };
  });
  const rounds = Number(process.env.BENCH_ROUNDS ?? defaultRounds);
  const n = SIZES[0];
  const ndjson = Buffer.from(toNdjson(generate(n)));
  const servers = [];
  for (const build of builds) {
    const files = snapshot(build.dir);
    files.set(`/bench/events-${n}.ndjson`, ndjson);
    files.set('/favicon.ico', Buffer.alloc(0));
    servers.push(await serve(files));
  }
  const loadAtStart = loadavg().map(round);
  const browser = await launchBrowser();
  console.log(`${builds.map((b) => `${b.label} = ${b.dir}`).join('; ')}\n${rounds} rounds; load average ${loadAtStart.join(' ')}`);
  const runs = Object.fromEntries(builds.map((b) => [b.label, []]));
  return { builds, rounds, n, servers, loadAtStart, browser, runs };
}

/**
 * BENCH_COMPARE="before=/path/to/dist,after=dist": the first render of 100,000 events only,
 * for each build named, in turns (BENCH_ROUNDS rounds, default 5), so that the machine's load
 * weighs on all of them alike; then the median of each step per build. Each build is served
 * from its own origin, from memory. Writes target/bench/first-render.json.
 */
async function compareFirstRender(spec) {
  const { builds, rounds, n, servers, loadAtStart, browser, runs } = await compareSetup(spec, 5);
  try {
    for (let round_ = 1; round_ <= rounds; round_ += 1) {
      // Alternate the order too, so neither build always runs right after the other.
      const order = builds.map((b, i) => [b, servers[i]]);
      if (round_ % 2 === 0) order.reverse();
      for (const [build, server] of order) {
        const r = await runAnnals(browser, server.url, n, undefined, { interaction: false });
        runs[build.label].push(r);
        console.log(`round ${round_} ${build.label}: ${r.error ?? breakdown(r)}; load ${loadavg()[0].toFixed(1)}`);
      }
    }
  } finally {
    await within(30_000, 'closing the browser', browser.close()).catch(() => {});
    for (const server of servers) await server.close();
  }
  const median = (values) => {
    const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
    return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
  };
  console.log('\nmedians, ms from navigation (and + from the step before):');
  const summary = {};
  for (const build of builds) {
    const rs = runs[build.label].filter((r) => !r.error);
    const row = {};
    let last = 0;
    for (const [what] of steps({})) {
      const t = median(rs.map((r) => Object.fromEntries(steps(r))[what]));
      row[what] = { at: round(t), step: round(t - last) };
      if (typeof t === 'number') last = t;
    }
    summary[build.label] = { runs: rs.length, firstPaint: rs.map((r) => round(r.firstRenderMs)), median: row };
    console.log(`  ${build.label} (${rs.length} runs; first paint ${summary[build.label].firstPaint.join(', ')}):`);
    console.log(`    ${Object.entries(row).map(([what, v]) => `${what} ${fmt(v.at)} (+${fmt(v.step)})`).join(', ')}`);
  }
  const report = { date: new Date().toISOString(), events: n, rounds, loadAverage: { atStart: loadAtStart, atEnd: loadavg().map(round) }, builds, summary, runs };
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, 'first-render.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${relative(ROOT, join(OUT, 'first-render.json'))}; load average at the end ${report.loadAverage.atEnd.join(' ')}`);
}

/**
 * BENCH_COMPARE with BENCH_WHAT=interaction: the scripted interaction of "Annals 100k" (zoom from
 * all time to a month, then the pan) for each build named, in turns (BENCH_ROUNDS rounds,
 * default 3; the order alternates), so that the machine's load weighs on all of them alike.
 * Reports, per build, the median and p95 of the work per input step over the steps of all its
 * rounds (zoom and pan apart), each round's zoom p95, and the load average before and after.
 * Writes target/bench/interaction.json.
 */
async function compareInteraction(spec) {
  const { builds, rounds, n, servers, loadAtStart, browser, runs } = await compareSetup(spec, 3);
  const f1 = (v) => fmt(v, 1);
  const median = (values) => {
    const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
    return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
  };
  try {
    for (let round_ = 1; round_ <= rounds; round_ += 1) {
      const order = builds.map((b, i) => [b, servers[i]]);
      if (round_ % 2 === 0) order.reverse();
      for (const [build, server] of order) {
        const r = await runAnnals(browser, server.url, n, undefined);
        const i = r.interaction;
        runs[build.label].push({ load: loadavg().map(round), error: r.error, stopped: i?.stopped, zoom: i?.zoom ?? [], pan: i?.pan ?? [], stats: i?.stats });
        console.log(
          `round ${round_} ${build.label}: ${r.error ?? ''}${i ? `zoom work p50 ${f1(i.stats.zoomWork?.p50)} p95 ${f1(i.stats.zoomWork?.p95)} (${i.zoom.length} steps), pan work p50 ${f1(i.stats.panWork?.p50)} p95 ${f1(i.stats.panWork?.p95)}` : ''}` +
            `${i?.stopped ? `; stopped: ${i.stopped}` : ''}; load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`,
        );
      }
    }
  } finally {
    await within(30_000, 'closing the browser', browser.close()).catch(() => {});
    for (const server of servers) await server.close();
  }
  const summary = {};
  console.log('\nwork per input step, ms, over the steps of all rounds:');
  for (const build of builds) {
    const rs = runs[build.label];
    const zoom = stats(rs.flatMap((r) => r.zoom), 'work');
    const pan = stats(rs.flatMap((r) => r.pan), 'work');
    const zoomP95ByRound = rs.map((r) => r.stats?.zoomWork?.p95 ?? null);
    // Each zoom step's median over the rounds: the steps are the same windows in every round
    // and build (the same wheel steps from all time), so a step whose cost stands out — where
    // single events first replace clusters, or labels first appear — is seen by its number.
    const zoomByStep = Array.from({ length: Math.max(0, ...rs.map((r) => r.zoom.length)) }, (_, i) =>
      round(median(rs.map((r) => r.zoom[i]?.work))),
    );
    summary[build.label] = { zoom, pan, zoomP95ByRound, zoomByStep };
    console.log(
      `  ${build.label}: zoom p50 ${f1(zoom?.p50)} p95 ${f1(zoom?.p95)} (n ${zoom?.n}); pan p50 ${f1(pan?.p50)} p95 ${f1(pan?.p95)} (n ${pan?.n}); zoom p95 by round ${zoomP95ByRound.map((v) => f1(v)).join(', ')}`,
    );
  }
  console.log('\nzoom work per step (median over the rounds), ms:');
  console.log(`  step ${builds.map((b) => b.label.padStart(9)).join('')}`);
  const steps_ = Math.max(...builds.map((b) => summary[b.label].zoomByStep.length));
  for (let i = 0; i < steps_; i += 1) {
    console.log(`  ${String(i + 1).padStart(4)} ${builds.map((b) => f1(summary[b.label].zoomByStep[i]).padStart(9)).join('')}`);
  }
  const report = { date: new Date().toISOString(), events: n, rounds, loadAverage: { atStart: loadAtStart, atEnd: loadavg().map(round) }, builds, summary, runs };
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, 'interaction.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${relative(ROOT, join(OUT, 'interaction.json'))}; load average at the end ${report.loadAverage.atEnd.join(' ')}`);
}

async function main() {
  if (process.env.BENCH_COMPARE && process.env.BENCH_WHAT === 'interaction') return compareInteraction(process.env.BENCH_COMPARE);
  if (process.env.BENCH_COMPARE) return compareFirstRender(process.env.BENCH_COMPARE);
  requireDist();
  const begun = Date.now();
  const loadAtStart = loadavg().map(round);
  await mkdir(OUT, { recursive: true });
  const files = snapshot(DIST);
  files.set('/bench/vis.html', readFileSync(join(HERE, 'vis.html')));
  files.set('/favicon.ico', Buffer.alloc(0));
  files.set('/vis/vis-timeline-graph2d.min.js', readFileSync(VIS_JS));
  console.log('generating events…');
  for (const n of SIZES) {
    const events = generate(n);
    const ndjson = Buffer.from(toNdjson(events));
    files.set(`/bench/events-${n}.ndjson`, ndjson);
    files.set(`/bench/items-${n}.json`, Buffer.from(JSON.stringify({ ...toVisData(events), window: allTime(events) })));
    if (n === SIZES[0]) await writeFile(join(OUT, `events-${n}.ndjson`), ndjson);
    console.log(`  ${n} events: ${(ndjson.length / 1e6).toFixed(1)} MB of NDJSON`);
  }
  const server = await serve(files);
  let browser = await launchBrowser();
  const chromium = browser.version();
  console.log(
    `serving on ${server.url}; Chromium ${chromium}; ${availableParallelism()} CPU(s); load average ${loadAtStart.join(' ')}`,
  );

  const plan = [
    ['Annals 100k', () => runAnnals(browser, server.url, 100_000)],
    ['Annals 10k', () => runAnnals(browser, server.url, 10_000)],
    ['Annals 1k', () => runAnnals(browser, server.url, 1_000)],
    ['Annals 100k month', () => runAnnals(browser, server.url, 100_000, MONTH)],
    ['vis 1k', () => runVis(browser, server.url, 1_000)],
    ['vis 100k month', () => runVis(browser, server.url, 100_000, MONTH)],
    ['vis 10k', () => runVis(browser, server.url, 10_000)],
    ['vis 100k', () => runVis(browser, server.url, 100_000)],
  ];
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const runs = {};
  try {
    for (const [name, run] of plan.filter(([name]) => !only || only.includes(name))) {
      console.log(`\n==> ${name}`);
      const clock = Date.now();
      runs[name] = await run();
      const r = runs[name];
      console.log(`  took ${((Date.now() - clock) / 1000).toFixed(1)} s${r.error ? `; ${r.error}` : ''}`);
      if (r.interaction) {
        const i = r.interaction;
        console.log(
          `  zoom: ${i.zoom.length} wheel steps, window ${i.windows[0]} → ${i.zoomedTo} days; pan: ${i.pan.length} steps` +
            `${i.stopped ? `; stopped: ${i.stopped}` : ''}`,
        );
      }
      if (r.tool === 'Annals' && r.firstRenderMs !== undefined) console.log(`  first render, ms from navigation: ${breakdown(r)}`);
      for (const e of r.errors ?? []) console.log(`  ${e}`);
      if (r.timedOut) {
        // The renderer may still be busy; a fresh browser keeps it from touching what follows.
        await within(30_000, 'closing the browser', browser.close()).catch(() => {});
        browser = await launchBrowser();
      }
    }
  } finally {
    await within(30_000, 'closing the browser', browser.close()).catch(() => {});
    await server.close();
  }

  const rows = Object.fromEntries(Object.entries(runs).map(([name, r]) => [name, summary(r)]));
  const ratios = {};
  for (const n of ['100k', '10k', '1k', '100k month']) {
    const a = rows[`Annals ${n}`];
    const v = rows[`vis ${n}`];
    if (!a || !v) continue;
    if (v.timedOutAfterMs) {
      // No first render to divide: the ratio is at least the timeout over Annals' time.
      ratios[n] = {
        'first render (vis ÷ Annals)': `more than ${ratio(v.timedOutAfterMs, a.firstRenderMs)} (vis did not render within ${v.timedOutAfterMs / 1000} s)`,
      };
      continue;
    }
    ratios[n] = {
      'first render (vis constructor+2 frames ÷ Annals first paint)': ratio(v.firstRenderMs, a.firstRenderMs),
      'first render from navigation (vis ÷ Annals)': ratio(v.firstRenderFromNavigationMs, a.firstRenderFromNavigationMs),
      'frame p50 (vis ÷ Annals)': ratio(v.frameP50Ms, a.frameP50Ms),
      'frame p95 (vis ÷ Annals)': ratio(v.frameP95Ms, a.frameP95Ms),
      'work p50 (vis ÷ Annals)': ratio(v.workP50Ms, a.workP50Ms),
      'work p95 (vis ÷ Annals)': ratio(v.workP95Ms, a.workP95Ms),
    };
  }
  const a100 = rows['Annals 100k'];
  const goals = {
    ...GOALS,
    firstRenderMet: typeof a100?.firstRenderMs === 'number' && a100.firstRenderMs < GOALS.firstRenderMs,
    frameP95Met: typeof a100?.frameP95Ms === 'number' && a100.frameP95Ms < GOALS.frameP95Ms,
    workP95Met: typeof a100?.workP95Ms === 'number' && a100.workP95Ms < GOALS.frameP95Ms,
  };

  printTable(rows);
  console.log('\nratios (vis-timeline ÷ Annals; above 1 means Annals is faster):');
  for (const [n, r] of Object.entries(ratios)) {
    for (const [what, v] of Object.entries(r)) console.log(`  ${n}  ${what}: ${v ?? '—'}`);
  }
  console.log(
    `\ngoals for Annals at 100,000 events: first render < ${GOALS.firstRenderMs} ms: ${goals.firstRenderMet ? 'met' : 'NOT met'}; ` +
      `frame p95 < ${GOALS.frameP95Ms} ms: ${goals.frameP95Met ? 'met' : 'NOT met'} ` +
      `(work p95 < ${GOALS.frameP95Ms} ms: ${goals.workP95Met ? 'met' : 'NOT met'})`,
  );

  const report = {
    benchmark: 'web: first render and frame times, Annals vs vis-timeline (issue 3)',
    date: new Date().toISOString(),
    chromium,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model,
    loadAverage: { atStart: loadAtStart, atEnd: loadavg().map(round) },
    viewport: VIEWPORT,
    method: {
      firstRender: {
        Annals: 'window.__annalsFirstPaint (performance.now() when the timeline first painted events, from navigation start)',
        visTimeline: 'performance.now() two requestAnimationFrames after `new vis.Timeline(...)` returned, minus just before it',
        fromNavigation: 'Annals: two frames after its first paint; vis-timeline: two frames after construction; both performance.now() from navigation start (fetch and parse included)',
      },
      frame: 'per input step: t0 = performance.now() in the page, dispatch the input, await two requestAnimationFrames, performance.now() - t0',
      work: 'per input step: from the first input event reaching the page (capture listener on window) until a message posted from the next requestAnimationFrame callback runs (after style, layout and paint of that frame)',
      floor: 'the frame measure with no input',
      zoom: `wheel deltaY ${WHEEL_DELTA} at the centre of the timeline until the window is ≤ ${MONTH_DAYS} days`,
      pan: `${PAN_STEPS} mouse moves of ${PAN_STEP_PX} px with the button down`,
    },
    goals,
    summary: rows,
    ratios,
    runs,
    totalSeconds: Math.round((Date.now() - begun) / 1000),
  };
  await writeFile(join(OUT, 'web.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${relative(ROOT, join(OUT, 'web.json'))} (${report.totalSeconds} s in all)`);
}

// Run when started, not when `served.mjs` imports the interaction from here.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`bench: ${e.stack ?? e}`);
    process.exit(1);
  });
}
