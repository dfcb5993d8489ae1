/**
 * The chaos soak: the real agent (`scale-cluster-agent serve`, the built
 * bundle, its own process with a home and a kwokctl main cluster that outlive
 * it) imports N tiny clusters into the Go Rancher stand-in and holds them for
 * M minutes while faults come on a schedule:
 *   - restart: the stand-in ("Rancher") stopped and relaunched on the same
 *     data dir and address, every SOAK_STANDIN_RESTART_MIN minutes;
 *   - storm: the agent's own reconnect storm (POST /faults/storm);
 *   - burst401: the stand-in refuses the Steve tunnel of B clusters with 401
 *     (`/refuse-tunnels`) for ~25 s and their Steve sessions are dropped, so
 *     every reconnect is refused while the v3 API still has the clusters
 *     (the agent must ask GET /v3/clusters/<id> and keep them);
 *   - apiserver: the main cluster's kube-apiserver frozen with SIGSTOP for S
 *     seconds, then SIGCONT (the process stays, its port stays open, every
 *     request hangs: the apiserver is unavailable, not gone);
 *   - kill: the agent SIGKILLed and started again on the same home and ports.
 * After each fault it waits (bounded) for full recovery: every cluster
 * active in the stand-in with both sessions there, and ready with both
 * tunnels connected in the agent (GET /clusters/<name> on its REST API).
 * It records clusters lost and duplicates in Rancher, the time to recovery
 * after each fault, and the agent's RSS and open fds from /proc, sampled every
 * few seconds, with their least-squares slopes over the steady stretches.
 *
 * Used by bench/chaos-soak.bench.test.ts (npm run bench:soak) and
 * test/integration/chaos-soak.test.ts (the short CI version).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { startAgentProcess, type AgentProcess } from '../e2e/helpers/agent-process';
import { freePort } from '../test/helpers/free-port';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../test/helpers/rancher-standin';
import { findPids } from './lib/process-cpu';
import { pooledSlope, slope, type Point } from './lib/slope';

/** How long a fault waits for every cluster to be healthy before it starts. */
const PRE_FAULT_WAIT_S = 60;

export type FaultKind = 'restart' | 'storm' | 'burst401' | 'apiserver' | 'kill';

export interface SoakOptions {
  clusters: number;
  /** Length of the hold with faults (the schedule spreads over it). */
  minutes: number;
  /** Stand-in restarts every this many minutes. */
  standinRestartMinutes: number;
  /** Agent SIGKILLs over the run. */
  agentKills: number;
  /** Clusters whose Steve tunnel gets 401s in the burst. */
  burstClusters: number;
  burstSeconds: number;
  apiserverStopSeconds: number;
  stormRatePerSecond: number;
  stormSeconds: number;
  /** The agent's ConnectRatePerSecond. */
  connectRate: number;
  /** The agent's TunnelBackoffMaxSeconds. */
  backoffMaxSeconds: number;
  /** The stand-in's ping and health interval, e.g. '2s'. */
  checkInterval: string;
  /** Bound on each recovery, from the end of its fault. */
  recoveryBoundSeconds: number;
  sampleSeconds: number;
  /** Seconds after a recovery before the steady stretch counts (settling). */
  settleSeconds: number;
  /** Where to write the agents' output at the end (optional). */
  agentLogPath?: string;
  log: (line: string) => void;
}

