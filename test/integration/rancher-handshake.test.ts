/**
 * The import handshake against the Rancher stand-in, where real Rancher's
 * timing and checks matter:
 * - Rancher makes a new cluster's namespace a few seconds after
 *   POST /v3/clusters returns (stand-in --namespace-delay); until then the
 *   registration token POST answers 404 `namespaces "c-xxxxx" not found`.
 *   The agent retries it, shows the wait in the cluster's step, and fails
 *   with a clear reason only past RancherNamespaceWaitSeconds.
 * - Before the first tunnel the agent checks Rancher's CA as the real agent
 *   does (sha256 of /v3/settings/cacerts + "\n" against the manifest's
 *   CATTLE_CA_CHECKSUM): a mismatch fails the cluster naming both checksums
 *   and opens no tunnel; with RancherInsecure it is a loud warning.
 */
import { createHash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRecord, ClusterStep } from '../../src/shared/cluster';
import type { AgentConfig } from '../../src/main/engine/config/agent-config';
import { Engine } from '../../src/main/engine/engine';
import { clusterRecord } from '../helpers/engine-view';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import { rancherGet, STANDIN_TOKEN, startStandIn, type StandIn } from '../helpers/rancher-standin';
import { testConfig } from '../helpers/test-config';
import { memoryLogger } from '../helpers/test-logger';

const NAMESPACE_DELAY_S = 6;

