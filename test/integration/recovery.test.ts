/**
 * Faults from outside, survived: Rancher (the stand-in) restarting brings
 * every cluster back to active; the main apiserver stopping is noticed and
 * repaired by the engine, watches come back, nothing is created twice, and
 * new clusters can be made again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine';
import type { KubeList, KubeObject } from '../../src/main/engine/kube/kube-object';
import { CLUSTER_LABEL } from '../../src/main/engine/provisioning/main-cluster-names';
import { clusterRecord } from '../helpers/engine-view';
import { freePort } from '../helpers/free-port';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../helpers/rancher-standin';
import { testConfig } from '../helpers/test-config';
import { memoryLogger } from '../helpers/test-logger';

describe('recovery from outside faults', () => {
  let main: TestMainCluster;
  let standin: StandIn;
  let engine: Engine;
  let listen: string;
  const active = async (n: number) =>
    (await standin.get<{ data: { state: string; hasMainSession: boolean }[] }>('/clusters')).data.filter(
      (c) => c.state === 'active' && c.hasMainSession,
    ).length === n || undefined;

  beforeAll(async () => {
    listen = `127.0.0.1:${await freePort()}`;
    [main, standin] = await Promise.all([startTestMainCluster(), startStandIn([], undefined, listen)]);
    const config = testConfig({
      RancherURL: standin.url,
      BearerToken: STANDIN_TOKEN,
      RancherCACert: standin.caPath,
      ConnectRatePerSecond: 20,
    });
    engine = new Engine({
      config,
      logger: memoryLogger().logger,
      shell: 'headless',
      mainCluster: main.provider,
      statusIntervalMs: 1000,
    });
    engine.start();
    await engine.handle('batches.create', { pattern: 'f-{1..4}', template: 'tiny', concurrency: 4 });
    await eventually(() => active(4), 'four active', 120_000);
  });
  afterAll(async () => {
    await engine?.stop();
    await standin?.stop();
    await main?.destroy();
  });

  it('brings every cluster back to active after Rancher restarts', async () => {
    const dataDir = standin.dataDir;
    await standin.stop();
    standin = await startStandIn([], dataDir, listen);
    await eventually(() => active(4), 'all active after the stand-in restart', 120_000);
  });

  it('repairs a stopped main apiserver, without creating anything twice', async () => {
    const before = await main.rest.get<KubeList<KubeObject>>('/api/v1/nodes', {
      labelSelector: CLUSTER_LABEL,
    });
    await main.provider.stop();
    await eventually(
      () => engine.handle('mainCluster.get', undefined).then((m) => m.state !== 'running' || undefined),
      'outage noticed',
      30_000,
    );
    // The engine brings its main cluster back by itself (retry every 30 s).
    await eventually(
      () => engine.handle('mainCluster.get', undefined).then((m) => m.state === 'running' || undefined),
      'main cluster back',
      120_000,
    );
    const after = await main.rest.get<KubeList<KubeObject>>('/api/v1/nodes', {
      labelSelector: CLUSTER_LABEL,
    });
    expect(after.items.map((n) => n.metadata.name).sort()).toEqual(
      before.items.map((n) => n.metadata.name).sort(),
    );
    // Watches are back: a new cluster is made, and every cluster is active again.
    await engine.handle('clusters.create', { name: 'f-5', template: 'tiny' });
    await eventually(() => active(5), 'five active', 180_000);
    expect((await clusterRecord(engine, 'f-5')).nodeCount).toBe(1);
  });
});
