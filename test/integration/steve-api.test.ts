/**
 * Rancher's cluster explorer on simulated clusters: the Steve v1 API each
 * cluster serves on its Steve tunnel, reached as the dashboard reaches it,
 * through the stand-in's /k8s/clusters/<id>/v1 proxy (Rancher's
 * pkg/api/steve/proxy: the Steve tunnel's Connect to 127.0.0.1:6080, the
 * prefix header, impersonation). The crawl is the dashboard's own requests
 * when a user opens a cluster (rancher/dashboard shell/store/index.js
 * loadCluster, pages/c/_cluster/explorer, the list pages with and without
 * server-side pagination), for 20 clusters; each must see only its own objects.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Engine } from '../../src/main/engine/engine';
import { testConfig } from '../helpers/test-config';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import {
  rancherGet,
  rancherRequest,
  STANDIN_TOKEN,
  startStandIn,
  type StandIn,
} from '../helpers/rancher-standin';
import { EXPLORER_SCHEMA_IDS } from '../helpers/steve-peer';
import { memoryLogger } from '../helpers/test-logger';
import { waitForBatch } from '../helpers/wait-for-batch';

const COUNT = 20;
const EXCLUDE = 'exclude=metadata.managedFields';

interface Collection {
  type: string;
  resourceType: string;
  revision?: string;
  count?: number;
  links: { self: string };
  data: Array<
    { id: string; type: string; links: Record<string, string>; metadata: Record<string, unknown> } & Record<
      string,
      unknown
    >
  >;
}

/** The dashboard's requests when a user opens a cluster, then its list pages (paths under /v1). */
function crawl(nodeName: string): string[] {
  const userNamespaces = ['kube-system', 'kube-public', 'kube-node-lease', 'cattle-system']
    .map((ns) => `filter=metadata.namespace!=${ns}`)
    .join('&');
  return [
    `schemas?${EXCLUDE}`,
    `counts?${EXCLUDE}`,
    `namespaces?${EXCLUDE}`,
    `nodes?${EXCLUDE}`,
    `catalog.cattle.io.apps/cattle-monitoring-system/rancher-monitoring?${EXCLUDE}`, // 404 is what the dashboard expects
    `endpoints?${EXCLUDE}`,
    `apps.deployments/cattle-system/cattle-cluster-agent?${EXCLUDE}`,
    `events?${EXCLUDE}`,
    `events?page=1&pagesize=10&sort=metadata.fields[0]&${EXCLUDE}`,
    `pods?${EXCLUDE}`,
    `pods?page=1&pagesize=100&sort=metadata.name&${userNamespaces}&${EXCLUDE}`,
    `pods?filter=spec.nodeName=${nodeName}&${EXCLUDE}`,
    `apps.deployments?page=1&pagesize=100&sort=metadata.name&${EXCLUDE}`,
    `apps.statefulsets?${EXCLUDE}`,
    `apps.daemonsets?${EXCLUDE}`,
    `batch.jobs?${EXCLUDE}`,
    `services?page=1&pagesize=100&sort=metadata.name&${EXCLUDE}`,
    `configmaps?page=1&pagesize=100&sort=metadata.name&${EXCLUDE}`,
    `secrets?page=1&pagesize=100&sort=metadata.name&${EXCLUDE}`,
  ];
}

