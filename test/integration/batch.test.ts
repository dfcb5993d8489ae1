/**
 * Batch creation through the engine against the real main cluster: 20
 * default clusters with per-cluster progress, failures injected from
 * outside (a ResourceQuota that forbids pods) and retried, and a cancel in
 * the middle that leaves nothing unaccounted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchStatus, ClusterStatus } from '../../src/shared/cluster';
import { testConfig } from '../helpers/test-config';
import { Engine } from '../../src/main/engine/engine';
import type { KubeList, KubeObject } from '../../src/main/engine/kube/kube-object';
import { hostNamespace, CLUSTER_LABEL } from '../../src/main/engine/provisioning/main-cluster-names';
import { clusterRecord, hasCluster } from '../helpers/engine-view';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import { memoryLogger } from '../helpers/test-logger';
import { waitForBatch } from '../helpers/wait-for-batch';

describe('batch creation', () => {
  let main: TestMainCluster;
  let engine: Engine;

  beforeAll(async () => {
    main = await startTestMainCluster();
    engine = new Engine({
      config: testConfig(),
      logger: memoryLogger().logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engine.start();
  });
  afterAll(async () => {
    await engine?.stop();
    await main?.destroy();
  });

  const clusterObjects = async (cluster: string) => {
    const sel = { labelSelector: `${CLUSTER_LABEL}=${cluster}` };
    const [ns, nodes] = await Promise.all([
      main.rest.get<KubeList<KubeObject>>('/api/v1/namespaces', sel),
      main.rest.get<KubeList<KubeObject>>('/api/v1/nodes', sel),
    ]);
    return ns.items.length + nodes.items.length;
  };

  async function injectQuota(cluster: string): Promise<string> {
    const ns = hostNamespace(cluster, 'default');
    await main.rest.apply(`/api/v1/namespaces/${ns}`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    await main.rest.apply(`/api/v1/namespaces/${ns}/resourcequotas/no-pods`, {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'no-pods', namespace: ns },
      spec: { hard: { pods: '0' } },
    });
    // Admission enforces the quota once its controller has recorded it.
    await eventually(
      async () => {
        const q = await main.rest.get<{ status?: { hard?: Record<string, string> } }>(
          `/api/v1/namespaces/${ns}/resourcequotas/no-pods`,
        );
        return q.status?.hard?.pods === '0' || undefined;
      },
      'quota observed',
      30_000,
    );
    return ns;
  }

  it('creates 20 default clusters with progress, keeps injected failures with their reason, and retries them', async () => {
    const quotaNs = [await injectQuota('b-04'), await injectQuota('b-17')];
    const seen = new Map<string, Set<ClusterStatus>>();
    engine.events.on('clusters.changed', (c) => {
      for (const r of c.upserted) {
        if (!seen.has(r.name)) seen.set(r.name, new Set());
        seen.get(r.name)!.add(r.status);
      }
    });
    const started = await engine.handle('batches.create', {
      pattern: 'b-{01..20}',
      template: 'default',
      concurrency: 4,
    });
    expect(started).toMatchObject({ state: 'running', total: 20, template: 'default' });

    const done = await waitForBatch(engine, started.id, 180_000);
    expect(done.byStatus).toEqual({ ready: 18, failed: 2 });
    expect(done.failures.map((f) => f.name).sort()).toEqual(['b-04', 'b-17']);
    expect(done.failures[0]!.error).toMatch(/forbidden|exceeded quota/i);
    expect(done.ratePerSecond).toBeGreaterThan(0);
    // Progress was pushed live for every cluster (events are coalesced, so
    // not every step of every cluster shows, but the steps do overall).
    expect(seen.size).toBe(20);
    const observed = new Set([...seen.values()].flatMap((s) => [...s]));
    expect([...observed]).toEqual(
      expect.arrayContaining(['pending', 'populating_template', 'ready', 'failed']),
    );
    const ready = await engine.handle('clusters.get', { name: 'b-01' });
    expect(ready.steps.map((s) => s.status)).toEqual([
      'pending',
      'creating_backing',
      'populating_template',
      'ready',
    ]);
    expect(ready.steps.every((s) => s.startedAt)).toBe(true);
    const failed = await engine.handle('clusters.get', { name: 'b-04' });
    expect(failed.status).toBe('failed');
    expect(failed.steps.at(-1)).toMatchObject({
      status: 'populating_template',
      error: expect.stringMatching(/quota/i),
    });

    // Clear the fault, retry the batch: everything ends ready.
    for (const ns of quotaNs)
      await main.rest.request('DELETE', `/api/v1/namespaces/${ns}/resourcequotas/no-pods`);
    await engine.handle('batches.retry', { id: started.id });
    const retried = await waitForBatch(engine, started.id, 120_000);
    expect(retried.byStatus).toEqual({ ready: 20 });
    const nodes = await main.rest.get<KubeList<KubeObject>>('/api/v1/nodes', {
      labelSelector: CLUSTER_LABEL,
    });
    expect(nodes.items.filter((n) => n.metadata.name.startsWith('b-'))).toHaveLength(40);
    await eventually(
      async () => (await engine.handle('clusters.get', { name: 'b-20' })).podCount === 4 || undefined,
      'pod count in record',
      15_000,
    );
  });

  it('cancels a batch in the middle: finished clusters kept, the rest removed without leftovers', async () => {
    const started = await engine.handle('batches.create', {
      pattern: 'k-{01..20}',
      template: 'default',
      concurrency: 2,
    });
    await eventually(
      async () => {
        const s = await engine.handle('batches.get', { id: started.id });
        return (s.byStatus.ready ?? 0) >= 3 || undefined;
      },
      'a few clusters ready',
      120_000,
    );
    const cancelled: BatchStatus = await engine.handle('batches.cancel', { id: started.id });
    expect(cancelled.state).toBe('cancelled');
    const kept: string[] = [];
    for (const n of cancelled.names) if (await hasCluster(engine, n)) kept.push(n);
    expect(kept.length).toBeGreaterThanOrEqual(3);
    expect(kept.length + cancelled.cancelled.length).toBe(20);
    for (const name of kept) expect((await clusterRecord(engine, name)).status).toBe('ready');
    for (const name of cancelled.cancelled) expect(await clusterObjects(name)).toBe(0);
    for (const name of kept) expect(await clusterObjects(name)).toBeGreaterThan(0);
  });

  it('deletes a cluster and everything it made', async () => {
    await engine.handle('clusters.delete', { name: 'b-01' });
    expect(await hasCluster(engine, 'b-01')).toBe(false);
    expect(await clusterObjects('b-01')).toBe(0);
    expect(await clusterObjects('b-02')).toBeGreaterThan(0);
  });
});
