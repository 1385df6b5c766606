// The subset of kustomize deploy/kubernetes uses, so that its overlays can be rendered and checked
// without the kustomize binary: `resources` (files of one or more YAML documents, and folders
// holding a kustomization.yaml), `patches` with a `target` and an inline RFC 6902 JSON patch
// (add, replace, remove), `namespace` and `images` (newName, newTag, digest). In kustomize's
// order: resources, then patches, then the namespace, then images. Any other field of a
// kustomization, a patch without a target or whose target matches nothing, and a path a patch
// cannot follow are errors, so an overlay never relies on something this renderer ignores.
import fs from 'node:fs';
import path from 'node:path';

const kSupported = new Set(['apiVersion', 'kind', 'resources', 'patches', 'namespace', 'images']);
// Kinds without a namespace (of those a kustomization might list).
const kClusterScoped = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass',
  'StorageClass', 'ClusterTriggerAuthentication', 'PersistentVolume', 'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);

function fail(where, message) {
  throw new Error(`${where}: ${message}`);
}

// "/a/b~1c/0" -> ["a", "b/c", "0"]
function pointer(where, p) {
  if (typeof p !== 'string' || !p.startsWith('/')) fail(where, `path ${JSON.stringify(p)} is not a JSON pointer`);
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function applyOp(where, doc, op) {
  const parts = pointer(where, op.path);
  const last = parts.pop();
  let parent = doc;
  for (const part of parts) {
    const next = Array.isArray(parent) ? parent[Number(part)] : parent?.[part];
    if (next === undefined || next === null || typeof next !== 'object') {
      fail(where, `${op.op} ${op.path}: ${part} does not exist`);
    }
    parent = next;
  }
  const clone = (v) => JSON.parse(JSON.stringify(v));
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) fail(where, `${op.op} ${op.path}: bad index`);
    if (op.op === 'add') parent.splice(index, 0, clone(op.value));
    else if (index >= parent.length) fail(where, `${op.op} ${op.path}: no element ${index}`);
    else if (op.op === 'replace') parent[index] = clone(op.value);
    else if (op.op === 'remove') parent.splice(index, 1);
    else fail(where, `unsupported op ${op.op}`);
    return;
  }
  if (op.op === 'add') parent[last] = clone(op.value);
  else if (!(last in parent)) fail(where, `${op.op} ${op.path}: ${last} does not exist`);
  else if (op.op === 'replace') parent[last] = clone(op.value);
  else if (op.op === 'remove') delete parent[last];
  else fail(where, `unsupported op ${op.op}`);
}

function matches(target, obj) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  return (target.kind === undefined || target.kind === obj.kind)
    && (target.name === undefined || target.name === obj.metadata?.name)
    && (target.namespace === undefined || target.namespace === obj.metadata?.namespace)
    && (target.group === undefined || target.group === group)
    && (target.version === undefined || target.version === version);
}

// "repo/name:tag@sha256:..." -> {name, tag, digest}
export function parseImage(image) {
  let rest = image;
  let digest;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

// Every container list of a workload's pod template (or of a bare Pod).
export function podSpec(obj) {
  if (obj.kind === 'Pod') return obj.spec;
  if (obj.kind === 'CronJob') return obj.spec?.jobTemplate?.spec?.template?.spec;
  return obj.spec?.template?.spec;
}

function setImages(where, images, objects) {
  for (const img of images) {
    if (!img.name) fail(where, 'an images entry has no name');
    const unknown = Object.keys(img).filter((k) => !['name', 'newName', 'newTag', 'digest'].includes(k));
    if (unknown.length) fail(where, `images field(s) ${unknown.join(', ')} are not supported`);
    for (const obj of objects) {
      const spec = podSpec(obj);
      for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
        const parsed = parseImage(c.image);
        if (parsed.name !== img.name) continue;
        const name = img.newName ?? parsed.name;
        if (img.digest) c.image = `${name}@${img.digest}`;
        else if (img.newTag) c.image = `${name}:${img.newTag}`;
        else c.image = `${name}${parsed.tag ? `:${parsed.tag}` : ''}${parsed.digest ? `@${parsed.digest}` : ''}`;
      }
    }
  }
}

// Renders the kustomization in `dir`; `parseAllDocuments(text)` and `parse(text)` from the yaml
// package are passed in (it lives in tools/node_modules).
export function render(dir, yaml) {
  const file = path.join(dir, 'kustomization.yaml');
  const k = yaml.parse(fs.readFileSync(file, 'utf8'));
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization') {
    fail(file, 'not a kustomize.config.k8s.io/v1beta1 Kustomization');
  }
  const unknown = Object.keys(k).filter((key) => !kSupported.has(key));
  if (unknown.length) fail(file, `field(s) ${unknown.join(', ')} are not supported by this renderer`);

  const objects = [];
  for (const r of k.resources ?? []) {
    const p = path.resolve(dir, r);
    if (fs.statSync(p).isDirectory()) {
      objects.push(...render(p, yaml));
      continue;
    }
    for (const doc of yaml.parseAllDocuments(fs.readFileSync(p, 'utf8'))) {
      if (doc.errors.length) fail(p, doc.errors[0].message);
      const obj = doc.toJS();
      if (obj === null) continue;
      if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) fail(p, 'a document without apiVersion, kind or name');
      objects.push(obj);
    }
  }

  for (const [i, patch] of (k.patches ?? []).entries()) {
    const where = `${file} patches[${i}]`;
    if (!patch.target) fail(where, 'a patch without a target (strategic merge) is not supported');
    const text = patch.patch ?? (patch.path ? fs.readFileSync(path.resolve(dir, patch.path), 'utf8') : undefined);
    if (text === undefined) fail(where, 'no patch and no path');
    const ops = yaml.parse(text);
    if (!Array.isArray(ops)) fail(where, 'only JSON 6902 patches (a list of operations) are supported');
    const targets = objects.filter((obj) => matches(patch.target, obj));
    if (targets.length === 0) fail(where, `target ${JSON.stringify(patch.target)} matches nothing`);
    for (const obj of targets) for (const op of ops) applyOp(where, obj, op);
  }

  if (k.namespace !== undefined) {
    for (const obj of objects) if (!kClusterScoped.has(obj.kind)) obj.metadata.namespace = k.namespace;
  }
  if (k.images) setImages(file, k.images, objects);

  const seen = new Set();
  for (const obj of objects) {
    const id = `${obj.apiVersion} ${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    if (seen.has(id)) fail(file, `${id} is listed twice`);
    seen.add(id);
  }
  return objects;
}