describe('import handshake: namespace timing and the CA check', () => {
  let main: TestMainCluster;
  let standin: StandIn;
  let engine: Engine;
  const log = memoryLogger();
  const others: Engine[] = [];

  const config = (over: Partial<AgentConfig> = {}): AgentConfig =>
    testConfig({
      RancherURL: standin.url,
      BearerToken: STANDIN_TOKEN,
      RancherCACert: standin.caPath,
      RancherDeletionWatchSeconds: 3600,
      ...over,
    });
  const otherEngine = (over: Partial<AgentConfig>, logger = memoryLogger().logger): Engine => {
    const e = new Engine({ config: config(over), logger, shell: 'headless', mainCluster: main.provider });
    others.push(e);
    e.start();
    return e;
  };
  const settled = (e: Engine, name: string) =>
    eventually(
      async () => {
        const r = await clusterRecord(e, name);
        return r.status === 'ready' || r.status === 'failed' ? r : undefined;
      },
      `${name} ready or failed`,
      180_000,
    );
  const rancherIdFromLog = (lines: string[], name: string) =>
    new RegExp(`Cluster ${name} is (c-[a-z0-9]+) in Rancher`).exec(lines.join('\n'))?.[1];

  beforeAll(async () => {
    [main, standin] = await Promise.all([
      startTestMainCluster(),
      startStandIn(['--namespace-delay', `${NAMESPACE_DELAY_S}s`]),
    ]);
    engine = new Engine({
      config: config(),
      logger: log.logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engine.start();
  });
  afterAll(async () => {
    for (const e of others) await e.stop();
    await engine?.stop();
    await standin?.stop();
    await main?.destroy();
  });

  it(`waits the ${NAMESPACE_DELAY_S} s Rancher takes to make the cluster's namespace, showing it in the step, and makes one token`, async () => {
    const progress: string[] = [];
    engine.events.on('clusters.changed', (change) => {
      for (const r of change.upserted)
        if (r.name === 'ns-1') for (const s of r.steps) if (s.progress) progress.push(s.progress);
    });
    await engine.handle('clusters.create', { name: 'ns-1', template: 'tiny' });
    const done = await settled(engine, 'ns-1');
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('ready');
    const id = done.rancherId;
    expect(
      progress.some((p) =>
        new RegExp(
          `^waiting for Rancher to create namespace ${id} \\(POST /v3/clusterregistrationtokens: 404, attempt \\d+, [\\d.]+ s of 60 s\\)$`,
        ).test(p),
      ),
    ).toBe(true);
    const step = done.steps.find((s: ClusterStep) => s.status === 'getting_yaml')!;
    expect(step.progress).toBe(`namespace ${id} ready in Rancher`);
    expect(Date.parse(step.endedAt!) - Date.parse(step.startedAt)).toBeGreaterThanOrEqual(
      (NAMESPACE_DELAY_S - 1) * 1000,
    );
    const lines = log.lines.join('\n');
    expect(lines).toContain(`Cluster ns-1: waiting for Rancher to create namespace ${id}`);
    expect(lines).toContain(`Cluster ns-1: Rancher has made namespace ${id}; registration token ready`);
    // One registration token of ours in Rancher: the retries made no duplicates. Rancher's
    // clusterdeploy adds its own, named "system" (GetOrCreateSystemClusterToken), once the
    // tunnel is up, which may be before this reads the list.
    const tokens = await rancherGet(standin, `/v3/clusterregistrationtokens?clusterId=${id}`);
    expect(tokens.status, tokens.body.slice(0, 300)).toBe(200);
    const ours = (JSON.parse(tokens.body) as { data: { name?: string }[] }).data.filter(
      (t) => t.name !== 'system',
    );
    expect(ours).toHaveLength(1);
    await eventually(
      async () => (await clusterRecord(engine, 'ns-1')).tunnels?.main.state === 'connected' || undefined,
      'ns-1 tunnels',
      30_000,
    );
  });

  it('fails with a clear reason when the namespace does not appear within RancherNamespaceWaitSeconds, and leaves nothing in Rancher', async () => {
    const other = otherEngine({ RancherNamespaceWaitSeconds: 2 });
    await other.handle('clusters.create', { name: 'ns-slow', template: 'tiny' });
    const failed = await settled(other, 'ns-slow');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(
      /^Rancher did not create the namespace of cluster c-[a-z0-9]+ within 2 s: POST \/v3\/clusterregistrationtokens answered 404 \(namespaces "c-[a-z0-9]+" not found\) \d+ times\. Rancher may be overloaded; RancherNamespaceWaitSeconds sets how long to wait$/,
    );
    await eventually(
      async () =>
        !(await standin.get<{ data: { name: string }[] }>('/clusters')).data.some(
          (c) => c.name === 'ns-slow',
        ) || undefined,
      'ns-slow removed from Rancher',
      30_000,
    );
  });

  it("opens no tunnel when the CA Rancher serves does not match the manifest's CATTLE_CA_CHECKSUM, naming both", async () => {
    const served = rootCertificates[0]!;
    const since = new Date().toISOString();
    await standin.post('/tamper-cacerts', { value: served });
    let failed: ClusterRecord;
    try {
      await engine.handle('clusters.create', { name: 'ca-bad', template: 'tiny' });
      failed = await settled(engine, 'ca-bad');
    } finally {
      await standin.post('/tamper-cacerts', { value: '' });
    }
    const { caChecksum } = await standin.get<{ caChecksum: string }>('/info');
    const servedSum = createHash('sha256').update(`${served}\n`).digest('hex');
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe(
      `Rancher's CA does not match the import manifest: sha256 of ${new URL(standin.url).origin}/v3/settings/cacerts (value + newline) is ${servedSum}, ` +
        `the manifest's CATTLE_CA_CHECKSUM is ${caChecksum}. This agent is talking to another Rancher than the one that made the manifest, ` +
        "or Rancher's CA changed since; no tunnel was opened",
    );
    // No tunnel was ever started: the record has no tunnels (they appear with the first start).
    expect((await clusterRecord(engine, 'ca-bad')).tunnels).toBeUndefined();
    const id = rancherIdFromLog(log.lines, 'ca-bad');
    expect(id).toBeDefined();
    const events = (
      await standin.get<{ events: { clientKey: string }[] }>(`/connects?since=${encodeURIComponent(since)}`)
    ).events;
    expect(events.filter((e) => e.clientKey === id || e.clientKey === `stv-cluster-${id}`)).toEqual([]);
  });

  it('with RancherInsecure, a CA mismatch is a loud warning and the tunnels open', async () => {
    const insecureLog = memoryLogger();
    await standin.post('/tamper-cacerts', { value: rootCertificates[1]! });
    try {
      const other = otherEngine({ RancherInsecure: true }, insecureLog.logger);
      await other.handle('clusters.create', { name: 'ca-insecure', template: 'tiny' });
      const done = await settled(other, 'ca-insecure');
      expect(done.error).toBeUndefined();
      await eventually(
        async () =>
          (await clusterRecord(other, 'ca-insecure')).tunnels?.main.state === 'connected' || undefined,
        'ca-insecure tunnels',
        30_000,
      );
    } finally {
      await standin.post('/tamper-cacerts', { value: '' });
    }
    const warning = insecureLog.lines
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.level === 40 && l.msg.includes("Rancher's CA does not match the import manifest"));
    expect(warning?.msg).toMatch(
      /^Cluster ca-insecure: Rancher's CA does not match .*\. RancherInsecure is on, so its tunnels are opened anyway: use this only with a throwaway test Rancher$/,
    );
  });
});
