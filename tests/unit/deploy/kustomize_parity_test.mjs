// kustomize.mjs against the real thing: both overlays rendered by `kubectl kustomize` (KUBECTL)
// must give exactly the objects kustomize.mjs gives. Registered by ctest only where kubectl is
// installed (deploy_kubernetes, which needs no kubectl, checks the manifests everywhere).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';

import { render } from './kustomize.mjs';

const sourceDir = process.env.PICTOR_SOURCE_DIR ?? path.resolve(import.meta.dirname, '../../..');
const kubectl = process.env.KUBECTL;
assert.ok(kubectl, 'KUBECTL must be set (ctest sets it)');
const yaml = createRequire(path.join(sourceDir, 'tools', 'package.json'))('yaml');

for (const overlay of ['dev', 'prod']) {
  test(`overlay ${overlay} renders as kubectl kustomize renders it`, () => {
    const dir = path.join(sourceDir, 'deploy', 'kubernetes', 'overlays', overlay);
    const ours = render(dir, yaml);
    const out = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8' });
    const theirs = yaml.parseAllDocuments(out).map((d) => d.toJS());
    const id = (o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
    assert.deepEqual(ours.map(id).sort(), theirs.map(id).sort());
    const byId = new Map(theirs.map((o) => [id(o), o]));
    for (const o of ours) assert.deepEqual(o, byId.get(id(o)), id(o));
  });
}
