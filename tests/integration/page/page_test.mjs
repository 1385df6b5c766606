// The page `pictor serve` answers GET / with, in Debian's chromium driven by playwright-core
// (pinned in tools/package.json; it downloads nothing and launches /usr/bin/chromium), against
// real `pictor serve` processes on loopback ports:
//   - a prompt typed in the field labelled "Prompt" and the button "Generate" make an image that
//     appears at the top of the gallery, whose detail shows the job's seed;
//   - "Generate again" with that seed makes a byte-identical image; "Variations" the next seeds;
//   - a double click on Generate makes one job (the Idempotency-Key);
//   - a prompt of 513 characters shows the error and sends no request;
//   - a queued job (serve --workers 0) is cancelled from its detail;
//   - the keyboard alone opens and closes the detail (Escape), focus back on the card;
//   - 375 px wide: no horizontal scroll; the gallery pages as it scrolls; no console error;
//   - with --auth keys the page asks for a key and works once one is pasted.
// Screenshots of the main states go to PICTOR_SCREENSHOT_DIR (the build folder).
// Run by ctest (integration_page_test) with PICTOR_BIN and PICTOR_SOURCE_DIR set.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

const bin = process.env.PICTOR_BIN;
const sourceDir = process.env.PICTOR_SOURCE_DIR;
assert.ok(bin && sourceDir, 'PICTOR_BIN and PICTOR_SOURCE_DIR must be set (ctest sets them)');
const require = createRequire(path.join(sourceDir, 'tools', 'package.json'));
const { chromium } = require('playwright-core');
const chromiumPath = process.env.PICTOR_CHROMIUM || '/usr/bin/chromium';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-page-'));
const shots = process.env.PICTOR_SCREENSHOT_DIR || path.join(work, 'screenshots');
fs.mkdirSync(shots, { recursive: true });
const servers = [];
const contexts = [];

function childEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(PICTOR_|OPENAI_|AWS_|KEY_PREFIX|CANDIDATE_PREFIX|SQS_QUEUE_URL)/.test(k)) continue;
    if (/_proxy$/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

function queueArgs(dir) {
  return ['--store', `file:${path.join(dir, 'images')}`, '--queue', `sqlite:${path.join(dir, 'queue.db')}`];
}

// Starts `pictor serve` on a free loopback port in a folder of its own.
async function startServe(name, args) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  const portFile = path.join(dir, 'port');
  const log = fs.openSync(path.join(dir, 'serve.log'), 'w');
  const proc = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--port-file', portFile,
                           '--model', 'builtin', ...queueArgs(dir), ...args],
                     { env: childEnv(), stdio: ['ignore', log, log] });
  const server = { name, dir, proc, exited: null };
  proc.on('exit', (code, signal) => { server.exited = { code, signal }; });
  servers.push(server);
  for (let waited = 0; waited < 60000; waited += 50) {
    if (server.exited) break;
    if (fs.existsSync(portFile)) {
      const text = fs.readFileSync(portFile, 'utf8');
      if (text.endsWith('\n')) {
        server.url = `http://127.0.0.1:${Number(text.trim())}`;
        return server;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pictor serve (${name}) did not start: ` +
                  fs.readFileSync(path.join(dir, 'serve.log'), 'utf8'));
}

// A browser of its own: the system chromium, headless, a fresh profile, nothing fetched from
// anywhere but the server under test.
async function openBrowser(name) {
  const profile = fs.mkdtempSync(path.join(work, `profile-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  contexts.push(context);
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push({ text: m.text(), url: m.location().url });
  });
  page.on('pageerror', (e) => errors.push({ text: String(e), url: '' }));
  const requests = [];
  page.on('request', (r) => requests.push({ method: r.method(), url: r.url() }));
  return { context, page, errors, requests };
}

async function api(server, method, route, { key, body } = {}) {
  const headers = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(server.url + route, { method, headers, body: body && JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, json, text };
}

async function imageBytes(server, job, key) {
  const headers = key ? { Authorization: `Bearer ${key}` } : {};
  const r = await fetch(`${server.url}/images/${job.key}`, { headers });
  assert.equal(r.status, 200, `image of ${job.id}`);
  return Buffer.from(await r.arrayBuffer());
}

// Waits until the gallery's first card holds a loaded image; returns the card's job id.
async function firstImageLoaded(page) {
  const card = page.locator('#gallery > li').first();
  await card.locator('img').waitFor({ state: 'visible', timeout: 60000 });
  await page.waitForFunction(() => {
    const img = document.querySelector('#gallery > li:first-child img');
    return img && img.complete && img.naturalWidth > 0;
  }, null, { timeout: 60000 });
  return card.getAttribute('data-id');
}

// The console's errors: none may be there. The server serves the event stream, so the page has
// no 404 of it to poll around.
async function consoleErrors(server, errors) {
  const probe = await api(server, 'GET', '/jobs/none/events');
  assert.equal(probe.status, 404, 'GET /jobs/{id}/events must be served');
  assert.equal(probe.json?.error, 'job_not_found');
  return errors.map((e) => `${e.text} (${e.url})`);
}

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  for (const s of servers) if (!s.exited) s.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  fs.rmSync(work, { recursive: true, force: true });
});

