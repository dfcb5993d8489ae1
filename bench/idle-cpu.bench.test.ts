/**
 * Where an idle fleet's CPU goes (not a test; `npm run bench:idle`,
 * IDLE_N=200): the agent's CPU with no cluster, then with N tiny clusters
 * imported, active in the Rancher stand-in and left alone (Rancher's 15 s
 * Steve pings and health checks, its node watches, the tunnels' WebSocket
 * pings, the engine's own timers). Also kube-apiserver's and etcd's CPU in
 * both windows, so what the clusters cost the main cluster shows too. Then a
 * CPU profile of the idle agent, summed by where the code lives and by the
 * engine function that caused the work. Writes "Idle CPU (N clusters)" in
 * docs/benchmarks.md and leaves the profile in the system's temp folder,
 * to open in Chrome DevTools.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { Profiler } from '../src/main/engine/telemetry/profiler';
import { eventually } from '../test/helpers/main-cluster';
import { waitForBatch } from '../test/helpers/wait-for-batch';
import { machineLine, writeSection } from './lib/benchmarks-doc';
import { shareRows, summarizeCpuProfile, type CpuProfile } from './lib/cpu-profile-summary';
import { startBenchStack } from './lib/bench-stack';
import { cpuSeconds, mainClusterPids } from './lib/process-cpu';

const N = Number(process.env.IDLE_N ?? 200);
/** Each CPU window, and the profile, in seconds: several rounds of Rancher's 15 s checks. */
const WINDOW_S = Number(process.env.IDLE_WINDOW_S ?? 60);
/** After the last cluster turns active: the import's tail (watch resyncs, collections) settles first. */
const SETTLE_S = Number(process.env.IDLE_SETTLE_S ?? 60);
const PROFILE_S = Number(process.env.IDLE_PROFILE_S ?? 30);

type Reading = Record<string, number>;

it(`idle CPU: ${N} clusters`, { timeout: 5_400_000 }, async () => {
  const { main, standin, engine } = await startBenchStack({ connectRate: 100 });
  try {
    const pids: Record<string, number[]> = {
      ...mainClusterPids(main.workdir, ['kube-apiserver', 'etcd', 'kwok-controller']),
      'stand-in (Rancher)': [standin.process.pid ?? 0],
    };
    const read = (): Reading => {
      const agent = process.cpuUsage();
      const out: Reading = { agent: (agent.user + agent.system) / 1e6 };
      for (const [name, list] of Object.entries(pids))
        out[name] = list.map(cpuSeconds).reduce((a, b) => a + b, 0);
      return out;
    };
    /** Percent of one core each process used over a window of WINDOW_S. */
    const window = async (): Promise<Reading> => {
      const a = read();
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
      const s = (performance.now() - t0) / 1000;
      const b = read();
      return Object.fromEntries(Object.keys(a).map((k) => [k, ((b[k]! - a[k]!) / s) * 100]));
    };
    const empty = await window();

    const active = async () =>
      (await standin.get<{ byState: Record<string, number> }>('/summary')).byState.active ?? 0;
    const batch = await engine.handle('batches.create', {
      pattern: `idle-{${'1'.padStart(String(N).length, '0')}..${N}}`,
      template: 'tiny',
      concurrency: 'auto',
    });
    await waitForBatch(engine, batch.id, 3_600_000, true);
    await eventually(async () => (await active()) === N || undefined, 'all active', 900_000);
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
    const idle = await window();
    if ((await active()) !== N) throw new Error('a cluster left the active state during the idle window');

    const profile = await new Profiler().cpuProfile(PROFILE_S);
    const profilePath = join(tmpdir(), `idle-${N}.cpuprofile`);
    writeFileSync(profilePath, profile.text);
    const summary = summarizeCpuProfile(JSON.parse(profile.text) as CpuProfile);
    console.log(`[idle ${N}] profile written to ${profilePath}`);

    const pct = (x: number) => `${x.toFixed(1)}%`;
    const per1000 = (k: string) => pct(((idle[k]! - empty[k]!) * 1000) / N);
    const rows = Object.keys(idle)
      .map((k) => `| ${k} | ${pct(empty[k]!)} | ${pct(idle[k]!)} | ${per1000(k)} |`)
      .join('\n');
    const agentIdle = idle.agent! - empty.agent!;
    writeSection(
      `Idle CPU (${N} clusters)`,
      `${machineLine()}
Reproduce: \`IDLE_N=${N} npm run bench:idle\` (real kwokctl main cluster, the Go Rancher stand-in with 15 s Steve
pings and health checks, template "tiny"; everything on this machine). CPU is each process's user plus system
time over ${WINDOW_S} s windows: first with the engine running and no cluster, then with ${N} clusters active in
Rancher and left idle (after ${SETTLE_S} s to settle).

| process | no cluster | ${N} idle clusters | added, per 1,000 clusters |
|---|---|---|---|
${rows}

The agent: **${pct((agentIdle * 1000) / N)} of one core per 1,000 idle clusters** (target: at most 5%).

Where the agent's idle CPU goes, from a ${PROFILE_S} s CPU profile (${summary.busyMs.toFixed(0)} ms busy of
${summary.spanMs.toFixed(0)} ms), as a share of the busy time. Self time by where the code lives:

| code | share |
|---|---|
${shareRows(summary, summary.byPlace)}

The same time by the nearest engine function on the stack (Node's TLS, HTTP and stream work counts against the
engine code that asked for it; garbage collection and V8's own work are left out here):

| engine function | share |
|---|---|
${shareRows(summary, summary.byEngineCaller)}`,
    );
  } finally {
    await engine.stop();
    await standin.stop();
    await main.destroy();
  }
});