/** Defaults from the environment (SOAK_*): the 1,000-cluster, 60-minute soak. */
export function soakOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  base: Partial<SoakOptions> = {},
): SoakOptions {
  const num = (name: string, fallback: number) =>
    env[name] !== undefined && env[name] !== '' ? Number(env[name]) : fallback;
  const clusters = num('SOAK_CLUSTERS', base.clusters ?? 1000);
  const connectRate = num('SOAK_CONNECT_RATE', base.connectRate ?? 50);
  const checkInterval = env.SOAK_CHECK_INTERVAL ?? base.checkInterval ?? (clusters > 100 ? '15s' : '2s');
  const checkSeconds = Number(/^(\d+)s$/.exec(checkInterval)?.[1] ?? 15);
  return {
    clusters,
    minutes: num('SOAK_MINUTES', base.minutes ?? 60),
    standinRestartMinutes: num('SOAK_STANDIN_RESTART_MIN', base.standinRestartMinutes ?? 10),
    agentKills: num('SOAK_AGENT_KILLS', base.agentKills ?? 2),
    burstClusters: Math.min(clusters, num('SOAK_BURST_CLUSTERS', base.burstClusters ?? 100)),
    burstSeconds: num('SOAK_BURST_SECONDS', base.burstSeconds ?? 25),
    apiserverStopSeconds: num('SOAK_APISERVER_STOP_S', base.apiserverStopSeconds ?? 60),
    stormRatePerSecond: num(
      'SOAK_STORM_RATE',
      base.stormRatePerSecond ?? Math.max(5, Math.ceil(clusters / 20)),
    ),
    stormSeconds: num('SOAK_STORM_SECONDS', base.stormSeconds ?? 20),
    connectRate,
    backoffMaxSeconds: num('SOAK_BACKOFF_MAX_S', base.backoffMaxSeconds ?? 5),
    checkInterval,
    recoveryBoundSeconds: num(
      'SOAK_RECOVERY_BOUND_S',
      base.recoveryBoundSeconds ?? Math.ceil(90 + (2 * clusters) / connectRate + 4 * checkSeconds),
    ),
    sampleSeconds: num('SOAK_SAMPLE_S', base.sampleSeconds ?? 5),
    settleSeconds: num('SOAK_SETTLE_S', base.settleSeconds ?? 2 * checkSeconds + 5),
    agentLogPath: env.SOAK_AGENT_LOG ?? base.agentLogPath,
    log: base.log ?? ((line) => console.log(`[soak] ${new Date().toISOString()} ${line}`)),
  };
}

/**
 * When each fault comes, in seconds from the start of the hold: restarts
 * every `standinRestartMinutes`; the other faults (storm, 401 burst,
 * apiserver, then the kills) halfway between them, or evenly spread when
 * there are more of them than gaps.
 */
export function faultSchedule(o: SoakOptions): { at: number; kind: FaultKind }[] {
  const total = o.minutes * 60;
  const every = o.standinRestartMinutes * 60;
  const restarts: number[] = [];
  for (let t = every; t < total - 1 && restarts.length < 1000; t += every) restarts.push(t);
  const others: FaultKind[] = ['storm', 'burst401', 'apiserver'];
  for (let i = 0; i < o.agentKills; i++) others.push('kill');
  const bounds = [0, ...restarts, total];
  const gaps = bounds.slice(1).map((b, i) => (bounds[i]! + b) / 2);
  const times =
    others.length <= gaps.length
      ? gaps.slice(0, others.length)
      : others.map((_, i) => (total * (i + 0.5)) / others.length);
  return [
    ...restarts.map((at) => ({ at, kind: 'restart' as const })),
    ...others.map((kind, i) => ({ at: times[i]!, kind })),
  ].sort((a, b) => a.at - b.at);
}

export interface FaultResult {
  kind: FaultKind;
  /** Seconds since the start of the run. */
  startedAt: number;
  /** How long the fault itself lasted (s). */
  faultSeconds: number;
  /** From the end of the fault to full recovery (s); null if not within the bound. */
  recoverySeconds: number | null;
  /** Clusters active before, not active in both places after the bounded wait (or deleted). */
  lost: string[];
  deleted: string[];
  duplicates: string[];
  note: string;
}

export interface Sample {
  t: number;
  pid: number;
  rssMiB: number;
  fds: number;
  /** Active in the stand-in (its /summary); null when it did not answer. */
  active: number | null;
  steady: boolean;
}

