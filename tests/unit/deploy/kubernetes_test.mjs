// deploy/kubernetes: both overlays rendered (kustomize.mjs, the subset of kustomize they use) and
// every object validated against the Kubernetes and KEDA schemas (kubernetes-models and
// @kubernetes-models/keda, pinned in tools/package.json), then the properties the deployment
// depends on: probes on /readyz and /healthz, requests and limits, non-root read-only pods, the
// PodDisruptionBudget and Service selecting the API's pods, the ScaledObject scaling the worker
// Deployment on the SQS queue, grace periods above the longest job (recomputed from the C++
// sources' timeouts), identities through IRSA, and both overlays running one pinned build.
// Run by ctest (deploy_kubernetes) with PICTOR_SOURCE_DIR set.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';

import { parseImage, podSpec, render } from './kustomize.mjs';

const sourceDir = process.env.PICTOR_SOURCE_DIR ?? path.resolve(import.meta.dirname, '../../..');
const modules = path.join(sourceDir, 'tools', 'node_modules');
const yaml = createRequire(path.join(sourceDir, 'tools', 'package.json'))('yaml');
const load = (rel) => import(pathToFileURL(path.join(modules, rel)).href);

const models = {
  v1: await load('kubernetes-models/v1/index.js'),
  'apps/v1': await load('kubernetes-models/apps/v1/index.js'),
  'policy/v1': await load('kubernetes-models/policy/v1/index.js'),
  'keda.sh/v1alpha1': await load('@kubernetes-models/keda/keda.sh/v1alpha1/index.js'),
};

const kubeDir = path.join(sourceDir, 'deploy', 'kubernetes');
const overlays = { dev: 'pictor-dev', prod: 'pictor' };
const rendered = Object.fromEntries(
  Object.keys(overlays).map((name) => [name, render(path.join(kubeDir, 'overlays', name), yaml)]));

// The longest a job can take after SIGTERM, from the sources' own numbers: the retry policy's
// attempts of the slowest model adapter, each preceded by the longest wait for the shared rate
// limiter, the backoffs between them, then the image's S3 put with its own attempts.
function longestJobSeconds() {
  const read = (rel) => fs.readFileSync(path.join(sourceDir, rel), 'utf8');
  const number = (rel, re) => {
    const m = read(rel).match(re);
    assert.ok(m, `${rel}: ${re} not found`);
    return Number(m[1]);
  };
  const retry = 'src/net/retry.h';
  const attempts = number(retry, /int max_attempts = (\d+);/);
  const rateWait = number(retry, /max_rate_wait\{(\d+)\}/) / 1000;
  const maxBackoff = number(retry, /max_backoff\{(\d+)\}/) / 1000;
  const call = Math.max(
    number('src/model/bedrock/bedrock_model.h', /milliseconds total_timeout\{(\d+)\}/),
    number('src/model/openai/openai_model.h', /milliseconds total_timeout\{(\d+)\}/)) / 1000;
  const s3 = 'src/store/s3/s3_store.h';
  const store = number(s3, /int max_attempts = (\d+);/) * number(s3, /milliseconds total_timeout\{(\d+)\}/) / 1000;
  return attempts * (rateWait + call) + (attempts - 1) * maxBackoff + store;
}

const find = (objs, kind, name) => {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.equal(found.length, 1, `expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0];
};
const selects = (selector, labels) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const argAfter = (args, flag) => args[args.indexOf(flag) + 1];

describe('kustomize subset', () => {
  test('refuses what it does not implement instead of ignoring it', (t) => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'pictor-kustomize-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: "1"}\n');
    const write = (body) => fs.writeFileSync(path.join(dir, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cm.yaml]\n${body}`);
    write('namePrefix: dev-\n');
    assert.throws(() => render(dir, yaml), /namePrefix.*not supported/);
    write('patches:\n  - target: {kind: ConfigMap, name: b}\n    patch: "[{op: remove, path: /data/x}]"\n');
    assert.throws(() => render(dir, yaml), /matches nothing/);
    write('patches:\n  - target: {kind: ConfigMap, name: a}\n    patch: "[{op: replace, path: /data/y, value: 2}]"\n');
    assert.throws(() => render(dir, yaml), /y does not exist/);
    write('namespace: n\npatches:\n  - target: {kind: ConfigMap, name: a}\n    patch: "[{op: add, path: /data/y, value: \\"2\\"}]"\n');
    assert.deepEqual(render(dir, yaml), [{ apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'n' }, data: { x: '1', y: '2' } }]);
  });

  test('reads image references as kustomize does', () => {
    assert.deepEqual(parseImage('pictor'), { name: 'pictor', tag: undefined, digest: undefined });
    assert.deepEqual(parseImage('localhost:5000/pictor:v1'), { name: 'localhost:5000/pictor', tag: 'v1', digest: undefined });
    assert.deepEqual(parseImage('r/p@sha256:ab'), { name: 'r/p', tag: undefined, digest: 'sha256:ab' });
  });
});

