/**
 * End to end with the real kube stack and the Rancher stand-in (Go, on
 * Rancher's real remotedialer server): clusters created through the engine
 * are imported, go active in the stand-in with their template's totals seen
 * through their own tunnels, survive dropped sessions under the connect-rate
 * limit, and are cleaned up when deleted on either side. Bad Rancher settings
 * give specific errors and leave nothing half-made in Rancher.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from '../../src/main/engine/config/agent-config';
import { testConfig } from '../helpers/test-config';
import { Engine } from '../../src/main/engine/engine';
import type { KubeList, KubeObject } from '../../src/main/engine/kube/kube-object';
import { canonicalQuantity } from '../../src/main/engine/provisioning/quantity';
import { getPreset } from '../../src/main/engine/provisioning/template/presets';
import { templateTotals } from '../../src/main/engine/provisioning/template/template-totals';
import { CLUSTER_LABEL } from '../../src/main/engine/provisioning/main-cluster-names';
import { clusterRecord, clusterRecords, findCluster } from '../helpers/engine-view';
import { KubeconfigClient } from '../helpers/kubectl';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import { rancherGet, STANDIN_TOKEN, startStandIn, type StandIn } from '../helpers/rancher-standin';
import { memoryLogger } from '../helpers/test-logger';
import { waitForBatch } from '../helpers/wait-for-batch';
import { busiestSecond } from '../helpers/busiest-second';

interface StandInCluster {
  id: string;
  name: string;
  state: string;
  nodeCount: number;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  requested: Record<string, string>;
  hasSteveSession: boolean;
  controllers: { pingSuccesses: number };
  conditions: Array<{ type: string; status: string; message?: string }>;
  crtbs: Array<{ userName: string; remoteConditions: Array<{ type: string; status: string }> | null }>;
}

const COUNT = 20;
const RATE = 10;
/** How much uneven connect handshakes may bunch arrivals at Rancher (see the rate-limit test). */
const ARRIVAL_SPREAD_MS = 500;

