// Starts the fauxqs SQS/S3/SNS emulator for tests on 127.0.0.1 only, on a free port, and prints
// "port N" once it accepts connections. Test infrastructure only; never shipped.
//
// fauxqs speaks the SQS JSON protocol only, while the AWS CLI v2 and botocore from Debian speak
// the SQS *query* protocol (form-encoded POST "Action=SendMessage&QueueUrl=...", XML replies).
// So fauxqs runs on a private loopback port behind a small front on the public one:
//  - a form-encoded POST whose Action is an SQS action is translated into the JSON call, sent to
//    fauxqs, and its JSON reply (or error) rewritten as the query protocol's XML;
//  - an S3 PutObject with "If-None-Match: *" is made conditional here (fauxqs 1.9.2 ignores the
//    header on PUT; see conditionalPut below);
//  - everything else (JSON SQS, S3, SNS's own form-encoded actions) passes through unchanged.
// The front forwards the client's Host header, so fauxqs builds queue URLs with the public port.
// Usage: node tests/peers/fauxqs.mjs   (fauxqs from tools/node_modules; FAUXQS_PORT to pin)
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

// fauxqs listens on every interface; the project's peers bind to loopback only.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args[0] && typeof args[0] === 'object' && args[0].host === '0.0.0.0') {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};

const here = path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(here, '..', '..', 'tools', 'node_modules', 'fauxqs', 'dist', 'app.js');
const { startFauxqs } = await import(pathToFileURL(entry).href);
// No `host` option: with one, fauxqs names queues "sqs.<region>.<host>:port"; without, queue URLs
// are http://<request Host>/000000000000/<name>, which is where the queue really is.
const inner = await startFauxqs({ port: 0, logger: process.env.FAUXQS_LOGGER === 'true' });
const agent = new http.Agent({ keepAlive: true });

const SQS_ACTIONS = new Set([
  'CreateQueue', 'GetQueueUrl', 'ListQueues', 'SendMessage', 'SendMessageBatch',
  'ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch', 'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch', 'GetQueueAttributes', 'SetQueueAttributes', 'PurgeQueue',
  'DeleteQueue', 'TagQueue', 'UntagQueue', 'ListQueueTags',
]);
// Replies with no <ActionResult> element.
const NO_RESULT = new Set(['DeleteMessage', 'ChangeMessageVisibility', 'SetQueueAttributes',
  'PurgeQueue', 'DeleteQueue', 'TagQueue', 'UntagQueue']);
const INTEGERS = new Set(['MaxNumberOfMessages', 'VisibilityTimeout', 'WaitTimeSeconds',
  'DelaySeconds', 'MaxResults']);
// Query-protocol flattened lists ("AttributeName.1") and maps ("Attribute.1.Name" /
// "Attribute.1.Value") and their JSON-protocol member names (the SQS API model's locationName).
const LISTS = {
  AttributeName: 'AttributeNames', MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames', TagKey: 'TagKeys',
  SendMessageBatchRequestEntry: 'Entries', DeleteMessageBatchRequestEntry: 'Entries',
  ChangeMessageVisibilityBatchRequestEntry: 'Entries',
};
const MAPS = {
  Attribute: ['Attributes', 'Name', 'Value'], Tag: ['tags', 'Key', 'Value'],
  MessageAttribute: ['MessageAttributes', 'Name', 'Value'],
  MessageSystemAttribute: ['MessageSystemAttributes', 'Name', 'Value'],
};

// "A.1.B=v" pairs → { A: { 1: { B: v } } }, then the JSON protocol's shapes.
function queryToJson(params) {
  const tree = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    let node = tree;
    for (const part of parts.slice(0, -1)) node = node[part] ??= {};
    node[parts.at(-1)] = value;
  }
  return shape(tree);
}

function shape(node) {
  const out = {};
  const convert = (v) => (typeof v === 'object' ? shape(v) : v);
  for (const [key, value] of Object.entries(node)) {
    const items = () => Object.keys(value).sort((a, b) => a - b).map((k) => value[k]);
    if (LISTS[key]) out[LISTS[key]] = items().map(convert);
    else if (MAPS[key]) {
      const [name, k, v] = MAPS[key];
      out[name] = Object.fromEntries(items().map((e) => [e[k], convert(e[v])]));
    } else if (INTEGERS.has(key)) out[key] = Number(value);
    else out[key] = convert(value);
  }
  return out;
}

