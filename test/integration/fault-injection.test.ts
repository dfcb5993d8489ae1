/**
 * Fault injection for chosen clusters against the real stack and the Rancher
 * stand-in: added latency and a bandwidth cap slow what "Rancher" fetches
 * through the tunnel (the stand-in's timed probe), API errors make its
 * health checks fail until cleared, and paused heartbeats make the nodes it
 * watches NotReady, kept so, until resumed. Each fault shows in /faults and
 * /metrics while in effect and is gone after it is cleared; bad requests
 * get 400 with the rule they break and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActiveFault, FaultsChangedEvent } from '../../src/shared/faults';
import type { RunningWebServer } from '../../src/main/engine/transport/web-server';
import type { Engine } from '../../src/main/engine/engine';
import { PAUSE_HOLDER } from '../../src/main/engine/faults/heartbeat-pauser';
import { CLUSTER_LABEL } from '../../src/main/engine/provisioning/main-cluster-names';
import { startEngineStack, type EngineStack } from '../helpers/engine-stack';
import { eventually, type TestMainCluster } from '../helpers/main-cluster';
import type { StandIn } from '../helpers/rancher-standin';
import { metric } from '../helpers/prometheus-text';

interface StandInCluster {
  id: string;
  name: string;
  state: string;
  nodeCount: number;
  notReadyNodes: number;
  conditions: { type: string; status: string; reason?: string }[];
}

interface Probe {
  status: number;
  bytes: number;
  durationMs: number;
  body: string;
  error?: string;
}

interface NodeList {
  items: {
    metadata: { name: string };
    status?: { conditions?: { type: string; status: string; reason?: string }[] };
  }[];
}

const BIG_BYTES = 400_000;

describe('fault injection for chosen clusters', () => {
  let main: TestMainCluster;
  let standin: StandIn;
  let engine: Engine;
  let web: RunningWebServer;
  let stack: EngineStack;
  const changes: FaultsChangedEvent[] = [];

  const clusters = async () => (await standin.get<{ data: StandInCluster[] }>('/clusters')).data;
  const cluster = async (name: string) => {
    const c = (await clusters()).find((x) => x.name === name);
    if (!c) throw new Error(`${name} is not in the stand-in`);
    return c;
  };
  const probe = async (name: string, path: string) =>
    standin.post<Probe>(`/clusters/${(await cluster(name)).id}/probe`, { path, timeoutSeconds: 120 });
  const metrics = async () => (await fetch(`${web.url}/metrics`)).text();
  const post = (path: string, body?: unknown) =>
    fetch(`${web.url}${path}`, {
      method: 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const active = async () =>
    ((await (await fetch(`${web.url}/faults`)).json()) as { active: ActiveFault[] }).active;
  const clear = (id: string) => fetch(`${web.url}/faults/${id}`, { method: 'DELETE' });
  const clusterNodes = async (cluster: string) =>
    (await main.rest.get<NodeList>('/api/v1/nodes', { labelSelector: `${CLUSTER_LABEL}=${cluster}` })).items;
  const ready = (n: NodeList['items'][number]) => n.status?.conditions?.find((c) => c.type === 'Ready');

  beforeAll(async () => {
    stack = await startEngineStack({
      beforeStart: (e) => e.events.on('faults.changed', (c) => changes.push(c)),
    });
    ({ main, standin, engine, web } = stack);
    await engine.handle('clusters.create', {
      name: 'f-1',
      template: { kind: 'generator', nodes: 2, podsPerNode: 1 },
    });
    await engine.handle('clusters.create', { name: 'f-2', template: 'tiny' });
    await eventually(
      async () => (await clusters()).filter((c) => c.state === 'active').length === 2 || undefined,
      'two active',
      180_000,
    );
    // Something large to fetch through the tunnel.
    const api = (await engine.virtualApi()).internalClient('f-1');
    const created = await api.request('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'big' },
      data: { blob: 'x'.repeat(BIG_BYTES) },
    });
    expect(created.status).toBe(201);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('adds latency to one cluster’s tunnelled requests, visibly, until cleared', async () => {
    const res = await post('/faults/latency', { clusters: ['f-1'], ms: 400 });
    expect(res.status).toBe(200);
    const fault = (await res.json()) as ActiveFault;
    expect(fault).toMatchObject({ kind: 'latency', clusters: ['f-1'], parameters: { ms: 400 }, until: null });
    expect(fault.id).toMatch(/^f-[0-9a-f]{8}$/);

    const slow = await probe('f-1', '/version');
    const other = await probe('f-2', '/version');
    expect(slow.status).toBe(200);
    expect(slow.durationMs).toBeGreaterThanOrEqual(400);
    expect(other.status).toBe(200);
    expect(other.durationMs).toBeLessThan(slow.durationMs - 200);

    expect((await active()).map((f) => f.id)).toContain(fault.id);
    const during = await metrics();
    expect(metric(during, 'scale_agent_faults_active', 'kind="latency"')).toBe(1);
    expect(metric(during, 'scale_agent_fault_clusters', 'kind="latency"')).toBe(1);
    expect(metric(during, 'scale_agent_fault_shaped_bytes_total', 'kind="latency"')).toBeGreaterThan(0);

    const cleared = await clear(fault.id);
    expect(cleared.status).toBe(200);
    expect(((await cleared.json()) as { cleared: ActiveFault[] }).cleared[0]?.id).toBe(fault.id);
    expect((await probe('f-1', '/version')).durationMs).toBeLessThan(400);
    expect(await active()).toEqual([]);
    const after = await metrics();
    expect(metric(after, 'scale_agent_faults_active', 'kind="latency"')).toBe(0);
    expect(metric(after, 'scale_agent_fault_clusters', 'kind="latency"')).toBe(0);
  });

  it('caps the bandwidth of a large tunnelled answer to about the cap, until cleared', async () => {
    const path = '/api/v1/namespaces/default/configmaps/big';
    const free = await probe('f-1', path);
    expect(free.status).toBe(200);
    expect(free.bytes).toBeGreaterThan(BIG_BYTES);

    const cap = 100_000;
    const res = await post('/faults/bandwidth', { clusters: ['f-1'], bytesPerSecond: cap });
    expect(res.status).toBe(200);
    const fault = (await res.json()) as ActiveFault;
    expect(fault.parameters).toEqual({ bytesPerSecond: cap });

    const capped = await probe('f-1', path);
    expect(capped.status).toBe(200);
    expect(capped.bytes).toBe(free.bytes);
    // The body (plus TLS and tunnel framing) at about 100 kB/s: some 4 s.
    const rate = capped.bytes / (capped.durationMs / 1000);
    expect(rate).toBeGreaterThan(cap * 0.6);
    expect(rate).toBeLessThan(cap * 1.15);
    const during = await metrics();
    expect(metric(during, 'scale_agent_faults_active', 'kind="bandwidth"')).toBe(1);
    expect(metric(during, 'scale_agent_fault_shaped_bytes_total', 'kind="bandwidth"')).toBeGreaterThan(
      BIG_BYTES,
    );

    expect((await clear(fault.id)).status).toBe(200);
    const again = await probe('f-1', path);
    expect(again.bytes / (again.durationMs / 1000)).toBeGreaterThan(cap * 3);
    expect(metric(await metrics(), 'scale_agent_faults_active', 'kind="bandwidth"')).toBe(0);
  });

  it('makes the virtual API answer errors: health checks fail, the cluster goes unavailable, and recovers', async () => {
    const res = await post('/faults/api-errors', { clusters: ['f-2'], rate: 1, code: 503 });
    expect(res.status).toBe(200);
    const fault = (await res.json()) as ActiveFault;
    expect(fault.parameters).toEqual({ rate: 1, code: 503 });

    const failed = await probe('f-2', '/api/v1/namespaces/kube-system');
    expect(failed.status).toBe(503);
    const status = JSON.parse(failed.body) as { kind: string; code: number; reason: string; message: string };
    expect(status).toMatchObject({ kind: 'Status', code: 503, reason: 'ServiceUnavailable' });
    expect(status.message).toMatch(/injected fault f-[0-9a-f]{8}/);
    expect((await probe('f-1', '/api/v1/namespaces/kube-system')).status).toBe(200);

    await eventually(
      async () => {
        const c = await cluster('f-2');
        const r = c.conditions.find((x) => x.type === 'Ready');
        return (c.state === 'unavailable' && r?.reason === 'ComponentStatusFetchingFailure') || undefined;
      },
      'f-2 unavailable in the stand-in',
      30_000,
    );
    expect((await cluster('f-1')).state).toBe('active');
    const during = await metrics();
    expect(metric(during, 'scale_agent_faults_active', 'kind="api_errors"')).toBe(1);
    expect(metric(during, 'scale_agent_fault_api_errors_total', 'code="503"')).toBeGreaterThanOrEqual(3);
    expect(metric(during, 'scale_agent_vapi_requests_total', 'verb="get",code="503"')).toBeGreaterThanOrEqual(
      3,
    );

    expect((await clear(fault.id)).status).toBe(200);
    await eventually(
      async () => (await cluster('f-2')).state === 'active' || undefined,
      'f-2 active again',
      30_000,
    );
    expect((await probe('f-2', '/api/v1/namespaces/kube-system')).status).toBe(200);
    expect(metric(await metrics(), 'scale_agent_faults_active', 'kind="api_errors"')).toBe(0);
  });

  it('pauses heartbeats: the nodes go NotReady and stay so, and are Ready again after resume', async () => {
    const nodes = await clusterNodes('f-1');
    expect(nodes).toHaveLength(2);
    const res = await post('/faults/pause-heartbeats', { clusters: ['f-1'] });
    expect(res.status).toBe(200);
    const fault = (await res.json()) as ActiveFault;
    expect(fault).toMatchObject({ kind: 'pause_heartbeats', clusters: ['f-1'] });

    await eventually(
      async () => (await cluster('f-1')).notReadyNodes === 2 || undefined,
      'the stand-in sees two NotReady nodes',
      30_000,
    );
    expect((await cluster('f-2')).notReadyNodes).toBe(0);
    for (const n of await clusterNodes('f-1')) {
      expect(ready(n)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
      const lease = await main.rest.get<{ spec: { holderIdentity: string } }>(
        `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n.metadata.name}`,
      );
      expect(lease.spec.holderIdentity).toBe(PAUSE_HOLDER);
    }
    let during = await metrics();
    expect(metric(during, 'scale_agent_faults_active', 'kind="pause_heartbeats"')).toBe(1);
    expect(metric(during, 'scale_agent_fault_paused_nodes')).toBe(2);

    // Kept so: neither kwok nor the node-status reconciler repairs them (kwok would within a second).
    await new Promise((r) => setTimeout(r, 12_000));
    expect((await cluster('f-1')).notReadyNodes).toBe(2);
    for (const n of await clusterNodes('f-1')) expect(ready(n)?.status).toBe('Unknown');
    during = await metrics();
    expect(metric(during, 'scale_agent_fault_paused_nodes')).toBe(2);

    expect((await clear(fault.id)).status).toBe(200);
    await eventually(
      async () => (await cluster('f-1')).notReadyNodes === 0 || undefined,
      'the stand-in sees the nodes Ready again',
      30_000,
    );
    for (const n of await clusterNodes('f-1')) expect(ready(n)?.status).toBe('True');
    expect(metric(await metrics(), 'scale_agent_fault_paused_nodes')).toBe(0);
    // kwok takes the leases back and heartbeats again.
    await eventually(
      async () => {
        for (const n of nodes) {
          const lease = await main.rest.get<{ spec: { holderIdentity: string } }>(
            `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n.metadata.name}`,
          );
          if (lease.spec.holderIdentity === PAUSE_HOLDER) return undefined;
        }
        return true;
      },
      'kwok holding the leases again',
      60_000,
    );
    for (const n of await clusterNodes('f-1')) expect(ready(n)?.status).toBe('True');
  });

  it('ends a fault with a duration by itself', async () => {
    const res = await post('/faults/latency', { ms: 100, seconds: 1 });
    const fault = (await res.json()) as ActiveFault;
    expect(fault.clusters).toBe('all');
    expect(Date.parse(fault.until ?? '') - Date.parse(fault.since)).toBe(1000);
    expect(metric(await metrics(), 'scale_agent_fault_clusters', 'kind="latency"')).toBe(2);
    await eventually(async () => (await active()).length === 0 || undefined, 'fault expired', 5_000);
    expect(metric(await metrics(), 'scale_agent_faults_active', 'kind="latency"')).toBe(0);
  });

  it('injects, lists and clears through the channels, telling the UIs', async () => {
    changes.length = 0;
    const { fault } = await engine.handle('faults.inject', {
      kind: 'api_errors',
      rate: 0.5,
      clusters: ['f-1'],
    });
    expect(fault).toMatchObject({ kind: 'api_errors', parameters: { rate: 0.5, code: 503 } });
    await engine.handle('faults.inject', { kind: 'bandwidth', bytesPerSecond: 1 << 20 });
    expect((await engine.handle('faults.list', undefined)).map((f) => f.kind).sort()).toEqual([
      'api_errors',
      'bandwidth',
    ]);
    await eventually(() => changes.at(-1)?.faults.length === 2 || undefined, 'faults.changed with two');
    const { cleared } = await engine.handle('faults.clear', { id: fault?.id });
    expect(cleared.map((f) => f.id)).toEqual([fault?.id]);
    const all = await engine.handle('faults.clear', undefined);
    expect(all.cleared.map((f) => f.kind)).toEqual(['bandwidth']);
    expect(await engine.handle('faults.list', undefined)).toEqual([]);
    await eventually(() => changes.at(-1)?.faults.length === 0 || undefined, 'faults.changed with none');
    await expect(engine.handle('faults.inject', { kind: 'latency', ms: 0 })).rejects.toThrow(
      /faults.inject: "ms" must be a whole number from 1 to 60000, got 0/,
    );
  });

  it('refuses bad fault requests with 400 and a clear message, changing nothing', async () => {
    const expect400 = async (path: string, body: unknown, message: RegExp) => {
      const res = await post(path, body);
      const answer = (await res.json()) as { message: string };
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.message).toMatch(message);
    };
    await expect400('/faults/latency', { ms: -1 }, /"ms" must be a whole number from 1 to 60000, got -1/);
    await expect400('/faults/latency', {}, /"ms" must be/);
    await expect400('/faults/latency', { ms: 10, seconds: 'soon' }, /"seconds" must be a number/);
    await expect400('/faults/latency', { ms: 10, kind: 'bandwidth' }, /"kind" comes from the path/);
    await expect400(
      '/faults/bandwidth',
      { bytesPerSecond: 'fast' },
      /"bytesPerSecond" must be a whole number/,
    );
    await expect400('/faults/bandwidth', { bytesPerSecond: 10 }, /from 1024/);
    await expect400(
      '/faults/api-errors',
      { rate: 2 },
      /"rate" must be a number above 0 and at most 1, got 2/,
    );
    await expect400('/faults/api-errors', { rate: 1, code: 404 }, /"code" must be one of 500, 503, 429/);
    await expect400('/faults/pause-heartbeats', { clusters: [] }, /at least one cluster/);
    await expect400('/faults/pause-heartbeats', { clusters: 'f-1' }, /list of cluster names/);
    await expect400('/faults/pause-heartbeats', { cluster: ['f-1'] }, /unknown field "cluster"/);
    await expect400('/faults', { kind: 'meteor' }, /"kind" must be one of/);
    const unknownCluster = await post('/faults/latency', { clusters: ['f-1', 'nope'], ms: 10 });
    expect(unknownCluster.status).toBe(404);
    expect(((await unknownCluster.json()) as { message: string }).message).toMatch(/nope/);
    expect((await clear('f-00000000')).status).toBe(404);
    expect((await fetch(`${web.url}/faults/latency`)).status).toBe(405);
    expect(await active()).toEqual([]);
    const m = await metrics();
    for (const kind of ['latency', 'bandwidth', 'api_errors', 'pause_heartbeats'])
      expect(metric(m, 'scale_agent_faults_active', `kind="${kind}"`)).toBe(0);
  });

  it('clears every fault at once with DELETE /faults', async () => {
    await post('/faults/latency', { ms: 50 });
    await post('/faults/pause-heartbeats', { clusters: ['f-2'] });
    expect(await active()).toHaveLength(2);
    const res = await fetch(`${web.url}/faults`, { method: 'DELETE' });
    expect(((await res.json()) as { active: ActiveFault[] }).active).toEqual([]);
    await eventually(
      async () => (await clusterNodes('f-2')).every((n) => ready(n)?.status === 'True') || undefined,
      'f-2 nodes Ready after the clear',
      30_000,
    );
    expect(metric(await metrics(), 'scale_agent_fault_paused_nodes')).toBe(0);
  });
});
