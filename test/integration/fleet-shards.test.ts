/**
 * A fleet of three real agent processes (shards) sharing one external main
 * cluster and one Rancher stand-in, given one fleet spec:
 *   - together they bring every cluster active, none made twice, none missing,
 *     each on the shard its name hashes to;
 *   - a SIGKILLed shard leaves the other two untouched, and its clusters come
 *     back when it restarts;
 *   - a bad spec changes nothing; removing a fifth of the spec deletes exactly
 *     those clusters.
 * CI runs it with 30 clusters; FLEET_SHARDS_COUNT=300 runs the full-size case
 * (docs/benchmarks.md has that run).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentProcess, type AgentProcess } from '../../e2e/helpers/agent-process';
import type { ClusterRecord } from '../../src/shared/cluster';
import type { FleetStatus } from '../../src/shared/fleet';
import type { KubeList, KubeObject } from '../../src/main/engine/kube/kube-object';
import { ShardAssignment } from '../../src/main/engine/fleet/shard';
import {
  AGENT_LABEL,
  CLUSTER_LABEL,
  anchorNamespace,
} from '../../src/main/engine/provisioning/main-cluster-names';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../helpers/rancher-standin';

const COUNT = Number(process.env.FLEET_SHARDS_COUNT ?? 30);
const SHARDS = 3;
const KEPT = Math.round(COUNT * 0.8);
const width = String(COUNT).length;
const nameOf = (i: number): string => `fleet-${String(i).padStart(width, '0')}`;
const ALL = Array.from({ length: COUNT }, (_, i) => nameOf(i + 1));
const ownerOf = (name: string): number => ShardAssignment.ownerOf(name, SHARDS);
/** Generous: on a 2-core machine three agents, their main cluster and Rancher share the CPU. */
const ACTIVE_TIMEOUT = 120_000 + COUNT * 2_000;

interface RancherCluster {
  id: string;
  name: string;
  state: string;
}