const escapeXml = (s) => String(s).replace(/[&<>"'\r]/g, (c) => `&#${c.charCodeAt(0)};`);
const el = (name, inner) => `<${name}>${inner}</${name}>`;

// A JSON reply object → the query protocol's XML members (flattened lists and maps).
function toXml(action, j) {
  let out = '';
  for (const [key, value] of Object.entries(j ?? {})) {
    if (value === undefined || value === null) continue;
    if (key === 'Messages') out += value.map((m) => el('Message', toXml(action, m))).join('');
    else if (key === 'QueueUrls') out += value.map((u) => el('QueueUrl', escapeXml(u))).join('');
    else if (key === 'Successful') {
      out += value.map((e) => el(`${action}ResultEntry`, toXml(action, e))).join('');
    } else if (key === 'Failed') {
      out += value.map((e) => el('BatchResultErrorEntry', toXml(action, e))).join('');
    } else if (key === 'Attributes' || key === 'Tags' || key === 'MessageAttributes') {
      const tag = { Attributes: 'Attribute', Tags: 'Tag', MessageAttributes: 'MessageAttribute' }[key];
      const [k, v] = key === 'Tags' ? ['Key', 'Value'] : ['Name', 'Value'];
      out += Object.entries(value).map(([name, val]) => el(tag, el(k, escapeXml(name)) +
        el(v, typeof val === 'object' ? toXml(action, val) : escapeXml(val)))).join('');
    } else if (typeof value === 'object') out += el(key, toXml(action, value));
    else out += el(key, escapeXml(value));
  }
  return out;
}

const NS = 'http://queue.amazonaws.com/doc/2012-11-05/';

function successXml(action, j) {
  const result = NO_RESULT.has(action) ? '' : el(`${action}Result`, toXml(action, j));
  return `<?xml version="1.0"?><${action}Response xmlns="${NS}">${result}` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>` +
    `</${action}Response>`;
}

// fauxqs errors: {__type: "com.amazonaws.sqs#X", message} plus x-amzn-query-error
// "AWS.SimpleQueueService.NonExistentQueue;Sender", the code query clients know.
function errorXml(j, queryError) {
  const [code, type] = queryError ? queryError.split(';') :
    [String(j.__type ?? 'InternalError').split('#').pop(), 'Sender'];
  return `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>${escapeXml(type ?? 'Sender')}` +
    `</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(j.message ?? j.Message ?? '')}` +
    `</Message><Detail/></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

// One request to fauxqs; resolves with { status, headers, body: Buffer }.
function forward(req, headers, body) {
  return new Promise((resolve, reject) => {
    const out = http.request({ host: '127.0.0.1', port: inner.port, method: req.method,
      path: req.url, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
        body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}

async function translateSqs(req, action, params) {
  const headers = { host: req.headers.host, 'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `AmazonSQS.${action}` };
  if (req.headers.authorization) headers.authorization = req.headers.authorization;  // region
  const reply = await forward(req, headers, JSON.stringify(queryToJson(params)));
  const text = reply.body.toString('utf8');
  const j = text ? JSON.parse(text) : {};
  const ok = reply.status >= 200 && reply.status < 300;
  const xml = ok ? successXml(action, j) : errorXml(j, reply.headers['x-amzn-query-error']);
  return { status: reply.status, headers: { 'content-type': 'text/xml' }, body: Buffer.from(xml) };
}

// S3 conditional writes: TEST-ONLY EMULATION of documented S3 behaviour, because fauxqs 1.9.2
// stores a PUT whatever its If-None-Match header says. S3 (and MinIO, Ceph) store a PutObject
// carrying "If-None-Match: *" only when no object has the key, and otherwise answer 412 with
// an <Error><Code>PreconditionFailed</Code>... body, atomically against concurrent writers.
// Here: a HEAD through fauxqs first; 200 means the object exists (412, nothing stored), anything
// else sends the PUT on as it came. Conditional PUTs to one key wait for each other (a promise
// chain per key), so of several racing ones exactly one finds the key free, as on S3. Plain PUTs
// are not held back: on S3 too they overwrite unconditionally.
const conditionalPuts = new Map();  // "/bucket/key" -> the last conditional PUT's completion

// A PutObject (or CopyObject), not CreateBucket ("/bucket") or UploadPart (?uploadId=...).
function isConditionalObjectPut(req) {
  if (req.method !== 'PUT' || req.headers['if-none-match'] !== '*') return false;
  const url = new URL(req.url, 'http://front');
  return /^\/[^/]+\/./.test(url.pathname) && !url.searchParams.has('uploadId');
}

function preconditionFailedXml(resource) {
  return '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
    '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
    `<Condition>If-None-Match</Condition><Resource>${escapeXml(resource)}</Resource>` +
    `<RequestId>${randomUUID()}</RequestId></Error>`;
}

async function conditionalPut(req, body) {
  const objectPath = new URL(req.url, 'http://front').pathname;
  const previous = conditionalPuts.get(objectPath) ?? Promise.resolve();
  let release;
  const done = new Promise((resolve) => { release = resolve; });
  conditionalPuts.set(objectPath, done);
  await previous;
  try {
    const headHeaders = { host: req.headers.host };
    if (req.headers.authorization) headHeaders.authorization = req.headers.authorization;
    const head = await forward({ method: 'HEAD', url: objectPath }, headHeaders);
    if (head.status === 200) {
      return { status: 412, headers: { 'content-type': 'application/xml' },
        body: Buffer.from(preconditionFailedXml(objectPath)) };
    }
    return await forward(req, req.headers, body);  // a missing bucket answers for itself
  } finally {
    release();
    if (conditionalPuts.get(objectPath) === done) conditionalPuts.delete(objectPath);
  }
}

async function handle(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  let reply;
  const form = (req.headers['content-type'] ?? '').includes('x-www-form-urlencoded');
  const params = form && req.method === 'POST' ? new URLSearchParams(body.toString('utf8')) : null;
  if (params && SQS_ACTIONS.has(params.get('Action'))) {
    reply = await translateSqs(req, params.get('Action'), params);
  } else if (isConditionalObjectPut(req)) {
    reply = await conditionalPut(req, body);
  } else {
    reply = await forward(req, req.headers, body);
  }
  const headers = { ...reply.headers };
  if (req.method !== 'HEAD') headers['content-length'] = reply.body.length;  // HEAD keeps its own
  delete headers['transfer-encoding'];
  delete headers.connection;
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

const front = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`fauxqs front: ${err.message}`);
  });
});
front.keepAliveTimeout = 30000;
front.listen(Number(process.env.FAUXQS_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`port ${front.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, async () => {
    front.close();
    await inner.stop();
    process.exit(0);
  });
}
