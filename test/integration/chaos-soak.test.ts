/**
 * The chaos soak, short (the CI version of `npm run bench:soak`, same code:
 * bench/chaos-soak.ts): the real agent process, 50 tiny clusters imported
 * into the Rancher stand-in, then ~4 minutes with one reconnect storm, one
 * Steve 401 burst on 10 clusters, one stand-in restart, kube-apiserver frozen
 * for 30 s and one agent SIGKILL + restart. Nothing may be lost, deleted or
 * imported twice, and every recovery must come within its bound.
 * Needs `npm run build` (the agent runs from out/) and the kube stack.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runSoak, soakOptionsFromEnv, soakTables } from '../../bench/chaos-soak';
import { PROJECT_ROOT, requireBuild } from '../../e2e/helpers/agent-process';

it(
  'chaos soak (short): zero clusters lost, zero duplicates, every recovery within its bound',
  { timeout: 720_000 },
  async () => {
    requireBuild();
    const options = soakOptionsFromEnv(
      {},
      {
        clusters: 50,
        minutes: 4,
        standinRestartMinutes: 2,
        agentKills: 1,
        burstClusters: 10,
        burstSeconds: 25,
        apiserverStopSeconds: 30,
        stormRatePerSecond: 10,
        stormSeconds: 10,
        connectRate: 50,
        backoffMaxSeconds: 3,
        checkInterval: '2s',
        recoveryBoundSeconds: 90,
        sampleSeconds: 2,
        settleSeconds: 8,
        agentLogPath: join(PROJECT_ROOT, 'test-results', 'chaos-soak-agent.log'),
      },
    );
    const r = await runSoak(options);
    console.log(
      `${soakTables(r)}\n\nRSS slope ${r.rssSlopeMiBPerHour.toFixed(1)} MiB/h, fd slope ${r.fdSlopePerHour.toFixed(1)}/h over the steady stretches`,
    );
    expect(r.faults.map((f) => f.kind).sort()).toEqual(['apiserver', 'burst401', 'kill', 'restart', 'storm']);
    expect(r.problems).toEqual([]);
    for (const f of r.faults) {
      expect(f.lost, `${f.kind}: lost`).toEqual([]);
      expect(f.deleted, `${f.kind}: deleted`).toEqual([]);
      expect(f.duplicates, `${f.kind}: duplicates`).toEqual([]);
      expect(
        f.recoverySeconds,
        `${f.kind}: recovery within ${options.recoveryBoundSeconds} s`,
      ).not.toBeNull();
    }
    expect(r.final).toMatchObject({
      lost: [],
      deleted: [],
      duplicates: [],
      agentCount: 50,
      standinCount: 50,
    });
  },
);