for (const [overlay, namespace] of Object.entries(overlays)) {
  describe(`overlay ${overlay}`, () => {
    const objs = rendered[overlay];

    test('every object is valid against the Kubernetes and KEDA schemas', () => {
      assert.ok(objs.length >= 9, `only ${objs.length} objects rendered`);
      for (const obj of objs) {
        const Model = models[obj.apiVersion]?.[obj.kind];
        assert.ok(Model, `no schema for ${obj.apiVersion} ${obj.kind}`);
        assert.doesNotThrow(() => new Model(obj).validate(),
          (err) => `${obj.kind}/${obj.metadata.name}: ${err.message}`);
      }
    });

    test('everything is in the overlay namespace', () => {
      for (const obj of objs) assert.equal(obj.metadata.namespace, namespace, `${obj.kind}/${obj.metadata.name}`);
    });

    test('serve has readiness on /readyz, liveness on /healthz and a Service', () => {
      const serve = find(objs, 'Deployment', 'pictor-serve');
      const c = podSpec(serve).containers[0];
      const ports = new Map(c.ports.map((p) => [p.name, p.containerPort]));
      assert.equal(c.readinessProbe.httpGet.path, '/readyz');
      assert.equal(c.livenessProbe.httpGet.path, '/healthz');
      for (const probe of [c.readinessProbe, c.livenessProbe]) assert.ok(ports.has(probe.httpGet.port));
      assert.equal(argAfter(c.args, '--listen'), `0.0.0.0:${ports.get('http')}`);
      assert.equal(argAfter(c.args, '--workers'), '0', 'the worker Deployment consumes the queue');
      assert.equal(argAfter(c.args, '--auth'), 'keys', 'a non-loopback serve needs keys');
      const svc = find(objs, 'Service', 'pictor-serve');
      assert.ok(selects(svc.spec.selector, serve.spec.template.metadata.labels));
      assert.ok(svc.spec.ports.every((p) => ports.has(p.targetPort)));
    });

    test('the PodDisruptionBudget selects the serve pods and no others', () => {
      const pdb = find(objs, 'PodDisruptionBudget');
      const serve = find(objs, 'Deployment', 'pictor-serve');
      const worker = find(objs, 'Deployment', 'pictor-worker');
      assert.ok(selects(pdb.spec.selector.matchLabels, serve.spec.template.metadata.labels));
      assert.ok(!selects(pdb.spec.selector.matchLabels, worker.spec.template.metadata.labels));
      assert.ok(serve.spec.replicas > (pdb.spec.maxUnavailable ?? 0) || overlay === 'dev');
    });

    test('pods run as non-root with a read-only root file system, requests and limits', () => {
      for (const d of objs.filter((o) => o.kind === 'Deployment')) {
        const spec = podSpec(d);
        assert.equal(spec.securityContext.runAsNonRoot, true, d.metadata.name);
        assert.notEqual(spec.securityContext.runAsUser, 0);
        for (const c of spec.containers) {
          assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${d.metadata.name}/${c.name}`);
          assert.equal(c.securityContext.allowPrivilegeEscalation, false);
          assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
          assert.ok(c.resources.requests.cpu && c.resources.requests.memory, `${c.name}: requests`);
          assert.ok(c.resources.limits.memory, `${c.name}: memory limit`);
        }
      }
    });

    test('grace periods outlast the longest job', () => {
      const longest = longestJobSeconds();
      assert.ok(longest >= 600, `the bound read from the sources is only ${longest} s`);
      for (const d of objs.filter((o) => o.kind === 'Deployment')) {
        assert.ok(podSpec(d).terminationGracePeriodSeconds > longest,
          `${d.metadata.name}: ${podSpec(d).terminationGracePeriodSeconds} s <= ${longest} s`);
      }
    });

    test('KEDA scales the worker Deployment on the SQS queue, down to zero', () => {
      const so = find(objs, 'ScaledObject');
      const worker = find(objs, 'Deployment', 'pictor-worker');
      assert.equal(worker.spec.replicas, undefined, 'the ScaledObject owns the replicas');
      assert.equal(so.spec.scaleTargetRef.kind ?? 'Deployment', 'Deployment');
      assert.equal(so.spec.scaleTargetRef.name, worker.metadata.name);
      assert.equal(so.spec.minReplicaCount, 0);
      assert.ok(so.spec.maxReplicaCount >= 1);
      assert.equal(so.spec.triggers.length, 1);
      const [trigger] = so.spec.triggers;
      assert.equal(trigger.type, 'aws-sqs-queue');
      const known = ['queueURL', 'queueURLFromEnv', 'queueLength', 'activationQueueLength', 'awsRegion',
        'awsEndpoint', 'scaleOnInFlight', 'scaleOnDelayed', 'identityOwner'];
      for (const key of Object.keys(trigger.metadata)) assert.ok(known.includes(key), `unknown trigger field ${key}`);
      const c = podSpec(worker).containers[0];
      assert.equal(trigger.metadata.queueLength, argAfter(c.args, '--concurrency'),
        'one replica per --concurrency prompts');
      assert.equal(trigger.metadata.scaleOnInFlight, 'true');
      // The redrive policy's maxReceiveCount, as deploy/terraform sets it by default.
      const tfVars = fs.readFileSync(path.join(sourceDir, 'deploy', 'terraform', 'variables.tf'), 'utf8');
      const receives = tfVars.match(/variable "max_receive_count" \{[^}]*?default\s*=\s*(\d+)/);
      assert.ok(receives, 'variables.tf: no max_receive_count default');
      assert.equal(argAfter(c.args, '--max-receive-count'), receives[1]);
      // KEDA reads queueURLFromEnv from the container's own env.
      const env = c.env.find((e) => e.name === trigger.metadata.queueURLFromEnv);
      assert.ok(env, `${trigger.metadata.queueURLFromEnv} is not in the worker's env`);
      const cm = find(objs, 'ConfigMap', env.valueFrom.configMapKeyRef.name);
      const queueUrl = cm.data[env.valueFrom.configMapKeyRef.key];
      assert.match(queueUrl, /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/\d{12}\/[\w-]+$/);
      assert.equal(queueUrl.split('.')[1], trigger.metadata.awsRegion, 'the scaler asks the queue\'s region');
      const auth = find(objs, 'TriggerAuthentication', trigger.authenticationRef.name);
      assert.equal(auth.spec.podIdentity.provider, 'aws');
      assert.ok(['keda', 'workload'].includes(auth.spec.podIdentity.identityOwner));
    });

    test('settings come from the ConfigMap, identities from IRSA service accounts', () => {
      const cm = find(objs, 'ConfigMap', 'pictor-settings');
      for (const key of ['PICTOR_MODEL', 'BUCKET_NAME', 'KEY_PREFIX', 'SQS_QUEUE_URL', 'AWS_REGION']) {
        assert.ok(cm.data[key], `ConfigMap lacks ${key}`);
      }
      assert.equal(cm.data.PICTOR_JOBS, 'store', 'job records shared by serve and the workers');
      const accounts = new Set();
      for (const d of objs.filter((o) => o.kind === 'Deployment')) {
        const spec = podSpec(d);
        assert.ok(spec.containers[0].envFrom.some((e) => e.configMapRef?.name === cm.metadata.name));
        const sa = find(objs, 'ServiceAccount', spec.serviceAccountName);
        assert.match(sa.metadata.annotations['eks.amazonaws.com/role-arn'], /^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/);
        accounts.add(sa.metadata.annotations['eks.amazonaws.com/role-arn']);
      }
      assert.equal(accounts.size, 2, 'serve and worker have roles of their own');
    });

    test('images name one build of the registry: never latest', () => {
      for (const d of objs.filter((o) => o.kind === 'Deployment')) {
        for (const c of podSpec(d).containers) {
          const img = parseImage(c.image);
          assert.match(img.name, /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/[\w.-]+$/, c.image);
          assert.ok(img.tag || img.digest, `${c.image} names no build`);
          // The repository's tags are immutable (deploy/terraform/ecs.tf): `latest` cannot move.
          assert.ok(img.digest || img.tag !== 'latest', `${overlay} runs ${c.image}`);
        }
      }
    });
  });
}

test('the manifests pass yamllint', () => {
  const proc = spawnSync('yamllint', ['-s', '-c', path.join(sourceDir, '.yamllint'), kubeDir], { encoding: 'utf8' });
  assert.ifError(proc.error);
  assert.equal(proc.status, 0, `yamllint:\n${proc.stdout}${proc.stderr}`);
});

test('dev and prod cannot collide', () => {
  assert.notEqual(overlays.dev, overlays.prod);
  const setting = (o, key) => find(rendered[o], 'ConfigMap', 'pictor-settings').data[key];
  assert.notEqual(setting('dev', 'SQS_QUEUE_URL'), setting('prod', 'SQS_QUEUE_URL'));
  assert.notEqual(setting('dev', 'KEY_PREFIX'), setting('prod', 'KEY_PREFIX'));
});