describe('import into Rancher (stand-in)', () => {
  let main: TestMainCluster;
  let standin: StandIn;
  let engine: Engine;
  const log = memoryLogger();

  const config = (over: Partial<AgentConfig> = {}): AgentConfig => ({
    ...testConfig(),
    RancherURL: standin.url,
    BearerToken: STANDIN_TOKEN,
    RancherCACert: standin.caPath,
    RancherDeletionWatchSeconds: 2,
    ConnectRatePerSecond: RATE,
    ...over,
  });
  const clusters = async () => (await standin.get<{ data: StandInCluster[] }>('/clusters')).data;

  /** Everything the engine pushes to a UI, as the UI receives it (JSON). */
  const uiPayloads: string[] = [];

  beforeAll(async () => {
    [main, standin] = await Promise.all([startTestMainCluster(), startStandIn()]);
    engine = new Engine({
      config: config(),
      logger: log.logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engine.events.on('clusters.changed', (p) => uiPayloads.push(JSON.stringify(p)));
    engine.events.on('mainCluster.changed', (p) => uiPayloads.push(JSON.stringify(p)));
    engine.start();
  });
  afterAll(async () => {
    await engine?.stop();
    await standin?.stop();
    await main?.destroy();
  });

  it(`imports ${COUNT} default clusters that all go active with their template's totals`, async () => {
    const batch = await engine.handle('batches.create', {
      pattern: `r-{01..${COUNT}}`,
      template: 'default',
      concurrency: 4,
    });
    await waitForBatch(engine, batch.id, 240_000, true);
    await eventually(
      async () => {
        const all = await clusters();
        return (all.length === COUNT && all.every((c) => c.state === 'active')) || undefined;
      },
      'all active in the stand-in',
      120_000,
    );

    const totals = templateTotals(getPreset('default'));
    const canon = (m: Record<string, string>) =>
      Object.fromEntries(Object.entries(m).map(([k, v]) => [k, canonicalQuantity(v)]));
    const expectedPods = String(Number(totals.requests.pods) + 1);
    // clusterdeploy re-applies the agent Deployment, as Rancher does: while it rolls out, the old and the
    // new agent pod both count for a moment. Wait for the totals to settle before comparing them.
    await eventually(
      async () => (await clusters()).every((c) => c.requested.pods === expectedPods) || undefined,
      'requested totals to settle after the agent rollout',
      60_000,
    );
    for (const c of await clusters()) {
      expect(c.nodeCount).toBe(totals.nodes);
      expect(canon(c.capacity)).toEqual(canon(totals.capacity));
      expect(canon(c.allocatable)).toEqual(canon(totals.allocatable));
      // Requests are the template's, plus one pod: Rancher's own cattle-cluster-agent, placed on the cluster's nodes.
      expect(canon(c.requested)).toEqual(canon({ ...totals.requests, pods: expectedPods }));
      expect(c.hasSteveSession).toBe(true);
      const record = await clusterRecord(engine, c.name);
      expect(record.rancherId).toBe(c.id);
      expect(record.tunnels?.main.state).toBe('connected');
      expect(record.tunnels?.steve.state).toBe('connected');
    }
    await eventually(
      async () => (await clusters()).every((c) => c.controllers.pingSuccesses > 0) || undefined,
      'Steve pings',
      30_000,
    );

    // What made the real Rancher's clusters stay provisioning: its client-go writes are protobuf
    // (impersonation accounts, the cluster role template binding sync), and clusterdeploy's
    // `kubectl apply --validate` of the agent manifest goes through its /k8s/clusters proxy.
    for (const c of await clusters()) {
      const condition = (type: string) => c.conditions.find((x) => x.type === type);
      expect(condition('AgentDeployed')?.status, `${c.name}: ${condition('AgentDeployed')?.message}`).toBe(
        'True',
      );
      expect(c.crtbs.length).toBeGreaterThan(0);
      for (const crtb of c.crtbs) {
        expect(crtb.remoteConditions?.length, `${c.name} ${crtb.userName}`).toBeGreaterThan(0);
        for (const rc of crtb.remoteConditions ?? []) expect(rc.status, `${c.name} ${rc.type}`).toBe('True');
      }
      // A user's read through Rancher's proxy: impersonated, and only this cluster's nodes.
      const nodes = await rancherGet(standin, `/k8s/clusters/${c.id}/api/v1/nodes`);
      expect(nodes.status, nodes.body.slice(0, 300)).toBe(200);
      const names = (JSON.parse(nodes.body) as KubeList<KubeObject>).items.map((n) => n.metadata.name);
      expect(names).toHaveLength(totals.nodes);
      for (const n of names) expect(n.startsWith(`${c.name}-`)).toBe(true);
    }
  });

  it('comes back active after every session is dropped, reconnecting under the rate limit', async () => {
    const since = new Date().toISOString();
    const dropped = await standin.post<{ dropped: number }>('/drop-sessions');
    expect(dropped.dropped).toBeGreaterThanOrEqual(COUNT);
    await eventually(
      async () => {
        const all = await clusters();
        return all.every((c) => c.state === 'active' && c.hasSteveSession) || undefined;
      },
      'all active again',
      120_000,
    );
    const events = (
      await standin.get<{ events: { time: string; event: string }[] }>(
        `/connects?since=${encodeURIComponent(since)}`,
      )
    ).events;
    const connects = events
      .filter((e) => e.event === 'connect')
      .map((e) => Date.parse(e.time))
      .sort((a, b) => a - b);
    expect(connects.length).toBeGreaterThanOrEqual(2 * COUNT);
    // The limiter (a token bucket: a burst of RATE, then RATE a second) lets at most 2 * RATE connects
    // start in any one second. These are the times Rancher saw them arrive, each one a TCP, TLS and
    // WebSocket handshake after the limiter let it go: uneven handshakes can bunch arrivals by up to
    // ARRIVAL_SPREAD_MS, in which the bucket lets RATE * ARRIVAL_SPREAD_MS / 1000 more through. Without
    // the limiter all 2 * COUNT reconnects would arrive within about a second (their backoff is 0-1 s).
    expect(busiestSecond(connects)).toBeLessThanOrEqual(
      2 * RATE + Math.ceil((RATE * ARRIVAL_SPREAD_MS) / 1000),
    );
    // 40 sessions at 10/s cannot all be back in under ~3 s: the limit held.
    expect(connects.at(-1)! - connects[0]!).toBeGreaterThanOrEqual(
      ((2 * COUNT - 2 * RATE) / RATE) * 1000 - 500,
    );
  });

  it('deleting a cluster in the app removes it from Rancher and from the main cluster', async () => {
    const id = (await clusterRecord(engine, 'r-01')).rancherId;
    await engine.handle('clusters.delete', { name: 'r-01' });
    expect(await standin.del(`/clusters/${id}`)).toBe(404);
    expect((await clusters()).some((c) => c.name === 'r-01')).toBe(false);
    const ns = await main.rest.get<KubeList<KubeObject>>('/api/v1/namespaces', {
      labelSelector: `${CLUSTER_LABEL}=r-01`,
    });
    expect(ns.items).toHaveLength(0);
  });

  it('deleting a cluster in Rancher makes the app stop its tunnels and clean up', async () => {
    const id = (await clusterRecord(engine, 'r-02')).rancherId;
    expect(await standin.del(`/clusters/${id}`)).toBe(202);
    // The watcher notices within its 2 s interval; removal then waits for the namespaces to be gone.
    // (A record's tunnels appear when its tunnels start and stay until the record goes.)
    await eventually(
      async () => {
        const r = await findCluster(engine, 'r-02');
        return r === undefined || r.status === 'deleting' || r.tunnels === undefined || undefined;
      },
      'r-02 seen as deleted',
      15_000,
    );
    await eventually(
      async () => (await findCluster(engine, 'r-02')) === undefined || undefined,
      'r-02 removed from the app',
      120_000,
    );
    // Its tunnels are closed: every session Rancher had from it has ended (Rancher closes none itself).
    // The stand-in notes an end when its side of the socket sees the close, a moment after the agent's.
    const sessions = await eventually(
      async () => {
        const events = (
          await standin.get<{ events: { clientKey: string; event: string }[] }>('/connects')
        ).events.filter((e) => e.clientKey === id || e.clientKey === `stv-cluster-${id}`);
        const connects = events.filter((e) => e.event === 'connect').length;
        const ends = events.filter((e) => e.event === 'disconnect').length;
        return ends === connects ? { connects, ends } : undefined;
      },
      "r-02's tunnel sessions closed",
      5_000,
    );
    expect(sessions.connects).toBeGreaterThanOrEqual(2); // both tunnels, at least once each
    await eventually(
      async () => {
        const ns = await main.rest.get<KubeList<KubeObject>>('/api/v1/namespaces', {
          labelSelector: `${CLUSTER_LABEL}=r-02`,
        });
        return ns.items.length === 0 || undefined;
      },
      'r-02 cluster removed',
      60_000,
    );
  });

  async function failureOf(over: Partial<AgentConfig>, name: string): Promise<string> {
    const other = new Engine({
      config: config(over),
      logger: memoryLogger().logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    other.start();
    try {
      await other.handle('clusters.create', { name, template: 'tiny' });
      const failed = await eventually(
        async () => {
          const r = await clusterRecord(other, name);
          return r.status === 'failed' ? r : undefined;
        },
        `${name} to fail`,
        120_000,
      );
      return failed.error ?? '';
    } finally {
      await other.stop();
    }
  }

  it('says exactly what is wrong with a bad token, an unreachable or untrusted Rancher, and leaves nothing in Rancher', async () => {
    expect(await failureOf({ BearerToken: 'token-wrong:nope' }, 'bad-token')).toMatch(
      /Rancher refused the API token \(401/,
    );
    expect(await failureOf({ RancherURL: 'https://127.0.0.1:1' }, 'no-rancher')).toMatch(
      /unreachable \(ECONNREFUSED\)/,
    );
    expect(await failureOf({ RancherCACert: '' }, 'untrusted')).toMatch(
      /certificate this agent does not trust/,
    );
    const names = (await clusters()).map((c) => c.name);
    for (const n of ['bad-token', 'no-rancher', 'untrusted']) expect(names).not.toContain(n);
  });

  it('says Rancher no longer has the import manifest when its download answers 404, without the token, and removes what it made', async () => {
    await standin.post('/fail-manifests', { count: 1 });
    const error = await failureOf({}, 'no-manifest');
    expect(error).toMatch(
      /Rancher no longer has the import manifest https:\/\/[^ ]+\/v3\/import\/\[token\]_c-[a-z0-9]+\.yaml \(404\)/,
    );
    // The failed attempt deleted the cluster it made; Rancher takes a moment to finish removing it.
    await eventually(
      async () => !(await clusters()).some((c) => c.name === 'no-manifest') || undefined,
      'no-manifest removed from Rancher',
      30_000,
    );
  });

  it('never lets a secret reach a log line, the state file or a UI payload', async () => {
    engine.store.saveNow();
    const state = readFileSync(engine.store.path, 'utf8');
    const secrets = [STANDIN_TOKEN, STANDIN_TOKEN.split(':')[1]!];
    // Each imported cluster's two credentials, from where Rancher and the cluster's user see them.
    const dir = mkdtempSync(join(tmpdir(), 'sca-secrets-'));
    for (const c of await clusterRecords(engine)) {
      if (!c.rancherId) continue;
      // The registration token its tunnels present, as Rancher lists it (with any other it has).
      const tokens = await rancherGet(standin, `/v3/clusterregistrationtokens?clusterId=${c.rancherId}`);
      expect(tokens.status, tokens.body.slice(0, 300)).toBe(200);
      const listed = (JSON.parse(tokens.body) as { data: { token: string }[] }).data;
      expect(listed.length, `${c.name}'s registration tokens`).toBeGreaterThan(0);
      secrets.push(...listed.map((t) => t.token));
      // The cattle service-account token handed to Rancher, from the cluster's own API (its kubeconfig).
      const kubeconfig = join(dir, `${c.name}.yaml`);
      writeFileSync(kubeconfig, (await engine.handle('clusters.kubeconfig', { name: c.name })).kubeconfig);
      const api = new KubeconfigClient(kubeconfig);
      try {
        const secret = await api.request('GET', '/api/v1/namespaces/cattle-system/secrets/cattle-token');
        const token = (secret.json?.data as { token?: string } | undefined)?.token;
        expect(token, `${c.name}'s cattle-token (HTTP ${secret.status})`).toBeDefined();
        secrets.push(Buffer.from(token!, 'base64').toString('utf8'));
      } finally {
        api.close();
      }
    }
    expect(secrets.length).toBeGreaterThan(10);
    const where: Record<string, string> = {
      logs: log.lines.join('\n'),
      state,
      'UI payloads': uiPayloads.join('\n'),
    };
    for (const [place, text] of Object.entries(where)) {
      expect(text.length, place).toBeGreaterThan(0);
      for (const secret of secrets) expect(text.includes(secret), `a secret in ${place}`).toBe(false);
    }
    expect(log.lines.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