describe('the page on an open server', () => {
  let server;
  let b;
  before(async () => {
    server = await startServe('open', ['--workers', '1']);
    b = await openBrowser('open');
    await b.page.goto(server.url + '/');
    await b.page.locator('#size option').first().waitFor({ state: 'attached' });
  });

  test('serves the page with its content type, CSP and ETag', async () => {
    const r = await fetch(server.url + '/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
    const etag = r.headers.get('etag');
    assert.ok(etag);
    const again = await fetch(server.url + '/', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    const js = await fetch(server.url + '/app.js');
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
  });

  test('a prompt and Generate make an image at the top of the gallery; its detail shows the seed', async () => {
    const { page } = b;
    await page.getByLabel('Prompt', { exact: true }).fill('a red lighthouse on a cliff at dusk');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    const id = await firstImageLoaded(page);
    const job = (await api(server, 'GET', `/jobs/${id}`)).json;
    assert.equal(job.status, 'succeeded');
    await page.screenshot({ path: path.join(shots, 'gallery.png') });

    await page.locator('#gallery > li').first().getByRole('button').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ state: 'visible' });
    await assert.doesNotReject(page.waitForFunction(() => {
      const img = document.getElementById('detail-image');
      return img.complete && img.naturalWidth > 0;
    }));
    assert.equal(await page.locator('#d-seed').textContent(), String(job.seed));
    assert.equal(await page.locator('#d-prompt').textContent(), 'a red lighthouse on a cliff at dusk');
    assert.equal(await page.locator('#d-size').textContent(), `${job.width} × ${job.height}`);
    await page.screenshot({ path: path.join(shots, 'detail.png') });
  });

  test('generate again with the same seed makes an identical image', async () => {
    const { page } = b;
    const firstId = await page.locator('#gallery > li').first().getAttribute('data-id');
    const first = (await api(server, 'GET', `/jobs/${firstId}`)).json;
    await page.getByRole('button', { name: 'Generate again' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await page.waitForFunction((old) => document.querySelector('#gallery > li')?.dataset.id !== old, firstId);
    const againId = await firstImageLoaded(page);
    assert.notEqual(againId, firstId);
    const again = (await api(server, 'GET', `/jobs/${againId}`)).json;
    assert.equal(again.seed, first.seed);
    assert.equal(again.prompt, first.prompt);
    assert.notEqual(again.key, first.key);
    assert.ok((await imageBytes(server, again)).equals(await imageBytes(server, first)),
              'the same prompt and seed made different bytes');
  });

  test('variations queue the same prompt with the next three seeds', async () => {
    const { page } = b;
    const firstId = await page.locator('#gallery > li').first().getAttribute('data-id');
    const first = (await api(server, 'GET', `/jobs/${firstId}`)).json;
    await page.locator('#gallery > li').first().getByRole('button').click();
    await page.getByRole('button', { name: 'Variations' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await page.waitForFunction(() => document.querySelectorAll('#gallery > li[data-status="succeeded"]').length >= 5,
                               null, { timeout: 60000 });
    const jobs = (await api(server, 'GET', '/jobs?limit=3')).json.jobs;
    assert.deepEqual(jobs.map((j) => j.seed).sort((x, y) => x - y),
                     [first.seed + 1, first.seed + 2, first.seed + 3]);
    assert.ok(jobs.every((j) => j.prompt === first.prompt));
  });

  test('a double click on Generate makes one job', async () => {
    const { page } = b;
    const before = (await api(server, 'GET', '/jobs?limit=200')).json.jobs.length;
    await page.getByLabel('Prompt', { exact: true }).fill('a blue kite over a beach');
    await page.getByRole('checkbox', { name: 'Random seed' }).uncheck();
    await page.getByLabel('Seed', { exact: true }).fill('4242');
    await page.getByRole('button', { name: 'Generate', exact: true }).dblclick();
    await firstImageLoaded(page);
    await page.waitForTimeout(500);
    const jobs = (await api(server, 'GET', '/jobs?limit=200')).json.jobs;
    assert.equal(jobs.length, before + 1);
    assert.equal(jobs[0].seed, 4242);
  });

  test('a prompt over the limit shows the error and sends nothing', async () => {
    const { page, requests } = b;
    const limit = (await api(server, 'GET', '/models')).json.prompt.max_chars;
    assert.equal(limit, 512);
    const sent = requests.length;
    await page.getByLabel('Prompt', { exact: true }).fill('a'.repeat(limit + 1));
    assert.match(await page.locator('#prompt-count').textContent(), /513 \/ 512/);
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    const error = page.getByRole('alert');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.textContent(), /513 characters long; this model takes at most 512/);
    await page.waitForTimeout(300);
    const posts = requests.slice(sent).filter((r) => r.method !== 'GET');
    assert.deepEqual(posts, [], 'a request left the page');
    await page.screenshot({ path: path.join(shots, 'prompt-too-long.png') });
    await page.getByLabel('Prompt', { exact: true }).fill('');
  });

  test('the keyboard alone opens the detail and Escape closes it', async () => {
    const { page } = b;
    const card = page.locator('#gallery > li').first().getByRole('button');
    await card.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'd-close');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement.closest('#gallery > li') !== null), true);
  });

  test('375 px wide: no horizontal scroll, in light and dark', async () => {
    const { page } = b;
    await page.setViewportSize({ width: 375, height: 812 });
    await page.reload();
    await firstImageLoaded(page);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 375);
    await page.screenshot({ path: path.join(shots, 'phone.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 375);
    await page.locator('#gallery > li').first().getByRole('button').click();
    await page.getByRole('dialog').waitFor({ state: 'visible' });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 375);
    await page.screenshot({ path: path.join(shots, 'phone-dark-detail.png') });
    await page.keyboard.press('Escape');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('the gallery pages through the history as the user scrolls', async () => {
    const { page } = b;
    for (let i = 0; i < 30; i++) {
      const r = await api(server, 'POST', '/jobs', { body: { prompt: `a small boat ${i}`, width: 64, height: 64 } });
      assert.equal(r.status, 202);
    }
    const total = (await api(server, 'GET', '/jobs?limit=200')).json.jobs.length;
    await page.setViewportSize({ width: 375, height: 700 });
    await page.reload();
    await page.locator('#gallery > li').first().waitFor();
    await page.waitForTimeout(300);
    const first = await page.locator('#gallery > li').count();
    assert.ok(first < total, `${first} of ${total} cards before any scroll`);
    for (let i = 0; i < 20 && await page.locator('#gallery > li').count() < total; i++) {
      await page.locator('#gallery-end').scrollIntoViewIfNeeded();
      await page.waitForTimeout(200);
    }
    assert.equal(await page.locator('#gallery > li').count(), total);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('no error in the console', async () => {
    assert.deepEqual(await consoleErrors(server, b.errors), []);
  });
});

describe('cancelling a queued job', () => {
  test('Cancel job in the detail of a queued job makes it cancelled', async () => {
    const server = await startServe('queued', ['--workers', '0']);
    const probe = await api(server, 'DELETE', '/jobs/00000000-0000-0000-0000-000000000000');
    assert.equal(probe.status, 404, 'DELETE /jobs/{id} must be served');
    const { page, errors } = await openBrowser('queued');
    await page.goto(server.url + '/');
    await page.locator('#size option').first().waitFor({ state: 'attached' });
    await page.getByLabel('Prompt', { exact: true }).fill('a queue that never moves');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    const card = page.locator('#gallery > li').first();
    await page.waitForFunction(() => document.querySelector('#gallery > li')?.dataset.status === 'queued');
    const id = await card.getAttribute('data-id');
    await card.getByRole('button').click();
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page.waitForFunction(() => document.getElementById('d-status').textContent === 'cancelled');
    assert.equal((await api(server, 'GET', `/jobs/${id}`)).json.status, 'cancelled');
    await page.screenshot({ path: path.join(shots, 'cancelled.png') });
    assert.equal(await page.getByRole('button', { name: 'Cancel job' }).isVisible(), false);
    assert.deepEqual(await consoleErrors(server, errors), []);
  });
});

describe('with --auth keys', () => {
  test('the page asks for a key and works once one is pasted', async () => {
    const dir = path.join(work, 'guarded');
    fs.mkdirSync(dir, { recursive: true });
    const key = execFileSync(bin, ['keys', 'create', '--name', 'page', ...queueArgs(dir)],
                             { env: childEnv(), encoding: 'utf8' }).trim();
    const server = await startServe('guarded', ['--workers', '1', '--auth', 'keys']);
    // The page itself is open; the API is not.
    assert.equal((await fetch(server.url + '/')).status, 200);
    assert.equal((await fetch(server.url + '/models')).status, 401);

    const { page, requests } = await openBrowser('guarded');
    await page.goto(server.url + '/');
    await page.getByRole('alert').waitFor({ state: 'visible' });
    assert.match(await page.getByRole('alert').textContent(), /API key/);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.locator('#size option').first().waitFor({ state: 'attached' });
    assert.equal(await page.getByRole('alert').isVisible(), false);
    await page.getByLabel('Prompt', { exact: true }).fill('a green door in a stone wall');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    const id = await firstImageLoaded(page);
    // Images too are fetched with the key, into blob: URLs.
    assert.match(await page.locator('#gallery > li img').first().getAttribute('src'), /^blob:/);
    const job = (await api(server, 'GET', `/jobs/${id}`, { key })).json;
    assert.equal(job.owner, 'page');
    assert.ok(requests.every((r) => r.url.startsWith(server.url) || r.url.startsWith('blob:')));
    await page.screenshot({ path: path.join(shots, 'with-key.png') });
  });
});
