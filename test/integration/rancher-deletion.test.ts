/**
 * Nothing is deleted on a guess, and deletion follows Rancher's order, end
 * to end with the real kube stack and the Rancher stand-in:
 * - Rancher refusing the Steve tunnel (401) or the main tunnel (400) for
 *   longer than 20 s while it still has the cluster: the cluster is kept,
 *   says why in its record (UI and REST), keeps reconnecting, and is active
 *   again afterwards;
 * - the same refusals after a real deletion in Rancher: confirmed with
 *   GET /v3/clusters/<id> (404) and cleaned up; Rancher's cleanup Job, made
 *   through the tunnel before, completes in the simulated cluster;
 * - Rancher's API failing during the check: nothing is deleted;
 * - deletion from the agent: the v3 DELETE, Rancher's cleanup Job created
 *   through the tunnel while the tunnels are still up, then the tunnels
 *   close and the cluster's objects go; a removal Rancher does not finish
 *   within the bound is finished here, and REST says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRecord } from '../../src/shared/cluster';
import type { AgentConfig } from '../../src/main/engine/config/agent-config';
import { startWebServer, type RunningWebServer } from '../../src/main/engine/transport/web-server';
import { Engine } from '../../src/main/engine/engine';
import type { KubeList, KubeObject } from '../../src/main/engine/kube/kube-object';
import { hostNamespace, CLUSTER_LABEL } from '../../src/main/engine/provisioning/main-cluster-names';
import { clusterRecord, findCluster, hasCluster } from '../helpers/engine-view';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../helpers/rancher-standin';
import { testConfig } from '../helpers/test-config';
import { memoryLogger } from '../helpers/test-logger';

interface StandInCluster {
  id: string;
  name: string;
  state: string;
  hasMainSession: boolean;
  hasSteveSession: boolean;
}

interface JobObject extends KubeObject {
  status?: { succeeded?: number; conditions?: { type: string; status: string }[] };
}

const BURST_SECONDS = 22;
const NAMES = ['keep-steve', 'keep-main', 'gone-1', 'unreach-1', 'del-1', 'del-bound'] as const;

describe('deletion only on Rancher’s word, in Rancher’s order', () => {
  let main: TestMainCluster;
  let standin: StandIn;
  let engine: Engine;
  let web: RunningWebServer;
  let config: AgentConfig;
  const log = memoryLogger();
  const ids: Record<string, string> = {};

  const standinCluster = (id: string) => standin.get<StandInCluster & { error?: string }>(`/clusters/${id}`);
  const rest = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${web.url}${path}`, init);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const record = (name: string): Promise<ClusterRecord> => clusterRecord(engine, name);
  const activeAgain = (name: string) =>
    eventually(
      async () => {
        const r = await record(name);
        const c = await standinCluster(ids[name]!);
        return (
          (r.status === 'ready' &&
            r.tunnels?.main.state === 'connected' &&
            r.tunnels.steve.state === 'connected' &&
            r.message === undefined &&
            c.state === 'active' &&
            c.hasMainSession &&
            c.hasSteveSession) ||
          undefined
        );
      },
      `${name} connected and active again`,
      60_000,
    );
  const clusterNamespaces = async (name: string) =>
    (
      await main.rest.get<KubeList<KubeObject>>('/api/v1/namespaces', {
        labelSelector: `${CLUSTER_LABEL}=${name}`,
      })
    ).items;
  const cleanupJobs = async (name: string) =>
    (
      await main.rest.get<KubeList<JobObject>>(
        `/apis/batch/v1/namespaces/${hostNamespace(name, 'default')}/jobs`,
        { labelSelector: 'cattle.io/creator=norman' },
      )
    ).items;

  beforeAll(async () => {
    [main, standin] = await Promise.all([startTestMainCluster(), startStandIn()]);
    config = testConfig({
      RancherURL: standin.url,
      BearerToken: STANDIN_TOKEN,
      RancherCACert: standin.caPath,
      // Only refusals raise suspicions here (the watcher has its own test in rancher-import).
      RancherDeletionWatchSeconds: 3600,
      TunnelBackoffMaxSeconds: 2,
      RancherRemovalWaitSeconds: 60,
    });
    engine = new Engine({ config, logger: log.logger, shell: 'headless', mainCluster: main.provider });
    web = await startWebServer({
      engine,
      logger: log.logger,
      host: '127.0.0.1',
      port: 0,
      accessToken: '',
      rendererDir: undefined,
    });
    engine.start();
    for (const name of NAMES) await engine.handle('clusters.create', { name, template: 'tiny' });
    let seen = '';
    await eventually(
      async () => {
        const records = await Promise.all(NAMES.map((n) => record(n)));
        seen = records.map((r) => `${r.name}: ${r.status} ${r.error ?? ''}`).join('; ');
        if (!records.every((r) => r.status === 'ready')) return undefined;
        for (const r of records) ids[r.name] = r.rancherId;
        const all = await Promise.all(NAMES.map((n) => standinCluster(ids[n]!)));
        seen = all.map((c) => `${c.name}: ${c.state} ${JSON.stringify(c)}`).join('\n');
        return all.every((c) => c.state === 'active' && c.hasSteveSession) || undefined;
      },
      'every cluster ready here and active in the stand-in',
      180_000,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; last seen: ${seen}`);
    });
  });
  afterAll(async () => {
    await web?.close();
    await engine?.stop();
    await standin?.stop();
    await main?.destroy();
  });

  it(`keeps a cluster through a ${BURST_SECONDS} s 401 burst on its Steve tunnel and a 400 burst on its main tunnel while Rancher still has it`, async () => {
    const steveId = ids['keep-steve']!;
    const mainId = ids['keep-main']!;
    const rejectedBefore = (await standin.get<{ tunnels: { rejected: Record<string, number> } }>('/summary'))
      .tunnels.rejected;
    const { refuseUntil } = await standin.post<{ refuseUntil: string }>('/refuse-tunnels', {
      seconds: BURST_SECONDS,
      mode: '401',
      kind: 'steve',
      clusters: [steveId],
    });
    await standin.post('/refuse-tunnels', {
      seconds: BURST_SECONDS,
      mode: '400',
      kind: 'main',
      clusters: [mainId],
    });
    await standin.post(`/clusters/${steveId}/drop-sessions?kind=steve`);
    await standin.post(`/clusters/${mainId}/drop-sessions?kind=main`);

    // Each says why, over REST as in the UI, once Rancher has been asked.
    const steveNote = await eventually(
      async () => {
        const { body } = await rest('/clusters/keep-steve');
        const tunnels = body.tunnels as ClusterRecord['tunnels'];
        return tunnels?.steve.state === 'refused' && /still has/.test(String(body.message))
          ? body
          : undefined;
      },
      'keep-steve to show the refusal and the check',
      20_000,
    );
    expect(steveNote.message).toMatch(
      new RegExp(
        `^Rancher refused the Steve tunnel \\(401 failed authentication\\), but Rancher still has ${steveId} \\(state [a-z]+\\): keeping the cluster and reconnecting$`,
      ),
    );
    expect(steveNote.status).toBe('ready');
    await eventually(
      async () =>
        /^Rancher refused the main tunnel \(400 cluster not found\), but Rancher still has c-[a-z0-9]+ \(state [a-z]+\): keeping the cluster and reconnecting$/.test(
          (await record('keep-main')).message ?? '',
        ) || undefined,
      'keep-main to show the refusal and the check',
      20_000,
    );
    expect((await record('keep-main')).tunnels?.main.lastError).toBe(
      'Rancher refused the main tunnel (400 cluster not found)',
    );

    // Through the whole burst: kept, never deleting, still ready locally.
    while (Date.now() < Date.parse(refuseUntil)) {
      for (const n of ['keep-steve', 'keep-main']) {
        const kept = await findCluster(engine, n);
        expect(kept, `${n} kept`).toBeDefined();
        expect(kept!.status).toBe('ready');
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    // It kept trying under backoff (2 s at most here): Rancher refused it again and again.
    const rejected = (await standin.get<{ tunnels: { rejected: Record<string, number> } }>('/summary'))
      .tunnels.rejected;
    expect((rejected['401'] ?? 0) - (rejectedBefore['401'] ?? 0)).toBeGreaterThanOrEqual(5);
    expect((rejected['400'] ?? 0) - (rejectedBefore['400'] ?? 0)).toBeGreaterThanOrEqual(5);

    await Promise.all([activeAgain('keep-steve'), activeAgain('keep-main')]);
    const { body } = await rest('/clusters/keep-steve');
    expect(body.message).toBeUndefined();
    expect(log.lines.join('\n')).not.toMatch(/Cluster keep-(steve|main) was deleted in Rancher/);
  });

  it("cleans up after a real deletion in Rancher once the refusals are confirmed, after Rancher's cleanup Job ran through the tunnel", async () => {
    const id = ids['gone-1']!;
    expect(await standin.del(`/clusters/${id}`)).toBe(202);
    // Rancher's removal reaches the cluster through the still-open tunnel; the simulation runs the Job to completion.
    const job = await eventually(
      async () => {
        const done = (await cleanupJobs('gone-1')).find((j) =>
          j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'),
        );
        return done;
      },
      "Rancher's cleanup Job to complete in gone-1",
      60_000,
    );
    expect(job.metadata.name).toMatch(/^cattle-cleanup-/);
    expect(job.status?.succeeded).toBe(1);
    await eventually(
      async () => (await standinCluster(id)).error !== undefined || undefined,
      'gone in Rancher',
      30_000,
    );
    // Rancher does not close sessions; the next connect of each tunnel is refused.
    expect(await hasCluster(engine, 'gone-1')).toBe(true);
    await standin.post(`/clusters/${id}/drop-sessions`);
    await eventually(
      async () => !(await hasCluster(engine, 'gone-1')) || undefined,
      'gone-1 removed here',
      60_000,
    );
    expect(log.lines.join('\n')).toMatch(
      new RegExp(
        `Cluster gone-1: Rancher refused the (main|Steve) tunnel [^;]*; Rancher confirms the deletion \\(GET /v3/clusters/${id} answered 404\\)`,
      ),
    );
    await eventually(
      async () => (await clusterNamespaces('gone-1')).length === 0 || undefined,
      'gone-1 cluster removed',
      60_000,
    );
  });

  it('deletes nothing while Rancher cannot be asked (its v3 API answers 503), then reconnects', async () => {
    const id = ids['unreach-1']!;
    await standin.post('/fail-api', { seconds: 60 });
    try {
      await standin.post('/refuse-tunnels', { seconds: 45, mode: '401', kind: 'steve', clusters: [id] });
      await standin.post(`/clusters/${id}/drop-sessions?kind=steve`);
      await eventually(
        async () =>
          /cannot confirm with Rancher/.test((await record('unreach-1')).message ?? '') || undefined,
        'unreach-1 to say Rancher cannot be asked',
        45_000,
      );
      const unsure = await record('unreach-1');
      expect(unsure.message).toMatch(
        new RegExp(
          `^Rancher refused the Steve tunnel \\(401 failed authentication\\); cannot confirm with Rancher \\(Rancher answered 503 on GET /v3/clusters/${id} \\(ServiceUnavailable\\): .*\\): nothing is deleted, reconnecting$`,
        ),
      );
      expect(unsure.status).toBe('ready');
      expect(unsure.tunnels?.steve.state).toMatch(/refused|connecting/);
      // Later refusals ask again (at most every 5 s), still without an answer: still nothing deleted.
      await new Promise((r) => setTimeout(r, 8000));
      const later = await findCluster(engine, 'unreach-1');
      expect(later, 'unreach-1 kept').toBeDefined();
      expect(later!.status).toBe('ready');
    } finally {
      await standin.post('/fail-api', { seconds: 0 });
      await standin.post('/refuse-tunnels', { seconds: 0, mode: '401' });
    }
    await activeAgain('unreach-1');
  });

  it("deleting in the app sends the v3 DELETE and keeps the tunnels up until Rancher's removal has run through them", async () => {
    const id = ids['del-1']!;
    const since = new Date().toISOString();
    const notes: string[] = [];
    const onChange = (change: { upserted: ClusterRecord[] }) => {
      for (const r of change.upserted) if (r.name === 'del-1' && r.message) notes.push(r.message);
    };
    engine.events.on('clusters.changed', onChange);
    let jobSeenAt: number | undefined;
    let polling = true;
    const poller = (async () => {
      while (polling && jobSeenAt === undefined) {
        if ((await cleanupJobs('del-1').catch(() => [])).length > 0) jobSeenAt = Date.now();
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const { status, body } = await rest('/clusters/del-1', { method: 'DELETE' });
    polling = false;
    await poller;
    engine.events.off('clusters.changed', onChange);
    expect(status).toBe(200);
    expect(body).toEqual({ success: true });
    expect(await hasCluster(engine, 'del-1')).toBe(false);
    expect((await standinCluster(id)).error).toBe('cluster not found');

    // The Job was made through the tunnel while both tunnels were up; they closed afterwards.
    expect(jobSeenAt, "Rancher's cleanup Job seen in del-1").toBeDefined();
    const events = (
      await standin.get<{ events: { time: string; clientKey: string; event: string }[] }>(
        `/connects?since=${encodeURIComponent(since)}`,
      )
    ).events.filter((e) => e.clientKey === id || e.clientKey === `stv-cluster-${id}`);
    const disconnects = events.filter((e) => e.event === 'disconnect').map((e) => Date.parse(e.time));
    expect(disconnects).toHaveLength(2);
    expect(Math.min(...disconnects)).toBeGreaterThan(jobSeenAt!);
    expect(events.filter((e) => e.event === 'connect')).toHaveLength(0);
    expect(
      notes.some((n) =>
        new RegExp(
          `^Rancher is removing ${id} \\(state removing, .*\\); its tunnels stay up for Rancher's cleanup$`,
        ).test(n),
      ),
    ).toBe(true);
    await eventually(
      async () => (await clusterNamespaces('del-1')).length === 0 || undefined,
      'del-1 cluster removed',
      60_000,
    );
  });

  it('finishes a removal Rancher does not finish within the bound, and says so', async () => {
    const id = ids['del-bound']!;
    // The stand-in keeps a cluster "removing" for at least 0.5 s: a 0.2 s bound passes first.
    config.RancherRemovalWaitSeconds = 0.2;
    try {
      const { status, body } = await rest('/clusters/del-bound', { method: 'DELETE' });
      expect(status).toBe(200);
      expect(body).toEqual({
        success: true,
        note: `Rancher did not finish removing ${id} within 0.2 s: the removal was finished here without it`,
      });
    } finally {
      config.RancherRemovalWaitSeconds = 60;
    }
    expect(await hasCluster(engine, 'del-bound')).toBe(false);
    expect(log.lines.join('\n')).toMatch(/Cluster del-bound deleted \(Rancher did not finish removing/);
    await eventually(
      async () => (await standinCluster(id)).error !== undefined || undefined,
      'Rancher done too',
      30_000,
    );
  });
});
