/**
 * Differential oracle: our Steve API against the real rancher/steve v0.9.18
 * (the version Rancher v2.15 pins), both answering for the same simulated
 * cluster. Real steve runs in its SQL cache mode, as Rancher ≥ 2.12 runs it
 * downstream (ui-sql-cache), against the cluster's exported kubeconfig; ours
 * is the engine's Steve API as the cluster's Steve tunnel serves it. The same
 * requests go to both and the answers are compared after removing what is
 * volatile or knowingly different (normalise() says which, and why).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine';
import { kubectlOk } from '../helpers/kubectl';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import { EXPLORER_SCHEMA_IDS, startStevePeer, type StevePeer } from '../helpers/steve-peer';
import { testConfig } from '../helpers/test-config';
import { memoryLogger } from '../helpers/test-logger';

type Json = Record<string, unknown>;
const CLUSTER = 'oa';
/** Fields whose values change with time or with the server, not with what the cluster holds. */
const VOLATILE = new Set([
  'resourceVersion',
  'revision',
  'uid',
  'creationTimestamp',
  'managedFields',
  'lastTransitionTime',
  'lastUpdateTime',
  'lastHeartbeatTime',
  'lastProbeTime',
  'startTime',
  'startedAt',
  'continue',
  'pagination',
  'generation',
  'observedGeneration',
  'heartbeatTime',
]);

/**
 * What is compared. Removed: volatile fields (above); the base URL of links
 * (each server has its own); `_id`, which the SQL store adds beside `id`;
 * the state of a relationship's other end, which steve copies from its
 * cache of that object and we leave out; ages in table cells ("97s").
 */
function normalise(value: unknown, base: string): unknown {
  if (typeof value === 'string')
    return value
      .split(base)
      .join('BASE')
      .replace(/^\d+(s|m|h|d)(\d+(s|m|h))?$/, 'AGE');
  if (Array.isArray(value)) return value.map((v) => normalise(v, base));
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json)) {
    if (VOLATILE.has(k) || k === '_id') continue;
    out[k] = normalise(v, base);
  }
  // Steve's order of relationships (and of methods) comes from Go map iteration: compared as sets.
  if (Array.isArray(out.relationships))
    out.relationships = (out.relationships as Json[])
      .map((r) => {
        const { state: _s, message: _m, error: _e, transitioning: _t, ...rest } = r;
        return rest;
      })
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  for (const k of ['resourceMethods', 'collectionMethods'])
    if (Array.isArray(out[k])) out[k] = [...(out[k] as string[])].sort();
  return out;
}