export interface SoakResult {
  options: SoakOptions;
  createSeconds: number;
  holdSeconds: number;
  faults: FaultResult[];
  final: {
    lost: string[];
    deleted: string[];
    duplicates: string[];
    agentCount: number;
    standinCount: number;
  };
  samples: Sample[];
  marks: { at: number; label: string }[];
  rssSlopeMiBPerHour: number;
  fdSlopePerHour: number;
  steadyStretches: { from: number; to: number; samples: number; rssMiBPerHour: number; fdsPerHour: number }[];
  /** Every problem found (lost, duplicates, recoveries over the bound, ...). */
  problems: string[];
}

interface StandInCluster {
  id: string;
  name: string;
  state: string;
  removing?: boolean;
  hasMainSession: boolean;
  hasSteveSession: boolean;
}

interface AgentCluster {
  name: string;
  status: string;
  rancherId: string;
  message?: string;
  tunnels?: { main: { state: string }; steve: { state: string } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson<T>(url: string, timeoutMs = 15_000): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function postJson<T>(url: string, body?: unknown, timeoutMs = 15_000): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Runs `fn` over `items`, `width` at a time. */
async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

function agentPid(port: number): number | undefined {
  return findPids((c) => c.includes('scale-cluster-agent.mjs') && c.includes(`--listen-port ${port} `))[0];
}

function procReading(pid: number): { rssMiB: number; fds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { rssMiB: kb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

/** The state of every cluster, seen from both sides. */
interface Snapshot {
  /** Names ready with both tunnels connected in the agent and active with both sessions in the stand-in. */
  healthy: Set<string>;
  agentNames: Set<string>;
  /** Stand-in display names (not removing). */
  standinNames: Set<string>;
  duplicates: string[];
  agentOk: boolean;
  standinOk: boolean;
  summary: string;
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const t0 = performance.now();
  const now = () => (performance.now() - t0) / 1000;
  const log = o.log;
  const problems: string[] = [];
  const samples: Sample[] = [];
  const marks: { at: number; label: string }[] = [];
  const faults: FaultResult[] = [];
  const agents: AgentProcess[] = [];
  const listen = `127.0.0.1:${await freePort()}`;
  const standinArgs = ['--ping-interval', o.checkInterval, '--health-interval', o.checkInterval];
  let standin: StandIn | undefined = await startStandIn(standinArgs, undefined, listen);
  const dataDir = standin.dataDir;
  const agentEnv = () => ({
    RANCHER_URL: standin!.url,
    RANCHER_TOKEN: STANDIN_TOKEN,
    RANCHER_CA_CERT: standin!.caPath,
    SCALE_AGENT_CONNECT_RATE: String(o.connectRate),
    SCALE_AGENT_TUNNEL_BACKOFF_MAX_SECONDS: String(o.backoffMaxSeconds),
    SCALE_AGENT_LOG: 'info',
  });
  let agent = await startAgentProcess([], { env: agentEnv() });
  agents.push(agent);
  const port = Number(new URL(agent.url).port);
  let pid = agentPid(port);
  let steady = false;
  let stoppedApiserver: number[] = [];

  const sampler = setInterval(() => {
    const p = pid ?? agentPid(port);
    const reading = p ? procReading(p) : undefined;
    const t = now();
    const s = standin;
    const push = (active: number | null) => {
      if (reading && p) samples.push({ t, pid: p, ...reading, active, steady });
    };
    if (!s) return push(null);
    getJson<{ byState: Record<string, number> }>(`${s.control}/summary`, 4000).then(
      (sum) => push(sum.byState.active ?? 0),
      () => push(null),
    );
  }, o.sampleSeconds * 1000);

  const snapshot = async (): Promise<Snapshot> => {
    let standinClusters: StandInCluster[] = [];
    let standinOk = false;
    try {
      standinClusters = (await getJson<{ data: StandInCluster[] }>(`${standin!.control}/clusters`, 30_000))
        .data;
      standinOk = true;
    } catch {
      // restarting
    }
    let agentClusters: AgentCluster[] = [];
    let agentOk = false;
    try {
      const { clusters } = await getJson<{ clusters: string[] }>(`${agent.url}/clusters`);
      agentClusters = await pool(clusters, 16, (n) =>
        getJson<AgentCluster>(`${agent.url}/clusters/${encodeURIComponent(n)}`),
      );
      agentOk = true;
    } catch {
      // killed or restarting
    }
    const byName = new Map<string, StandInCluster[]>();
    for (const c of standinClusters) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
    const duplicates = [...byName]
      .filter(([, cs]) => cs.length > 1)
      .map(([n, cs]) => `${n} (${cs.map((c) => c.id).join(', ')})`);
    const standinById = new Map(standinClusters.map((c) => [c.id, c]));
    const healthy = new Set<string>();
    const tally: Record<string, number> = {};
    for (const a of agentClusters) {
      const r = standinById.get(a.rancherId);
      const inAgent =
        a.status === 'ready' &&
        a.tunnels?.main.state === 'connected' &&
        a.tunnels.steve.state === 'connected';
      const inStandin = !!r && r.state === 'active' && !r.removing && r.hasMainSession && r.hasSteveSession;
      if (inAgent && inStandin) healthy.add(a.name);
      const key = `${a.status}/${a.tunnels?.main.state ?? '-'}/${a.tunnels?.steve.state ?? '-'}/rancher:${r ? r.state : 'missing'}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    return {
      healthy,
      agentNames: new Set(agentClusters.map((a) => a.name)),
      standinNames: new Set(
        standinClusters.filter((c) => !c.removing && c.state !== 'removing').map((c) => c.name),
      ),
      duplicates,
      agentOk,
      standinOk,
      summary: `healthy ${healthy.size}/${o.clusters}; agent ${agentOk ? agentClusters.length : 'down'}; stand-in ${
        standinOk ? standinClusters.length : 'down'
      }; ${JSON.stringify(tally)}`,
    };
  };

  /** Waits (bounded) until every cluster is healthy; the last snapshot and when it got there. */
  const waitHealthy = async (boundSeconds: number): Promise<{ snap: Snapshot; at: number | null }> => {
    const deadline = now() + boundSeconds;
    let lastLog = now();
    for (;;) {
      const snap = await snapshot();
      if (snap.healthy.size === o.clusters) return { snap, at: now() };
      if (now() > deadline) return { snap, at: null };
      if (now() - lastLog > 15) {
        log(snap.summary);
        lastLog = now();
      }
      await sleep(1000);
    }
  };

  const resume = () => {
    for (const p of stoppedApiserver) {
      try {
        process.kill(p, 'SIGCONT');
      } catch {
        // gone
      }
    }
    stoppedApiserver = [];
  };

  const stretches: { from: number; to: number }[] = [];
  try {
    // The main cluster first (the agent brings it up itself), then the batch.
    const mainDeadline = now() + 240;
    for (;;) {
      const m = await getJson<{ state: string; message?: string }>(`${agent.url}/main-cluster`).catch(
        () => undefined,
      );
      if (m?.state === 'running') break;
      if (now() > mainDeadline) throw new Error(`main cluster not running after 240 s: ${JSON.stringify(m)}`);
      await sleep(1000);
    }
    log(`main cluster running at ${now().toFixed(0)} s; creating ${o.clusters} clusters`);
    marks.push({ at: Math.round(now()), label: 'create' });
    const createStart = now();
    const width = String(o.clusters).length;
    const batch = await postJson<{ id: string }>(`${agent.url}/clusters/batch`, {
      pattern: `soak-{${'1'.padStart(width, '0')}..${o.clusters}}`,
      template: 'tiny',
      concurrency: 8,
    });
    const batchDeadline = now() + Math.max(600, o.clusters * 3);
    for (;;) {
      // A failed poll (the agent busy or a kept-alive socket reset) is retried until the deadline.
      const b = await getJson<{ state: string; failures: unknown[]; byStatus: unknown }>(
        `${agent.url}/batches/${batch.id}`,
      ).catch((err: unknown) => {
        log(`batch poll failed (retrying): ${String(err)}`);
        return { state: 'unknown', failures: [], byStatus: String(err) };
      });
      if (b.failures.length > 0) throw new Error(`batch failed: ${JSON.stringify(b.failures.slice(0, 3))}`);
      if (b.state === 'completed') break;
      if (now() > batchDeadline) throw new Error(`batch not done: ${JSON.stringify(b.byStatus)}`);
      await sleep(2000);
    }
    const created = await waitHealthy(Math.max(300, o.clusters));
    if (created.at === null)
      throw new Error(`clusters never all healthy after the import: ${created.snap.summary}`);
    const createSeconds = created.at - createStart;
    log(`all ${o.clusters} healthy after ${createSeconds.toFixed(0)} s`);

    const holdStart = now();
    let steadyFrom = holdStart + o.settleSeconds;
    steady = true;
    const schedule = faultSchedule(o);
    log(`schedule: ${schedule.map((f) => `${f.kind}@${(f.at / 60).toFixed(1)}min`).join(', ')}`);
    for (const planned of schedule) {
      const wait = holdStart + planned.at - now();
      if (wait > 0) await sleep(wait * 1000);
      let before = await snapshot();
      if (before.healthy.size !== o.clusters) {
        // A health check that failed once under load marks a cluster unavailable until the next
        // one passes (Rancher does the same). The fault waits for a steady start, bounded; only a
        // cluster still unhealthy then is a problem (below).
        log(`before ${planned.kind}: ${before.summary}; waiting up to ${PRE_FAULT_WAIT_S} s for all healthy`);
        const settled = await waitHealthy(PRE_FAULT_WAIT_S);
        before = settled.snap;
        if (settled.at !== null) log(`all ${o.clusters} healthy again; ${planned.kind} starts`);
      }
      steady = false;
      stretches.push({ from: steadyFrom, to: now() });
      const startedAt = now();
      marks.push({ at: Math.round(startedAt), label: planned.kind });
      log(`fault ${planned.kind} at ${startedAt.toFixed(0)} s; before: ${before.summary}`);
      let note = '';
      const rejectedBefore = await getJson<{ tunnels: { rejected?: Record<string, number> } }>(
        `${standin!.control}/summary`,
      )
        .then((s) => s.tunnels.rejected?.['401'] ?? 0)
        .catch(() => 0);
      switch (planned.kind) {
        case 'restart': {
          await standin!.stop();
          standin = await startStandIn(standinArgs, dataDir, listen);
          note = 'stand-in SIGTERM, relaunched on the same data dir and address';
          break;
        }
        case 'storm': {
          await postJson(`${agent.url}/faults/storm`, {
            ratePerSecond: o.stormRatePerSecond,
            seconds: o.stormSeconds,
          });
          await sleep(o.stormSeconds * 1000);
          const f = await getJson<{ droppedSessions?: number }>(`${agent.url}/faults`).catch(() => undefined);
          note = `${o.stormRatePerSecond} drops/s for ${o.stormSeconds} s (agent counted ${f?.droppedSessions ?? '?'} dropped sessions in all)`;
          break;
        }
        case 'burst401': {
          const names = [...before.healthy].sort().slice(0, o.burstClusters);
          const ids = await pool(
            names,
            16,
            async (n) =>
              (await getJson<AgentCluster>(`${agent.url}/clusters/${encodeURIComponent(n)}`)).rancherId,
          );
          await postJson(`${standin!.control}/refuse-tunnels`, {
            seconds: o.burstSeconds,
            mode: '401',
            kind: 'steve',
            clusters: ids,
          });
          await pool(ids, 16, (id) =>
            postJson(`${standin!.control}/clusters/${id}/drop-sessions?kind=steve`),
          );
          await sleep(o.burstSeconds * 1000 + 500);
          const rejected = await getJson<{ tunnels: { rejected?: Record<string, number> } }>(
            `${standin!.control}/summary`,
          )
            .then((s) => s.tunnels.rejected?.['401'] ?? 0)
            .catch(() => 0);
          note = `Steve refused with 401 on ${ids.length} clusters for ${o.burstSeconds} s (${rejected - rejectedBefore} refusals)`;
          break;
        }
        case 'apiserver': {
          const pids = findPids(
            (c) => (c.split(' ')[0] ?? '').endsWith('kube-apiserver') && c.includes(agent.workdir),
          );
          if (pids.length === 0) throw new Error('kube-apiserver of the main cluster not found');
          for (const p of pids) process.kill(p, 'SIGSTOP');
          stoppedApiserver = pids;
          await sleep(o.apiserverStopSeconds * 1000);
          resume();
          note = `kube-apiserver (pid ${pids.join(', ')}) SIGSTOP for ${o.apiserverStopSeconds} s, then SIGCONT`;
          break;
        }
        case 'kill': {
          const old = pid;
          await agent.kill();
          pid = undefined;
          agent = await startAgentProcess([], {
            env: agentEnv(),
            home: agent.home,
            workdir: agent.workdir,
            port,
            apiPort: agent.apiPort,
          });
          agents.push(agent);
          pid = agentPid(port);
          note = `agent pid ${old} SIGKILLed, restarted as pid ${pid} on the same home and ports`;
          break;
        }
      }
      const faultEnd = now();
      const { snap, at } = await waitHealthy(o.recoveryBoundSeconds);
      const lost = [...before.healthy].filter((n) => !snap.healthy.has(n)).sort();
      const deleted = [...before.healthy]
        .filter(
          (n) => (snap.agentOk && !snap.agentNames.has(n)) || (snap.standinOk && !snap.standinNames.has(n)),
        )
        .sort();
      const result: FaultResult = {
        kind: planned.kind,
        startedAt,
        faultSeconds: faultEnd - startedAt,
        recoverySeconds: at === null ? null : at - faultEnd,
        lost,
        deleted,
        duplicates: snap.duplicates,
        note,
      };
      faults.push(result);
      if (before.healthy.size !== o.clusters)
        problems.push(
          `before ${planned.kind} at ${startedAt.toFixed(0)} s only ${before.healthy.size} healthy`,
        );
      if (at === null)
        problems.push(
          `${planned.kind} at ${startedAt.toFixed(0)} s: not recovered within ${o.recoveryBoundSeconds} s (${snap.summary})`,
        );
      if (lost.length) problems.push(`${planned.kind}: ${lost.length} lost: ${lost.slice(0, 10).join(', ')}`);
      if (deleted.length)
        problems.push(`${planned.kind}: ${deleted.length} deleted: ${deleted.slice(0, 10).join(', ')}`);
      if (snap.duplicates.length)
        problems.push(`${planned.kind}: duplicates in Rancher: ${snap.duplicates.join('; ')}`);
      log(
        `${planned.kind}: fault ${result.faultSeconds.toFixed(0)} s, recovered ${
          at === null ? 'NOT within bound' : `in ${result.recoverySeconds!.toFixed(1)} s`
        }; lost ${lost.length}, deleted ${deleted.length}, duplicates ${snap.duplicates.length}; ${note}`,
      );
      steadyFrom = now() + o.settleSeconds;
      steady = true;
      // Samples in the settling time are not steady: the sampler marks them, fixed below by time.
    }
    const holdEnd = holdStart + o.minutes * 60;
    if (holdEnd > now()) await sleep((holdEnd - now()) * 1000);
    stretches.push({ from: steadyFrom, to: now() });
    steady = false;
    // Final account.
    const end = await waitHealthy(o.recoveryBoundSeconds);
    const standinAll = (await getJson<{ data: StandInCluster[] }>(`${standin.control}/clusters`, 30_000))
      .data;
    const allNames = Array.from(
      { length: o.clusters },
      (_, i) => `soak-${String(i + 1).padStart(width, '0')}`,
    );
    const finalLost = allNames.filter((n) => !end.snap.healthy.has(n));
    const finalDeleted = allNames.filter((n) => !end.snap.agentNames.has(n) || !end.snap.standinNames.has(n));
    if (finalLost.length)
      problems.push(`at the end ${finalLost.length} not healthy: ${finalLost.slice(0, 10).join(', ')}`);
    if (finalDeleted.length)
      problems.push(`at the end ${finalDeleted.length} missing: ${finalDeleted.slice(0, 10).join(', ')}`);
    if (end.snap.duplicates.length) problems.push(`at the end duplicates: ${end.snap.duplicates.join('; ')}`);
    if (standinAll.length !== o.clusters)
      problems.push(`the stand-in has ${standinAll.length} clusters, not ${o.clusters}`);
    const holdSeconds = now() - holdStart;
    clearInterval(sampler);
    await sleep(500);

    const inStretch = stretches.map((s) =>
      samples.filter((x) => x.t >= s.from && x.t <= s.to).map((x) => ({ ...x })),
    );
    // A stretch is one agent process: split where the pid changes (it cannot, between faults, but be safe).
    const pointsOf = (k: 'rssMiB' | 'fds') =>
      inStretch.map((ss) => ss.map((x): Point => ({ t: x.t, y: x[k] })));
    const perHour = 3600;
    const steadyStretches = stretches.map((s, i) => ({
      from: s.from,
      to: s.to,
      samples: inStretch[i]!.length,
      rssMiBPerHour: slope(pointsOf('rssMiB')[i]!) * perHour,
      fdsPerHour: slope(pointsOf('fds')[i]!) * perHour,
    }));
    for (const x of samples) x.steady = stretches.some((s) => x.t >= s.from && x.t <= s.to);
    return {
      options: o,
      createSeconds,
      holdSeconds,
      faults,
      final: {
        lost: finalLost,
        deleted: finalDeleted,
        duplicates: end.snap.duplicates,
        agentCount: end.snap.agentNames.size,
        standinCount: standinAll.length,
      },
      samples,
      marks,
      rssSlopeMiBPerHour: pooledSlope(pointsOf('rssMiB')) * perHour,
      fdSlopePerHour: pooledSlope(pointsOf('fds')) * perHour,
      steadyStretches,
      problems,
    };
  } finally {
    clearInterval(sampler);
    resume();
    if (o.agentLogPath) {
      try {
        writeFileSync(
          o.agentLogPath,
          agents.map((a, i) => `===== agent process ${i + 1} =====\n${a.output()}`).join('\n'),
        );
      } catch {
        // best effort
      }
    }
    await Promise.race([agent.stop(), sleep(60_000)]).catch(() => undefined);
    await Promise.race([standin?.stop(), sleep(30_000)]).catch(() => undefined);
  }
}

/** The results as Markdown (tables), shared by the bench's section and the test's output. */
export function soakTables(r: SoakResult): string {
  const f = (x: number | null, d = 1) => (x === null ? '**not within bound**' : `${x.toFixed(d)} s`);
  const rows = r.faults
    .map(
      (x) =>
        `| ${x.kind} | ${(x.startedAt / 60).toFixed(1)} min | ${x.faultSeconds.toFixed(0)} s | ${f(x.recoverySeconds)} | ${x.lost.length} | ${x.deleted.length} | ${x.duplicates.length} | ${x.note} |`,
    )
    .join('\n');
  const stretchRows = r.steadyStretches
    .map(
      (s) =>
        `| ${(s.from / 60).toFixed(1)}–${(s.to / 60).toFixed(1)} min | ${s.samples} | ${s.rssMiBPerHour.toFixed(1)} | ${s.fdsPerHour.toFixed(1)} |`,
    )
    .join('\n');
  return `| fault | at | fault lasted | full recovery after it ended | lost | deleted | duplicates | what |
|---|---|---|---|---|---|---|---|
${rows}

| steady stretch | samples | RSS slope (MiB/h) | open-fd slope (fds/h) |
|---|---|---|---|
${stretchRows}`;
}
