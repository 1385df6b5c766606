// Pictor's OpenAI-compatible routes driven by the official `openai` npm package (pinned in
// tools/package.json), against real `pictor serve` processes on loopback ports:
//   - images.generate with n = 2 in both response formats, decoded to PNGs of the asked size;
//   - bad input (size "1024", "abcxdef", "0x0", n 0 and 11, response_format "jpeg") surfacing as
//     the SDK's BadRequestError with Pictor's message, the server staying up;
//   - models.list / models.retrieve, and an alias from the configuration;
//   - Pictor's own `openai:` model adapter pointed at a second `pictor serve`: one Pictor
//     fronting another;
//   - with API keys: a wrong key as AuthenticationError, a missing scope as
//     PermissionDeniedError, a rate limit and a spent budget as RateLimitError.
// Run by ctest (integration_openai_sdk_test) with PICTOR_BIN and PICTOR_SOURCE_DIR set.
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
const { OpenAI } = require('openai');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-openai-sdk-'));
const servers = [];

// The environment of a child: nothing that could send its traffic elsewhere (proxies) or change
// its model (PICTOR_*, OPENAI_*, AWS_* of the caller's shell).
function childEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(PICTOR_|OPENAI_|AWS_|KEY_PREFIX|CANDIDATE_PREFIX|SQS_QUEUE_URL)/.test(k)) continue;
    if (/_proxy$/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

// Starts `pictor serve` on a free loopback port in a folder of its own; resolves once the port
// file is written.
async function startServe(name, args, env = {}) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  const portFile = path.join(dir, 'port');
  const log = fs.openSync(path.join(dir, 'serve.log'), 'w');
  const proc = spawn(
    bin,
    ['serve', '--listen', '127.0.0.1:0', '--port-file', portFile, '--workers', '0',
     '--store', `file:${path.join(dir, 'images')}`, '--queue', `sqlite:${path.join(dir, 'queue.db')}`,
     ...args],
    { env: childEnv(env), stdio: ['ignore', log, log] });
  const server = { name, dir, proc, exited: null };
  proc.on('exit', (code, signal) => { server.exited = { code, signal }; });
  servers.push(server);
  for (let waited = 0; waited < 60000; waited += 50) {
    if (server.exited) break;
    if (fs.existsSync(portFile)) {
      const text = fs.readFileSync(portFile, 'utf8');
      if (text.endsWith('\n')) {
        server.port = Number(text.trim());
        server.url = `http://127.0.0.1:${server.port}`;
        return server;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pictor serve (${name}) did not start: ` +
                  fs.readFileSync(path.join(dir, 'serve.log'), 'utf8'));
}

function client(server) {
  // No key is checked yet (serve without --auth keys); the SDK insists on one.
  return new OpenAI({ apiKey: 'pk_unused', baseURL: `${server.url}/v1`, maxRetries: 0,
                      timeout: 120000 });
}

// Width and height from a PNG's IHDR, after checking the signature.
function pngSize(bytes) {
  assert.ok(bytes.length > 24, 'too short for a PNG');
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

// Every stored PNG under a server's store, by key.
function storedImages(server) {
  const root = path.join(server.dir, 'images');
  const found = [];
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.png')) found.push(path.relative(root, p));
    }
  };
  walk(root);
  return found.sort();
}

async function expectBadRequest(promise, param, messagePart) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof OpenAI.BadRequestError, `not a BadRequestError: ${err}`);
    assert.equal(err.status, 400);
    assert.equal(err.type, 'invalid_request_error');
    assert.equal(err.param ?? null, param);
    assert.ok(err.message.includes(messagePart), `"${err.message}" lacks "${messagePart}"`);
    return true;
  });
}

let back;   // serves the builtin model, with the alias dall-e-3
let front;  // serves the openai: model pointed at `back`

before(async () => {
  back = await startServe('back', ['--model', 'builtin', '--model-alias', 'dall-e-3=builtin',
                                   '--max-prompt-chars', '40']);
  // The openai: adapter asks for PICTOR_OPENAI_MODEL, by default dall-e-3: the back's alias.
  front = await startServe('front', ['--model', `openai:${back.url}`]);
});

after(() => {
  for (const s of servers) if (!s.exited) s.proc.kill('SIGTERM');
  fs.rmSync(work, { recursive: true, force: true });
});

describe('images.generate', () => {
  test('n=2 as URLs: two stored PNGs of the asked size', async () => {
    const before = storedImages(back).length;
    const answer = await client(back).images.generate(
      { prompt: 'a red fox in the snow', n: 2, size: '256x192' });
    assert.ok(Number.isInteger(answer.created));
    assert.equal(answer.data.length, 2);
    for (const image of answer.data) {
      assert.equal(typeof image.url, 'string');
      assert.ok(image.url.startsWith(`${back.url}/images/generated_images/builtin_`), image.url);
      const reply = await fetch(image.url);
      assert.equal(reply.status, 200);
      assert.deepEqual(pngSize(Buffer.from(await reply.arrayBuffer())), { width: 256, height: 192 });
    }
    assert.equal(storedImages(back).length, before + 2);
  });

  test('n=2 as b64_json: two PNGs of the asked size', async () => {
    const answer = await client(back).images.generate(
      { prompt: 'a lighthouse at dusk', n: 2, size: '320x240', response_format: 'b64_json' });
    assert.equal(answer.data.length, 2);
    const images = answer.data.map((d) => Buffer.from(d.b64_json, 'base64'));
    for (const png of images) assert.deepEqual(pngSize(png), { width: 320, height: 240 });
    assert.notDeepEqual(images[0], images[1], 'n images must be n different images');
  });

  test('an alias from the configuration names a configured model', async () => {
    const answer = await client(back).images.generate(
      { model: 'dall-e-3', prompt: 'a boat', size: '128x128', response_format: 'b64_json' });
    assert.deepEqual(pngSize(Buffer.from(answer.data[0].b64_json, 'base64')),
                     { width: 128, height: 128 });
  });
});

describe('bad input', () => {
  test('a body over the server\'s limit is a 413 in OpenAI\'s shape', async () => {
    await assert.rejects(client(back).images.generate({ prompt: 'x'.repeat(70 * 1024) }),
                         (err) => {
                           assert.ok(err instanceof OpenAI.APIError, `not an APIError: ${err}`);
                           assert.equal(err.status, 413);
                           assert.equal(err.code, 'payload_too_large');
                           assert.equal(err.type, 'invalid_request_error');
                           assert.ok(err.message.includes('request body exceeds'), err.message);
                           return true;
                         });
    // Pictor's own routes keep Pictor's shape.
    const reply = await fetch(`${back.url}/generate-image`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'x'.repeat(70 * 1024) }) });
    assert.equal(reply.status, 413);
    assert.equal((await reply.json()).error, 'payload_too_large');
  });


  test('each is a BadRequestError with Pictor\'s message; the server stays up', async () => {
    const c = client(back);
    const before = storedImages(back).length;
    await expectBadRequest(c.images.generate({ prompt: 'x', size: '1024' }), 'size',
                           "size '1024' is not WIDTHxHEIGHT in pixels");
    await expectBadRequest(c.images.generate({ prompt: 'x', size: 'abcxdef' }), 'size',
                           "size 'abcxdef' is not WIDTHxHEIGHT in pixels");
    await expectBadRequest(c.images.generate({ prompt: 'x', size: '0x0' }), 'size',
                           'size 0x0 is not allowed');
    await expectBadRequest(c.images.generate({ prompt: 'x', n: 0 }), 'n',
                           'n must be an integer between 1 and 10');
    await expectBadRequest(c.images.generate({ prompt: 'x', n: 11 }), 'n',
                           'n must be an integer between 1 and 10');
    await expectBadRequest(c.images.generate({ prompt: 'x', response_format: 'jpeg' }),
                           'response_format', "response_format 'jpeg' is not supported");
    assert.equal(storedImages(back).length, before, 'a refused request stored an image');
    assert.equal((await fetch(`${back.url}/healthz`)).status, 200);
  });

  test('an unknown model is a NotFoundError, and so is a spec the operator did not configure',
       async () => {
    for (const model of ['gpt-image-1', `openai:${front.url}`]) {
      await assert.rejects(client(back).images.generate({ model, prompt: 'x' }),
                           (err) => err instanceof OpenAI.NotFoundError && err.code === 'model_not_found');
    }
  });
});

describe('configuration', () => {
  test('serve refuses to start with a bad alias, naming it', async () => {
    const dir = path.join(work, 'bad-alias');
    fs.mkdirSync(dir, { recursive: true });
    const proc = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--workers', '0',
                             '--store', `file:${path.join(dir, 'images')}`,
                             '--queue', `sqlite:${path.join(dir, 'queue.db')}`,
                             '--model-alias', 'dall-e-3=nosuch:model'],
                       { env: childEnv({}), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (chunk) => { stderr += chunk; });
    const code = await new Promise((resolve) => proc.on('exit', resolve));
    assert.equal(code, 2, stderr);
    assert.ok(stderr.includes('--model-alias dall-e-3'), stderr);
  });
});

describe('models', () => {
  test('list and retrieve', async () => {
    const ids = [];
    for await (const m of client(back).models.list()) {
      assert.equal(m.object, 'model');
      ids.push(m.id);
    }
    assert.deepEqual(ids, ['builtin', 'dall-e-3']);
    assert.equal((await client(back).models.retrieve('dall-e-3')).id, 'dall-e-3');
    await assert.rejects(client(back).models.retrieve('nope'),
                         (err) => err instanceof OpenAI.NotFoundError);
    // The upstream URL of an openai: model is not published.
    const frontIds = [];
    for await (const m of client(front).models.list()) frontIds.push(m.id);
    assert.deepEqual(frontIds, ['openai']);
  });
});

describe('one Pictor fronting another', () => {
  test('the front\'s openai: model generates through the back', async () => {
    const backBefore = storedImages(back).length;
    const answer = await client(front).images.generate(
      { prompt: 'a castle on a hill', n: 2, size: '192x128', response_format: 'b64_json' });
    assert.equal(answer.data.length, 2);
    for (const d of answer.data) {
      assert.deepEqual(pngSize(Buffer.from(d.b64_json, 'base64')), { width: 192, height: 128 });
    }
    // Each image was made by the back (one request each, n=1) and stored by both.
    assert.equal(storedImages(back).length, backBefore + 2);
    const frontImages = storedImages(front);
    assert.equal(frontImages.length, 2);
    for (const key of frontImages) assert.match(key, /^generated_images\/openai_\d+_[0-9a-f-]+\.png$/);

    // Pictor's own route on the front goes the same way.
    const reply = await fetch(`${front.url}/generate-image`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'a tower', width: 128, height: 96 }) });
    assert.equal(reply.status, 200, await reply.clone().text());
    assert.equal((await reply.json()).model, 'openai');
    assert.equal(storedImages(back).length, backBefore + 3);
  });

  test('a refusal of the back reaches the front\'s client as a BadRequestError', async () => {
    // The front takes 512 characters, the back 40: the back's 400 (in OpenAI's shape) is read
    // by the front's openai: adapter and answered as the front's own 400, naming the back's code.
    const prompt = 'a very long prompt about a castle on a hill at dawn';
    await expectBadRequest(client(front).images.generate({ prompt }), null,
                           'openai (HTTP 400, prompt_too_long)');
    assert.equal(storedImages(front).length, 3);  // nothing new was stored
  });
});

// --- Authentication, rate limits and budgets -------------------------------------------------
// A third server with --auth keys and keys made by `pictor keys create` in its folder: a wrong
// key surfaces as the SDK's AuthenticationError (401), a key without the generate scope as its
// PermissionDeniedError (403), a rate limit and a spent budget as its RateLimitError (429, with
// Retry-After), all in OpenAI's error shape.

// Runs `pictor keys create` against `dir`'s queue (the keys live in its ledger) and returns the
// key it printed alone on standard output.
function createKey(dir, name, extra) {
  const out = execFileSync(
    bin, ['keys', 'create', '--name', name, '--queue', `sqlite:${path.join(dir, 'queue.db')}`,
          ...extra],
    { env: childEnv({}), stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const key = out.trim();
  assert.match(key, /^pk_[A-Za-z0-9_-]{43,}$/);
  return key;
}

async function expectRefusal(promise, ErrorClass, status, code) {
  let caught;
  await assert.rejects(promise, (err) => {
    caught = err;
    assert.ok(err instanceof ErrorClass, `not a ${ErrorClass.name}: ${err}`);
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    assert.ok(!/pk_[A-Za-z0-9_-]{20,}/.test(err.message), `a key in "${err.message}"`);
    return true;
  });
  return caught;
}

describe('with API keys', () => {
  let guarded;
  const keys = {};

  before(async () => {
    const dir = path.join(work, 'guarded');
    fs.mkdirSync(dir, { recursive: true });
    const config = path.join(dir, 'pictor.toml');
    fs.writeFileSync(config, '[prices]\nbuiltin = 1\n');  // 1 USD an image, for the budget
    keys.rated = createKey(dir, 'rated', ['--rate', '2/min']);
    keys.thrifty = createKey(dir, 'thrifty', ['--budget', '2usd/day']);
    keys.reader = createKey(dir, 'reader', ['--scope', 'read']);
    guarded = await startServe('guarded', ['--model', 'builtin', '--auth', 'keys',
                                           '--config', config]);
  });

  const as = (key) => new OpenAI({ apiKey: key, baseURL: `${guarded.url}/v1`, maxRetries: 0,
                                   timeout: 120000 });
  const small = { prompt: 'a lantern', size: '64x64', response_format: 'b64_json' };

  test('a wrong key is an AuthenticationError', async () => {
    await expectRefusal(as('pk_' + 'A'.repeat(43)).images.generate(small),
                        OpenAI.AuthenticationError, 401, 'invalid_api_key');
    await expectRefusal(as('not-a-key').models.list(), OpenAI.AuthenticationError, 401,
                        'invalid_api_key');
  });

  test('a key without the generate scope is a PermissionDeniedError, and may read', async () => {
    await expectRefusal(as(keys.reader).images.generate(small), OpenAI.PermissionDeniedError,
                        403, 'insufficient_scope');
    const models = await as(keys.reader).models.list();
    assert.ok(models.data.length >= 1);
  });

  test('the request beyond a key\'s rate is a RateLimitError with Retry-After', async () => {
    for (let i = 0; i < 2; i++) {
      const answer = await as(keys.rated).images.generate(small);
      assert.deepEqual(pngSize(Buffer.from(answer.data[0].b64_json, 'base64')),
                       { width: 64, height: 64 });
    }
    const err = await expectRefusal(as(keys.rated).images.generate(small),
                                    OpenAI.RateLimitError, 429, 'rate_limited');
    assert.equal(err.type, 'requests');
    assert.ok(Number(err.headers.get('retry-after')) >= 1);
    assert.equal(err.headers.get('ratelimit-limit'), '2');
    assert.equal(err.headers.get('ratelimit-remaining'), '0');
  });

  test('a spent budget is a RateLimitError before any image is made', async () => {
    const answer = await as(keys.thrifty).images.generate({ ...small, n: 2 });
    assert.equal(answer.data.length, 2);
    const before = storedImages(guarded).length;
    const err = await expectRefusal(as(keys.thrifty).images.generate(small),
                                    OpenAI.RateLimitError, 429, 'budget_exhausted');
    assert.equal(err.type, 'insufficient_quota');
    assert.ok(Number(err.headers.get('retry-after')) >= 1);
    assert.equal(storedImages(guarded).length, before);
  });
});