describe(`a fleet of ${SHARDS} shards keeping ${COUNT} clusters`, () => {
  let main: TestMainCluster;
  let standin: StandIn;
  let specPath: string;
  const shards: AgentProcess[] = [];
  const homes: string[] = [];

  const shardArgs = (i: number): string[] => [
    '--fleet',
    specPath,
    '--shard-index',
    String(i),
    '--shard-count',
    String(SHARDS),
    '--main-cluster-provider',
    'external',
    '--main-kubeconfig',
    main.provider.kubeconfigPath,
  ];
  const startShard = async (i: number): Promise<AgentProcess> =>
    startAgentProcess(shardArgs(i), {
      home: homes[i],
      env: { RANCHER_URL: standin.url, RANCHER_TOKEN: STANDIN_TOKEN, RANCHER_CA_CERT: standin.caPath },
    });
  const get = async <T>(shard: AgentProcess, path: string): Promise<T> => {
    const res = await fetch(`${shard.url}${path}`);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const names = async (shard: AgentProcess): Promise<string[]> =>
    (await get<{ clusters: string[] }>(shard, '/clusters')).clusters.sort();
  const rancherClusters = async (): Promise<RancherCluster[]> =>
    (await standin.get<{ data: RancherCluster[] }>('/clusters')).data;
  const writeSpec = (count: number): void =>
    writeFileSync(
      specPath,
      `# the clusters the fleet keeps\nconcurrency: 4\nclusters:\n  - pattern: "fleet-{${'1'.padStart(width, '0')}..${String(count).padStart(width, '0')}}"\n    template: tiny\n`,
    );
  const allActive = async (expected: string[]): Promise<RancherCluster[] | undefined> => {
    const all = await rancherClusters();
    const active = all
      .filter((c) => c.state === 'active')
      .map((c) => c.name)
      .sort();
    return active.length === expected.length &&
      all.length === expected.length &&
      active.join() === expected.join()
      ? all
      : undefined;
  };

  beforeAll(async () => {
    [main, standin] = await Promise.all([startTestMainCluster(), startStandIn()]);
    specPath = join(mkdtempSync(join(tmpdir(), 'sca-fleet-')), 'fleet.yaml');
    writeSpec(COUNT);
    for (let i = 0; i < SHARDS; i++) homes.push(mkdtempSync(join(tmpdir(), `sca-shard-${i}-`)));
    shards.push(...(await Promise.all([0, 1, 2].map(startShard))));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(shards.map((s) => s.kill()));
    await standin?.stop();
    await main?.destroy();
  });

  it('refuses to start on a bad spec, saying what is wrong', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'sca-fleet-bad-')), 'fleet.yaml');
    writeFileSync(bad, 'clusters:\n  - pattern: "x-{1..3}"\n    template: no-such-preset\n');
    const started = startAgentProcess([
      '--fleet',
      bad,
      '--main-cluster-provider',
      'external',
      '--main-kubeconfig',
      main.provider.kubeconfigPath,
    ]);
    await expect(started).rejects.toThrow(
      /exited early \(2\)[\s\S]*configuration error: fleet spec: Fleet: .*fleet\.yaml: clusters\[0\]: template: /,
    );
  });

  it(
    'brings every cluster active, each exactly once, on the shard its name hashes to',
    { timeout: ACTIVE_TIMEOUT + 60_000 },
    async () => {
      const inRancher = await eventually(
        () => allActive(ALL),
        `all ${COUNT} clusters active in Rancher`,
        ACTIVE_TIMEOUT,
      );
      expect(new Set(inRancher.map((c) => c.name)).size).toBe(COUNT);
      const held = await Promise.all(shards.map(names));
      for (let i = 0; i < SHARDS; i++) expect(held[i]).toEqual(ALL.filter((n) => ownerOf(n) === i));
      expect(held.flat().sort()).toEqual(ALL);

      for (let i = 0; i < SHARDS; i++) {
        const status = await get<FleetStatus>(shards[i]!, '/fleet');
        expect(status).toMatchObject({
          configured: true,
          shard: { index: i, count: SHARDS, agentId: `shard-${i}` },
          specClusters: COUNT,
          owned: held[i]!.length,
          byStatus: { ready: held[i]!.length },
          conflicts: [],
        });
        expect(status.error).toBeUndefined();
      }

      // In the shared main cluster each cluster's anchor carries its owner.
      const anchors = await main.rest.get<KubeList<KubeObject>>('/api/v1/namespaces', {
        labelSelector: AGENT_LABEL,
      });
      const owners = new Map(
        anchors.items.map((ns) => [ns.metadata.labels![CLUSTER_LABEL]!, ns.metadata.labels![AGENT_LABEL]]),
      );
      for (const name of ALL) expect(owners.get(name), name).toBe(`shard-${ownerOf(name)}`);
    },
  );

  it(
    'a SIGKILLed shard leaves the others untouched; its clusters return when it restarts',
    { timeout: ACTIVE_TIMEOUT + 120_000 },
    async () => {
      const victim = 1;
      const others = [0, 2];
      const recordsOf = async (i: number): Promise<string> => {
        const list = await names(shards[i]!);
        const records = await Promise.all(list.map((n) => get<ClusterRecord>(shards[i]!, `/clusters/${n}`)));
        return JSON.stringify(records.map((r) => [r.name, r.status, r.rancherId, r.createdAt]));
      };
      const othersBefore = await Promise.all(others.map(recordsOf));
      const victimNames = await names(shards[victim]!);
      await shards[victim]!.kill();

      // Long enough for a shard that reacted to the loss (or to Rancher's view of it) to show it.
      await new Promise((r) => setTimeout(r, 5_000));
      expect(await Promise.all(others.map(recordsOf))).toEqual(othersBefore);
      const stillActive = (await rancherClusters()).filter((c) => !victimNames.includes(c.name));
      expect(stillActive.every((c) => c.state === 'active')).toBe(true);

      shards[victim] = await startShard(victim);
      expect(await names(shards[victim]!)).toEqual(victimNames);
      await eventually(() => allActive(ALL), 'all clusters active again after the restart', ACTIVE_TIMEOUT);
      expect(await Promise.all(others.map(recordsOf))).toEqual(othersBefore);
    },
  );

  it('a bad spec change is reported on every shard and changes nothing', async () => {
    writeFileSync(specPath, 'clusters:\n  - pattern: "fleet-{1..3"\n');
    for (const shard of shards) {
      const status = await eventually(async () => {
        const s = await get<FleetStatus>(shard, '/fleet');
        return s.error ? s : undefined;
      }, 'the refusal of a bad spec');
      expect(status.error).toMatch(/fleet\.yaml: clusters\[0\]: /);
      expect(status.specClusters).toBe(COUNT);
    }
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await Promise.all(shards.map(names))).flat().sort()).toEqual(ALL);
  });

  it(
    `removing clusters from the spec (${COUNT} to ${KEPT}) deletes exactly those`,
    { timeout: 2 * ACTIVE_TIMEOUT + 120_000 },
    async () => {
      writeSpec(KEPT);
      const kept = ALL.slice(0, KEPT);
      await eventually(
        async () =>
          (await Promise.all(shards.map(names))).flat().sort().join() === kept.join() ? true : undefined,
        `the shards holding exactly the ${KEPT} kept clusters`,
        ACTIVE_TIMEOUT,
      );
      await eventually(
        () => allActive(kept),
        `Rancher holding exactly the ${KEPT} kept clusters, all active`,
        ACTIVE_TIMEOUT,
      );
      for (const shard of shards) {
        const status = await get<FleetStatus>(shard, '/fleet');
        expect(status.error).toBeUndefined();
        expect(status.specClusters).toBe(KEPT);
      }
      // The removed clusters' objects are gone from the shared main cluster too.
      for (const name of ALL.slice(KEPT)) {
        await eventually(
          async () => {
            const res = await main.rest.get<KubeList<KubeObject>>('/api/v1/namespaces', {
              labelSelector: `${CLUSTER_LABEL}=${name}`,
            });
            return res.items.length === 0 || undefined;
          },
          `${anchorNamespace(name)} and its namespaces deleted`,
          60_000,
        );
      }
    },
  );
});
