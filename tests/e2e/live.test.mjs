// The web app served by the real `annals serve`: it reads the stream through the API and shows
// an event appended over HTTP without a reload (Server-Sent Events).
//
// Needs dist/ and the `annals` binary (target/debug or target/release; `cargo xtask test`
// builds both before this runs).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

import { DIST, ROOT, launchBrowser, requireDist } from './harness.mjs';

const BINARY = ['debug', 'release'].map((p) => join(ROOT, 'target', p, 'annals')).find((p) => existsSync(p));

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

let server;
let base;
let token;
let browser;

before(async () => {
  requireDist();
  assert.ok(BINARY, 'no annals binary in target/debug or target/release; run `cargo xtask test` or `cargo build -p annals-server`');
  const dir = mkdtempSync(join(tmpdir(), 'annals-live-'));
  const port = await freePort();
  token = 'live-test-token';
  base = `http://127.0.0.1:${port}`;
  server = spawn(BINARY, ['serve', '--addr', `127.0.0.1:${port}`, '--db', join(dir, 'annals.db'), '--dist', DIST, '--token', token], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  server.stdout.on('data', (d) => (log += d));
  server.stderr.on('data', (d) => (log += d));
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
    if (i === 99) throw new Error(`annals serve did not start:\n${log}`);
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

test('a new event appears without a reload', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/`);
  await page.waitForSelector('h1 .live', { timeout: 20000 });
  assert.match(await page.textContent('h1'), /^Azerbaijan–Belarus relations/);
  const count = async () => Number((await page.textContent('.event-list h2')).match(/\d+/)[0]);
  const before = await count();
  const record = {
    id: 'live-test-call',
    type: 'Call',
    payload: {
      occurred: '2025-11-20',
      title: 'A call appended while the page is open',
      actors: [{ actor: 'aliyev' }, { actor: 'lukashenko' }],
      sources: [{ publisher: 'Test', title: 'End-to-end test' }],
    },
  };
  const res = await fetch(`${base}/api/streams/azerbaijan-belarus/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(record),
  });
  assert.equal(res.status, 201, await res.text());
  await page.waitForSelector('li[data-id="live-test-call"]', { timeout: 10000 });
  assert.equal(await count(), before + 1);
  // A second append arrives too (the page folds into the current record, not a stale one).
  record.id = 'live-test-call-2';
  record.payload.title = 'A second live call';
  const res2 = await fetch(`${base}/api/streams/azerbaijan-belarus/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(record),
  });
  assert.equal(res2.status, 201);
  await page.waitForSelector('li[data-id="live-test-call-2"]', { timeout: 10000 });
  assert.equal(await count(), before + 2);
  assert.deepEqual(errors, []);
});
