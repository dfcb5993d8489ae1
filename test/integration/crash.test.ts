/**
 * Crash safety: the real agent process is SIGKILLed ten times at random
 * moments while it creates and imports a batch of 30 clusters, and restarted
 * each time on the same state. In the end every acknowledged cluster is
 * active in the Rancher stand-in exactly once, and the main cluster holds no
 * cluster the agent does not know.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MALLOC_TUNABLE } from '../../bin/malloc-tuning.mjs';
import {
  startAgentProcess,
  type AgentProcess,
  type AgentProcessOptions,
} from '../../e2e/helpers/agent-process';
import { KubeRest } from '../../src/main/engine/kube/kube-rest';
import { KwokctlProvider } from '../../src/main/engine/main-cluster/kwokctl-provider';
import type { KubeList, KubeObject } from '../../src/main/engine/kube/kube-object';
import {
  CLUSTER_LABEL,
  CLUSTER_NAMESPACE_LABEL,
} from '../../src/main/engine/provisioning/main-cluster-names';
import { freePort } from '../helpers/free-port';
import { KUBE_BIN_DIR } from '../helpers/kube-stack';
import { eventually } from '../helpers/main-cluster';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../helpers/rancher-standin';
import { memoryLogger } from '../helpers/test-logger';

const COUNT = 30;
const KILLS = 10;

describe('crash and restart during a batch', () => {
  let standin: StandIn;
  let agent: AgentProcess | undefined;
  let options: AgentProcessOptions;

  beforeAll(async () => {
    standin = await startStandIn();
    options = {
      home: mkdtempSync(join(tmpdir(), 'sca-home-')),
      workdir: mkdtempSync(join(tmpdir(), 'sca-kwok-')),
      port: await freePort(),
      apiPort: await freePort(),
      env: {
        RANCHER_URL: standin.url,
        RANCHER_TOKEN: STANDIN_TOKEN,
        RANCHER_CA_CERT: standin.caPath,
        // Started as a user would, without the test runner's allocator tuning: the launcher adds it.
        GLIBC_TUNABLES: '',
      },
    };
  });
  afterAll(async () => {
    await agent?.stop(); // also deletes the test's main cluster
    await standin?.stop();
  });

  const api = (path: string, init?: RequestInit) => fetch(`${agent!.url}${path}`, init);

  it(`survives ${KILLS} SIGKILLs: every acknowledged cluster active exactly once, no orphans`, async () => {
    agent = await startAgentProcess([], options);
    // The launcher re-executed itself (same process) with glibc's malloc tuned: bin/malloc-tuning.mjs.
    expect(readFileSync(`/proc/${agent.pid}/environ`, 'utf8').split('\0')).toContain(
      `GLIBC_TUNABLES=${MALLOC_TUNABLE}`,
    );
    await eventually(
      async () =>
        ((await (await api('/main-cluster')).json()) as { state: string }).state === 'running' || undefined,
      'main cluster',
      200_000,
    );
    const accepted = await api('/clusters/batch', {
      method: 'POST',
      body: JSON.stringify({ pattern: `k-{01..${COUNT}}`, template: 'tiny', concurrency: 4 }),
    });
    expect(accepted.status).toBe(202);

    const killedAt: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1500));
      const snapshot = await api('/clusters')
        .then((r) => r.json() as Promise<{ count: number }>)
        .catch(() => ({ count: -1 }));
      killedAt.push(
        `kill ${i + 1}: ${snapshot.count} clusters known, ${(await standin.get<{ data: unknown[] }>('/clusters')).data.length} in Rancher`,
      );
      await agent.kill();
      agent = await startAgentProcess([], options);
    }
    console.log(killedAt.join('\n'));

    const names = Array.from({ length: COUNT }, (_, i) => `k-${String(i + 1).padStart(2, '0')}`);
    expect(((await (await api('/clusters')).json()) as { clusters: string[] }).clusters.sort()).toEqual(
      names,
    );
    await eventually(
      async () => {
        const all = (await standin.get<{ data: { name: string; state: string }[] }>('/clusters')).data;
        return (all.length === COUNT && all.every((c) => c.state === 'active')) || undefined;
      },
      'all active in Rancher',
      240_000,
    );
    const inRancher = (await standin.get<{ data: { name: string }[] }>('/clusters')).data
      .map((c) => c.name)
      .sort();
    expect(inRancher).toEqual(names); // exactly once each

    // No orphans: every cluster in the main cluster is one the agent knows.
    const provider = new KwokctlProvider({
      name: 'main-cluster',
      apiPort: options.apiPort!,
      workdir: options.workdir,
      binaries: { binDir: KUBE_BIN_DIR },
      logger: memoryLogger().logger,
    });
    const rest = await KubeRest.fromKubeConfig(provider.kubeConfig());
    try {
      const ns = await rest.get<KubeList<KubeObject>>('/api/v1/namespaces', {
        labelSelector: `${CLUSTER_LABEL},${CLUSTER_NAMESPACE_LABEL}`,
      });
      const clusters = [...new Set(ns.items.map((n) => n.metadata.labels![CLUSTER_LABEL]!))].sort();
      expect(clusters).toEqual(names);
    } finally {
      rest.close();
    }
  });
});