describe('our Steve against the real rancher/steve (SQL cache mode)', () => {
  let main: TestMainCluster;
  let engine: Engine;
  let real: StevePeer;
  let ours: Server;
  let oursUrl = '';
  const log = memoryLogger();

  const get = async (url: string, path: string): Promise<{ status: number; json?: Json; body: string }> => {
    const res = await fetch(`${url}${path}`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(30_000),
    });
    const body = await res.text();
    let json: Json | undefined;
    try {
      json = JSON.parse(body) as Json;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, body };
  };
  /** Both answers, normalised; the real one retried until its cache holds what ours holds (it fills lazily). */
  const both = async (path: string, settled: (theirs: Json, mine: Json) => boolean = () => true) => {
    const mine = await get(oursUrl, path);
    let theirs = await get(real.url, path);
    await eventually(
      async () => {
        theirs = await get(real.url, path);
        if (theirs.status !== mine.status) return undefined;
        return !mine.json || !theirs.json || settled(theirs.json, mine.json) || undefined;
      },
      `real steve to answer ${path} like ours (ours ${mine.status}: ${mine.body.slice(0, 200)})`,
      60_000,
    ).catch(() => undefined);
    return {
      mine: { status: mine.status, json: normalise(mine.json, oursUrl) as Json },
      theirs: { status: theirs.status, json: normalise(theirs.json, real.url) as Json },
    };
  };
  const ids = (c: Json) => ((c.data as Json[] | undefined) ?? []).map((d) => d.id as string);
  const sameIds = (t: Json, m: Json) => JSON.stringify(ids(t).sort()) === JSON.stringify(ids(m).sort());

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sca-oracle-'));
    main = await startTestMainCluster();
    engine = new Engine({
      config: testConfig({ HomeDir: dir }),
      logger: log.logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engine.start();
    await engine.handle('clusters.create', { name: CLUSTER, template: 'default' });
    await eventually(
      async () => (await engine.handle('clusters.get', { name: CLUSTER })).status === 'ready' || undefined,
      'cluster ready',
      120_000,
    );
    const kubeconfig = join(dir, 'oa.yaml');
    writeFileSync(kubeconfig, (await engine.handle('clusters.kubeconfig', { name: CLUSTER })).kubeconfig);
    // A Deployment, so workloads, ReplicaSets and their owner relationships are compared too.
    await kubectlOk(kubeconfig, [
      'create',
      'deployment',
      'web',
      '--image=nginx',
      '--replicas=2',
      '--namespace=default',
    ]);
    await eventually(
      async () =>
        (await kubectlOk(kubeconfig, ['get', 'pods', '-n', 'default', '-l', 'app=web', '-o', 'name']))
          .trim()
          .split('\n')
          .filter(Boolean).length === 2 || undefined,
      'two web pods',
      60_000,
    );
    real = await startStevePeer(kubeconfig, { sqlCache: true, readyTimeoutMs: 90_000 });
    // Ours, as the cluster's Steve tunnel serves it (plain HTTP, no prefix: real steve has none either).
    ours = createServer((req, res) => engine.steveApi.handle(req, res, CLUSTER));
    ours.on('upgrade', (req, socket, head) => engine.steveApi.upgrade(req, socket, head, CLUSTER));
    await new Promise<void>((resolve) => ours.listen(0, '127.0.0.1', resolve));
    oursUrl = `http://127.0.0.1:${(ours.address() as AddressInfo).port}`;
  }, 300_000);
  afterAll(async () => {
    ours?.close();
    await real?.stop();
    await engine?.stop();
    await main?.destroy();
  });

  it.each([
    '/v1/pods',
    '/v1/namespaces?exclude=metadata.managedFields',
    '/v1/nodes',
    '/v1/configmaps',
    '/v1/secrets',
    '/v1/services',
    '/v1/apps.deployments',
    '/v1/serviceaccounts',
    '/v1/apps.replicasets',
  ])('lists %s alike: same ids, and each object alike', async (path) => {
    const { mine, theirs } = await both(path, sameIds);
    expect(mine.status).toBe(200);
    expect(theirs.status).toBe(200);
    expect(ids(mine.json).sort()).toEqual(ids(theirs.json).sort());
    expect(ids(mine.json).length).toBeGreaterThan(0);
    const byId = new Map((theirs.json.data as Json[]).map((d) => [d.id, d]));
    for (const item of mine.json.data as Json[])
      expect(item, `${path} ${String(item.id)}`).toEqual(byId.get(item.id));
    const { data: _d, count: _c, ...envelope } = mine.json;
    const { data: _td, count: _tc, ...theirEnvelope } = theirs.json;
    expect(envelope).toEqual(theirEnvelope);
  });

  it.each([
    '/v1/pods?page=1&pagesize=2&sort=metadata.name',
    '/v1/pods?sort=-metadata.name',
    '/v1/pods?filter=metadata.namespace=default',
    '/v1/pods?filter=metadata.name~co',
    '/v1/pods?filter=metadata.namespace!=kube-system&filter=metadata.name=nginx,metadata.name=redis',
    '/v1/pods?sort=metadata.namespace,-metadata.name&page=2&pagesize=2',
    '/v1/configmaps?filter=metadata.namespace=kube-system&sort=metadata.name',
  ])('answers %s with the same objects in the same order, and the same count', async (path) => {
    const { mine, theirs } = await both(path, (t, m) => JSON.stringify(ids(t)) === JSON.stringify(ids(m)));
    expect(mine.status).toBe(200);
    expect(ids(mine.json)).toEqual(ids(theirs.json));
    expect(mine.json.count).toEqual(theirs.json.count);
  });

  it('describes the common types with the same schemas', async () => {
    const { mine, theirs } = await both('/v1/schemas');
    const pick = (c: Json, id: string) => {
      const s = (c.data as Json[]).find((d) => d.id === id);
      if (!s) return undefined;
      const { description: _d, ...rest } = s; // ours does not carry the OpenAPI descriptions
      return rest;
    };
    for (const id of [...EXPLORER_SCHEMA_IDS, 'batch.job'])
      expect(pick(mine.json, id), id).toEqual(pick(theirs.json, id));
  });

  it('gives the same schema definition for a pod', async () => {
    const { mine, theirs } = await both('/v1/schemaDefinitions/pod');
    expect(mine.status).toBe(200);
    expect(mine.json.definitionType).toBe(theirs.json.definitionType);
    const defs = (c: Json) => c.definitions as Record<string, Json>;
    expect(Object.keys(defs(mine.json)).sort()).toEqual(Object.keys(defs(theirs.json)).sort());
    expect(defs(mine.json)['io.k8s.api.core.v1.PodSpec']).toEqual(
      defs(theirs.json)['io.k8s.api.core.v1.PodSpec'],
    );
  });

  it('counts the same objects per type and namespace', async () => {
    const counts = (c: Json) => ((c.data as Json[])[0]!.counts ?? {}) as Record<string, Json>;
    const { mine, theirs } = await both('/v1/counts', (t, m) =>
      ['pod', 'configmap', 'secret', 'namespace'].every(
        (k) => JSON.stringify(counts(t)[k]) === JSON.stringify(counts(m)[k]),
      ),
    );
    for (const type of [
      'pod',
      'node',
      'namespace',
      'configmap',
      'secret',
      'service',
      'apps.deployment',
      'serviceaccount',
    ])
      expect(counts(mine.json)[type], type).toEqual(counts(theirs.json)[type]);
  });

  it.each([
    ['/v1/pods/default/nobody', 404],
    ['/v1/pods?revision=abc', 400],
    ['/v1/pods?filter=spec.nothingIndexed=1', 422],
    ['/v1/pods?filter=metadata.name=', 500],
  ])('answers %s with the same status (%i) and error code', async (path, status) => {
    const { mine, theirs } = await both(path);
    expect(theirs.status).toBe(status);
    expect(mine.status).toBe(status);
    expect(mine.json.code).toEqual(theirs.json.code);
    expect(mine.json.type).toBe('error');
  });

  it('answers an impersonated user as the cluster admin (RBAC is not evaluated; README, "Steve API")', async () => {
    const asAdmin = await get(oursUrl, '/v1/pods');
    const res = await fetch(`${oursUrl}/v1/pods`, {
      headers: {
        accept: 'application/json',
        'impersonate-user': 'u-nobody',
        'impersonate-group': 'system:authenticated',
        'impersonate-extra-username': 'nobody',
      },
    });
    expect(res.status).toBe(200);
    const asNobody = (await res.json()) as Json;
    expect(ids(asNobody).sort()).toEqual(ids(asAdmin.json!).sort());
    expect(ids(asNobody).length).toBeGreaterThan(0);
  });
});
