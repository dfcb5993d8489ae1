#!/usr/bin/env node
// Turns a kube-apiserver's OpenAPI v2 document (GET /openapi/v2) into the
// JSON schemas kubeconform reads from a local folder, in the layout of
// openapi2jsonschema's "standalone" output:
//
//   <out>/<version>-standalone/<kind>-<group's first label>-<apiVersion>.json
//   <out>/<version>-standalone-strict/...   (the same, objects closed)
//
// e.g. statefulset-apps-v1.json, service-v1.json, clusterrole-rbac-v1.json,
// lowercase, one file per kind the server serves (kubeconform picks the file
// by the manifest's kind and apiVersion; see its pkg/registry schemaPath).
//
// "Standalone" means no reference leaves the file: each file carries the
// definitions its kind reaches under `definitions` and refers to them with
// local `#/definitions/...` references (recursive types stay finite).
//
// What the conversion changes, and why:
// - IntOrString (format int-or-string) becomes "a string or an integer" and
//   Quantity "a string or a number": the apiserver accepts both forms in JSON,
//   while OpenAPI v2 can only say "string".
// - A property that its object does not require may be null, as the
//   apiserver treats null as unset.
// - Strict variant: every object schema with named properties and no
//   additionalProperties of its own gets additionalProperties: false, so a
//   misspelt or misplaced field is an error (kubeconform -strict).
//
// Usage: node scripts/lib/openapi-to-kubeconform.mjs <openapi-v2.json> <out-dir> <version>
//   <version> is the Kubernetes version with its v (v1.36.1): kubeconform
//   -kubernetes-version 1.36.1 looks in v1.36.1-standalone-strict.
// Prints how many schemas it wrote.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DEF_PREFIX = '#/definitions/';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** The file name kubeconform looks for: kind, first label of the group (none for core), version. */
export function schemaFileName(kind, group, version) {
  const groupPart = group ? `-${group.split('.')[0].toLowerCase()}` : '';
  return `${kind.toLowerCase()}${groupPart}-${version.toLowerCase()}.json`;
}

/** One schema node converted; `strict` closes objects. Returns a new object. */
export function convertNode(node, strict) {
  if (Array.isArray(node)) return node.map((n) => convertNode(n, strict));
  if (node === null || typeof node !== 'object') return node;
  if (node.format === 'int-or-string') return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties') {
      const required = new Set(node.required ?? []);
      out.properties = {};
      for (const [name, prop] of Object.entries(value)) {
        const converted = convertNode(prop, strict);
        if (!required.has(name) && typeof converted.type === 'string') {
          converted.type = [converted.type, 'null'];
        }
        out.properties[name] = converted;
      }
    } else if (key === 'additionalProperties' || key === 'items') {
      out[key] = typeof value === 'object' ? convertNode(value, strict) : value;
    } else if (key.startsWith('x-kubernetes-')) {
      continue;
    } else {
      out[key] = value;
    }
  }
  if (strict && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** A definition converted, with the two kinds OpenAPI v2 under-describes fixed. */
function convertDefinition(name, def, strict) {
  if (name === INT_OR_STRING) return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  if (name === QUANTITY) return { oneOf: [{ type: 'string' }, { type: 'number' }] };
  return convertNode(def, strict);
}

/** Names of every definition reachable from `start` (itself included). */
function reachable(start, definitions) {
  const seen = new Set();
  const stack = [start];
  while (stack.length > 0) {
    const name = stack.pop();
    if (seen.has(name) || !definitions[name]) continue;
    seen.add(name);
    const walk = (node) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        if (typeof node.$ref === 'string' && node.$ref.startsWith(DEF_PREFIX))
          stack.push(node.$ref.slice(DEF_PREFIX.length));
        Object.values(node).forEach(walk);
      }
    };
    walk(definitions[name]);
  }
  return seen;
}

/** Every kind's schema file, as [fileName, schema] pairs. */
export function kubeconformSchemas(openapi, strict) {
  const definitions = openapi.definitions ?? {};
  const files = new Map();
  for (const [name, def] of Object.entries(definitions)) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      const file = schemaFileName(gvk.kind, gvk.group, gvk.version);
      const previous = files.get(file);
      // DeleteOptions and WatchEvent are listed under every group: same definition, same file.
      if (previous && previous.source !== name) {
        throw new Error(`${file}: both ${previous.source} and ${name} map to it`);
      }
      const deps = [...reachable(name, definitions)].sort();
      const selfRef = `"${DEF_PREFIX}${name}"`;
      const defs = {};
      for (const dep of deps) {
        // The kind's own definition is the top of the file; it is repeated
        // under definitions only when something refers back to it.
        if (dep === name && !deps.some((d) => JSON.stringify(definitions[d]).includes(selfRef))) continue;
        defs[dep] = convertDefinition(dep, definitions[dep], strict);
      }
      const top = convertDefinition(name, def, strict);
      const schema = { $schema: 'http://json-schema.org/draft-07/schema#', ...top };
      if (Object.keys(defs).length > 0) schema.definitions = defs;
      files.set(file, { source: name, schema });
    }
  }
  return [...files].map(([file, { schema }]) => [file, schema]);
}

function main(argv) {
  const [input, outDir, version] = argv;
  if (!input || !outDir || !/^v\d+\.\d+\.\d+/.test(version ?? '')) {
    process.stderr.write(
      'usage: openapi-to-kubeconform.mjs <openapi-v2.json> <out-dir> <version such as v1.36.1>\n',
    );
    return 2;
  }
  const openapi = JSON.parse(readFileSync(input, 'utf8'));
  if (openapi.swagger !== '2.0' || typeof openapi.definitions !== 'object') {
    process.stderr.write(`${input}: not an OpenAPI v2 document (GET /openapi/v2 of a kube-apiserver)\n`);
    return 1;
  }
  for (const strict of [false, true]) {
    const dir = join(outDir, `${version}-standalone${strict ? '-strict' : ''}`);
    mkdirSync(dir, { recursive: true });
    const schemas = kubeconformSchemas(openapi, strict);
    for (const [file, schema] of schemas) writeFileSync(join(dir, file), `${JSON.stringify(schema)}\n`);
    process.stdout.write(`openapi-to-kubeconform: ${schemas.length} schemas in ${dir}\n`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
