// Helpers for the end-to-end tests: a tiny static file server for `dist/` and a headless
// Chromium (Debian's, driven by npm `playwright-core`; no downloaded browsers).

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, afterEach, before } from 'node:test';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root (two levels above this file). */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Where trunk writes the built web app (`ANNALS_DIST` points elsewhere, e.g. at another build). */
export const DIST = process.env.ANNALS_DIST ? resolve(process.env.ANNALS_DIST) : join(ROOT, 'dist');
/** Where the tests leave screenshots for people to look at. */
export const SCREENSHOTS = join(ROOT, 'target', 'screenshots');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ndjson': 'application/x-ndjson; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** Throws a message that says how to build the app when `dist/` is missing. */
export function requireDist() {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error(
      `${DIST}/index.html does not exist: build the web app first, with \`cargo xtask test\` ` +
        '(which builds it before the end-to-end tests) or with ' +
        '`PATH=tests/e2e/node_modules/.bin:$PATH trunk build --release --skip-version-check` at the workspace root.',
    );
  }
}

/**
 * Serves a directory on 127.0.0.1 on a free port. No SPA fallback: a missing file is a 404.
 * With `{ cors: true }` every file may be read from other origins (a widget's module script,
 * wasm and record files, as a static host that allows embedding would serve them).
 * Returns `{ url, close }`; `url` has no trailing slash.
 */
export async function serveDir(dir, { cors = false } = {}) {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad path');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    let stat;
    try {
      stat = statSync(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (!stat.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': stat.size,
      'cache-control': 'no-store',
      ...(cors ? { 'access-control-allow-origin': '*' } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

/** Launches Debian's Chromium headless with the flags that keep it off the network. */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * The scaffolding of a suite that drives the built app; call it inside `describe`. Before the
 * suite, `dist/` is served and Chromium launched; after each test, the browser contexts it left
 * open (a failed test leaves its own) are closed; after the suite, both are stopped.
 *
 * Returns `{ url, openPage }`: `url()` is the static server's address, and
 * `openPage(path, contextOptions)` opens `path` of the app in a new context and waits until the
 * record is shown (or fails with the app's error). It returns `{ page, context, errors, done }`;
 * `done()` asserts that the page logged no panic or error and closes the context.
 */
export function appSuite() {
  let server;
  let browser;
  const contexts = new Set();
  before(async () => {
    requireDist();
    server = await serveDir(DIST);
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const context of contexts) await context.close();
    contexts.clear();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  async function openPage(path = '/', contextOptions = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
    contexts.add(context);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /panicked|RuntimeError|unreachable/i.test(m.text())) {
        errors.push(`console: ${m.text()}`);
      }
    });
    await page.goto(server.url + path);
    const status = page.locator('main .status.error');
    await Promise.race([
      // The list, or (in story mode, which has none) the slide.
      page.locator('section.event-list h2, .story .slide').first().waitFor({ timeout: 15_000 }),
      status.waitFor({ timeout: 15_000 }).then(async () => {
        throw new Error(`the app failed to load the record: ${await status.textContent()}`);
      }),
    ]);
    const done = async () => {
      assert.deepEqual(errors, [], 'the page logged errors');
      contexts.delete(context);
      await context.close();
    };
    return { page, context, errors, done };
  }
  return { url: () => server.url, openPage };
}

/** Makes sure the screenshot directory exists and returns the path of a file in it. */
export async function screenshotPath(name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, name);
}

/**
 * Where on the page a solid mark of colour `[r, g, b]` is drawn on `canvas` (a locator): the
 * centre of the first spot whose neighbours 3 CSS px away have the colour too (a mark, not an
 * anti-aliased edge), in page coordinates; `null` when there is none. The canvas is scrolled
 * into view first.
 */
export async function markOnCanvas(canvas, [r, g, b]) {
  await canvas.scrollIntoViewIfNeeded();
  const spot = await canvas.evaluate((c, [r, g, b]) => {
    const { data, width, height } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const is = (x, y) => {
      const i = (y * width + x) * 4;
      return Math.abs(data[i] - r) <= 4 && Math.abs(data[i + 1] - g) <= 4 && Math.abs(data[i + 2] - b) <= 4;
    };
    const ratio = c.width / c.clientWidth;
    const k = Math.max(2, Math.round(3 * ratio));
    for (let y = k; y < height - k; y++)
      for (let x = k; x < width - k; x++)
        if (is(x, y) && is(x - k, y) && is(x + k, y) && is(x, y - k) && is(x, y + k)) return { x: x / ratio, y: y / ratio };
    return null;
  }, [r, g, b]);
  if (!spot) return null;
  const box = await canvas.boundingBox();
  return { x: box.x + spot.x, y: box.y + spot.y };
}

/** `#rrggbb` → `[r, g, b]`. */
export function rgb(hex) {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * Appends `records` (JSON values, as the service takes them) to `stream` of the service at
 * `base`, a thousand a request, and asserts that each request was taken (201).
 */
export async function appendRecords(base, stream, token, records) {
  for (let at = 0; at < records.length; at += 1000) {
    const answer = await fetch(`${base}/api/streams/${stream}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(records.slice(at, at + 1000)),
    });
    assert.equal(answer.status, 201, await answer.text());
  }
}

/**
 * Starts the real `annals serve` (target/debug or target/release) on a free port of 127.0.0.1,
 * with a fresh SQLite store in a temporary directory, serving `DIST`, and waits until `/healthz`
 * answers; `args` are added to its command line. Returns `{ base, stop }`; `base` has no trailing slash.
 */
export async function startServe(token, name = 'annals', args = []) {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync } = await import('node:fs');
  const { createServer: createNetServer } = await import('node:net');
  const { tmpdir } = await import('node:os');
  const binary = ['debug', 'release'].map((p) => join(ROOT, 'target', p, 'annals')).find((p) => existsSync(p));
  if (!binary) {
    throw new Error('no annals binary in target/debug or target/release; run `cargo xtask test` or `cargo build -p annals-server`');
  }
  const port = await new Promise((ok, fail) => {
    const s = createNetServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port: free } = s.address();
      s.close(() => ok(free));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(
    binary,
    ['serve', '--addr', `127.0.0.1:${port}`, '--db', join(dir, 'annals.db'), '--dist', DIST, '--token', token, ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  server.stdout.on('data', (d) => (log += d));
  server.stderr.on('data', (d) => (log += d));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (i === 99) {
      server.kill('SIGTERM');
      throw new Error(`annals serve did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, stop: () => server.kill('SIGTERM') };
}