describe("Steve API through Rancher's proxy (stand-in)", () => {
  let main: TestMainCluster;
  let standin: StandIn;
  let engine: Engine;
  const log = memoryLogger();
  const ids = new Map<string, string>(); // cluster name -> Rancher id

  const steve = async (id: string, path: string) => rancherGet(standin, `/k8s/clusters/${id}/v1/${path}`);
  const steveJson = async <T = Collection>(id: string, path: string): Promise<T> => {
    const r = await steve(id, path);
    if (r.status !== 200) throw new Error(`GET ${path} on ${id}: ${r.status} ${r.body.slice(0, 300)}`);
    return JSON.parse(r.body) as T;
  };

  beforeAll(async () => {
    [main, standin] = await Promise.all([startTestMainCluster(), startStandIn()]);
    engine = new Engine({
      config: {
        ...testConfig(),
        RancherURL: standin.url,
        BearerToken: STANDIN_TOKEN,
        RancherCACert: standin.caPath,
        ConnectRatePerSecond: 20,
      },
      logger: log.logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engine.start();
    const batch = await engine.handle('batches.create', {
      pattern: `sv-{01..${COUNT}}`,
      template: 'tiny',
      concurrency: 6,
    });
    await waitForBatch(engine, batch.id, 300_000, true);
    await eventually(
      async () => {
        const all = (
          await standin.get<{
            data: { id: string; name: string; state: string; hasSteveSession: boolean }[];
          }>('/clusters')
        ).data;
        if (all.length !== COUNT || !all.every((c) => c.state === 'active' && c.hasSteveSession))
          return undefined;
        for (const c of all) ids.set(c.name, c.id);
        return true;
      },
      'all active with a Steve session',
      180_000,
    );
  }, 600_000);
  afterAll(async () => {
    await engine?.stop();
    await standin?.stop();
    await main?.destroy();
  });

  it(`answers the dashboard's crawl for each of ${COUNT} clusters, each seeing only its own objects`, async () => {
    const names = [...ids.keys()];
    for (const [name, id] of ids) {
      const prefix = `${standin.url.replace(/\/$/, '')}/k8s/clusters/${id}/v1/`;
      const nodeName = `${name}-`;
      const nodes = await steveJson(id, `nodes?${EXCLUDE}`);
      expect(nodes.data.length, `${name} nodes`).toBe(1);
      const node = nodes.data[0]!;
      expect(node.id.startsWith(nodeName)).toBe(true);
      expect(node.type).toBe('node');
      expect(node.metadata.state).toMatchObject({ name: 'active', error: false, transitioning: false });
      for (const path of crawl(node.id)) {
        const r = await steve(id, path);
        if (path.startsWith('catalog.cattle.io.apps/')) {
          expect(r.status, `${name} ${path}`).toBe(404);
          continue;
        }
        expect(r.status, `${name} ${path}: ${r.body.slice(0, 300)}`).toBe(200);
        const body = JSON.parse(r.body) as Collection & { id?: string };
        if (body.type === 'collection') {
          // Links lead back through Rancher's proxy, as the dashboard follows them.
          expect(body.links.self.startsWith(prefix), `${path} self link ${body.links.self}`).toBe(true);
          for (const item of body.data) {
            if (item.links?.self) expect(item.links.self.startsWith(prefix)).toBe(true);
            // Nothing of another cluster: no other cluster's name in any object.
            const text = JSON.stringify(item);
            for (const other of names)
              if (other !== name)
                expect(text.includes(`${other}-`), `${other} in ${name} ${path}`).toBe(false);
          }
        }
      }
      const schemas = await steveJson(id, `schemas?${EXCLUDE}`);
      const schemaIds = schemas.data.map((s) => s.id);
      for (const t of [...EXPLORER_SCHEMA_IDS, 'count', 'schema'])
        expect(schemaIds, `${name} schema ${t}`).toContain(t);
      const pod = schemas.data.find((s) => s.id === 'pod')!;
      expect(pod.links.collection).toBe(`${prefix}pods`);
      expect((pod.attributes as { columns: { field: string }[] }).columns[2]?.field).toBe(
        '$.metadata.fields[2]',
      );
      const pods = await steveJson(id, `pods?${EXCLUDE}`);
      // tiny: 5 template pods on the one node, plus Rancher's agent.
      expect(
        pods.data.filter((p) => (p.spec as { nodeName?: string }).nodeName === node.id).length,
      ).toBeGreaterThanOrEqual(6);
      for (const p of pods.data) {
        expect(p.id).toBe(
          `${(p.metadata as { namespace: string }).namespace}/${(p.metadata as { name: string }).name}`,
        );
        expect((p.metadata.fields as unknown[]).length).toBeGreaterThan(2);
        expect(p.metadata.managedFields).toBeUndefined();
      }
      const agent = await steveJson<Collection['data'][number]>(
        id,
        `apps.deployments/cattle-system/cattle-cluster-agent?${EXCLUDE}`,
      );
      expect(agent.id).toBe('cattle-system/cattle-cluster-agent');
      const counts = await steveJson(id, `counts?${EXCLUDE}`);
      const c = (counts.data[0] as unknown as { counts: Record<string, { summary: { count?: number } }> })
        .counts;
      expect(c.node?.summary.count).toBe(1);
      // The agent Deployment may roll a pod between two requests: only a floor is stable.
      expect(c.pod?.summary.count).toBeGreaterThanOrEqual(6);
      const paged = await steveJson(id, `pods?page=1&pagesize=2&sort=metadata.name&${EXCLUDE}`);
      expect(paged.data).toHaveLength(2);
      expect(paged.count).toBe(pods.data.length);
      const sortedNames = pods.data
        .map((p) => (p.metadata as { name: string }).name)
        .sort((a, b) => a.localeCompare(b));
      expect(paged.data.map((p) => (p.metadata as { name: string }).name)).toEqual(sortedNames.slice(0, 2));
    }
  }, 600_000);

  it('streams a pod created, changed and deleted through the cluster’s API to a /v1/subscribe session within 2 s', async () => {
    const [name, id] = [...ids.entries()][0]!;
    const url = `${standin.url.replace(/^https/, 'wss').replace(/\/$/, '')}/k8s/clusters/${id}/v1/subscribe?sockId=1`;
    const ws = new WebSocket(url, {
      ca: readFileSync(standin.caPath),
      headers: { authorization: `Bearer ${STANDIN_TOKEN}` },
    });
    const frames: {
      name: string;
      resourceType?: string;
      data?: { id?: string; metadata?: { labels?: Record<string, string> } };
      at: number;
    }[] = [];
    ws.on('message', (d) =>
      frames.push({ ...(JSON.parse(d.toString()) as { name: string }), at: Date.now() }),
    );
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ resourceType: 'pod', namespace: 'default' }));
    await eventually(
      () => frames.some((f) => f.name === 'resource.start') || undefined,
      'resource.start',
      10_000,
    );
    const podPath = `/k8s/clusters/${id}/api/v1/namespaces/default/pods`;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'watched', labels: { step: 'one' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }], nodeName: `${name}-node1` },
    };
    const expectFrame = async (
      event: string,
      check: (f: (typeof frames)[number]) => boolean,
      since: number,
    ) => {
      const f = await eventually(
        () => frames.find((x) => x.at >= since && x.name === event && check(x)),
        event,
        2000,
      );
      expect(f.at - since).toBeLessThanOrEqual(2000);
    };
    let t = Date.now();
    const created = await rancherRequest(standin, 'POST', podPath, pod);
    expect(created.status, created.body).toBe(201);
    await expectFrame('resource.create', (f) => f.data?.id === 'default/watched', t);
    t = Date.now();
    const patched = await rancherRequest(
      standin,
      'PATCH',
      `${podPath}/watched`,
      { metadata: { labels: { step: 'two' } } },
      'application/merge-patch+json',
    );
    expect(patched.status, patched.body).toBe(200);
    await expectFrame('resource.change', (f) => f.data?.metadata?.labels?.step === 'two', t);
    t = Date.now();
    const deleted = await rancherRequest(standin, 'DELETE', `${podPath}/watched?gracePeriodSeconds=0`);
    expect(deleted.status, deleted.body).toBe(200);
    await expectFrame('resource.remove', (f) => f.data?.id === 'default/watched', t);
    // A malformed message gets an error and the session keeps working.
    const before = frames.length;
    ws.send('not json');
    await eventually(
      () => frames.slice(before).find((f) => f.name === 'resource.error'),
      'resource.error',
      5000,
    );
    ws.send(JSON.stringify({ resourceType: 'pod', namespace: 'default', stop: true }));
    await eventually(
      () => frames.slice(before).find((f) => f.name === 'resource.stop'),
      'resource.stop',
      5000,
    );
    ws.close();
  }, 60_000);

  it('answers bad input with Steve’s error JSON and the right status, and the tunnel keeps serving', async () => {
    const id = [...ids.values()][1]!;
    const unknown = await steve(id, 'nosuchtypes');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ type: 'error', code: 'NotFound' });
    const badSelector = await steve(id, 'pods?labelSelector=%25%25%25');
    expect(badSelector.status).toBe(400);
    expect(JSON.parse(badSelector.body)).toMatchObject({ type: 'error', status: 400 });
    const badRevision = await steve(id, 'pods?revision=abc');
    expect(badRevision.status).toBe(400);
    expect(JSON.parse(badRevision.body)).toMatchObject({
      type: 'error',
      code: 'invalid revision query param',
    });
    const badColumn = await steve(id, 'pods?filter=spec.nothingIndexed=1');
    expect(badColumn.status).toBe(422);
    const missing = await steve(id, 'pods/default/nobody');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ type: 'error', code: 'NotFound' });
    expect((await steve(id, `nodes?${EXCLUDE}`)).status).toBe(200);
  }, 60_000);
});
