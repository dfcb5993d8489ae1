/**
 * Where creation time goes (not a test; `npm run bench:creation`,
 * CREATION_N=300, CREATION_CONCURRENCY=8): N tiny clusters created and
 * imported into the Rancher stand-in, until every one is active there.
 * Reports the rate over the run in tenths (does it fall as clusters pile
 * up?), each step's median and p90 for the first and the last quarter of the
 * clusters, how long Rancher took from the agent's "ready" to "active", and
 * the CPU each process spent (agent, stand-in with the kubectl runs it
 * starts, kube-apiserver, etcd, controller-manager, kwok). With
 * CREATION_PROFILE_S=S, also a CPU profile of the agent over S seconds from
 * 30 s into the run (written to the temp folder and summed in the section).
 * Writes "Creation: where the time goes" in docs/benchmarks.md.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { Profiler } from '../src/main/engine/telemetry/profiler';
import { parseConcurrency } from '../src/shared/cluster-names';
import { clusterRecords } from '../test/helpers/engine-view';
import { eventually } from '../test/helpers/main-cluster';
import { waitForBatch } from '../test/helpers/wait-for-batch';
import { machineLine, writeSection } from './lib/benchmarks-doc';
import { startBenchStack } from './lib/bench-stack';
import {
  shareRows,
  summarizeCpuProfile,
  type CpuProfile,
  type ProfileSummary,
} from './lib/cpu-profile-summary';
import { cpuSeconds, cpuSecondsWithChildren, mainClusterPids } from './lib/process-cpu';
import { quantile, readyAt, stepBreakdown } from './lib/step-breakdown';

const N = Number(process.env.CREATION_N ?? 300);
/** A number, or "auto" (the engine adapts it to the main apiserver). */
const CONCURRENCY = parseConcurrency(process.env.CREATION_CONCURRENCY ?? '8');
const CONNECT_RATE = 100;
/** Extra stand-in flags for experiments, e.g. `--kubectl /bin/true` to see what clusterdeploy's kubectl costs. */
const STANDIN_ARGS = (process.env.CREATION_STANDIN_ARGS ?? '').split(' ').filter(Boolean);
/** Seconds of agent CPU profile to take while clusters are being made (0: none). */
const PROFILE_S = Number(process.env.CREATION_PROFILE_S ?? 0);
const PROFILE_AFTER_MS = 30_000;

interface StandInCluster {
  name: string;
  state: string;
  conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  controllers?: { pingSuccesses?: number; pingErrorCounts?: Record<string, number> };
}

/** How long to wait, once every cluster is ready here, for Rancher to call all of them active at once. */
const ACTIVE_WAIT_MS = Number(process.env.CREATION_ACTIVE_WAIT_S ?? 600) * 1000;

it(`creation: ${N} clusters`, { timeout: 7_200_000 }, async () => {
  const { main, standin, engine } = await startBenchStack({
    connectRate: CONNECT_RATE,
    standinArgs: STANDIN_ARGS,
  });
  const processes = mainClusterPids(main.workdir, [
    'kube-apiserver',
    'etcd',
    'kube-controller-manager',
    'kwok-controller',
  ]);
  const standinPid = standin.process.pid ?? 0;
  const cpuNow = (): Record<string, number> => {
    const out: Record<string, number> = {};
    const agent = process.cpuUsage();
    out['agent (Node, this process)'] = (agent.user + agent.system) / 1e6;
    out['stand-in (Rancher)'] = cpuSeconds(standinPid);
    out["stand-in's kubectl runs"] = cpuSecondsWithChildren(standinPid) - cpuSeconds(standinPid);
    for (const [name, pids] of Object.entries(processes))
      out[name] = pids.map(cpuSeconds).reduce((a, b) => a + b, 0);
    return out;
  };
  const active = async () =>
    (await standin.get<{ byState: Record<string, number> }>('/summary')).byState.active ?? 0;
  const progress = setInterval(() => {
    void active().then(
      (n) => console.log(`[creation ${N}] ${new Date().toISOString()} active in Rancher: ${n}`),
      () => undefined,
    );
  }, 30_000);

  // The engine's limit on clusters made at once, each second (it adapts to the main apiserver).
  const limits: number[] = [];
  const sampler = setInterval(() => limits.push(engine.lifecycle.concurrencyLimit), 1000);
  const cpu0 = cpuNow();
  const t0 = Date.now();
  const profiled: Promise<ProfileSummary | undefined> =
    PROFILE_S > 0
      ? new Promise((r) => setTimeout(r, PROFILE_AFTER_MS)).then(async () => {
          const profile = await new Profiler().cpuProfile(PROFILE_S);
          const path = join(tmpdir(), `creation-${N}.cpuprofile`);
          writeFileSync(path, profile.text);
          console.log(`[creation ${N}] profile written to ${path}`);
          return summarizeCpuProfile(JSON.parse(profile.text) as CpuProfile);
        })
      : Promise.resolve(undefined);
  const batch = await engine.handle('batches.create', {
    pattern: `c-{${'1'.padStart(String(N).length, '0')}..${N}}`,
    template: 'tiny',
    concurrency: CONCURRENCY,
  });
  await waitForBatch(engine, batch.id, 7_000_000, true);
  const readyAll = Date.now();
  clearInterval(sampler);
  // Clusters that flap (a failed Steve ping marks one unavailable until its next ping and health check)
  // can keep "all active at once" from ever happening: the wait is bounded, and the report says so.
  const allActive = await eventually(
    async () => (await active()) === N || undefined,
    'all active',
    ACTIVE_WAIT_MS,
  )
    .then(() => true)
    .catch(() => false);
  const activeAtEnd = await active();
  const seconds = (Date.now() - t0) / 1000;
  const cpu1 = cpuNow();
  clearInterval(progress);

  const summary = await profiled;
  const records = await clusterRecords(engine);
  const inRancher = (await standin.get<{ data: StandInCluster[] }>('/clusters')).data;
  await engine.stop();
  await standin.stop();
  await main.destroy();

  // Rate in tenths of the run, by the time each cluster became ready here.
  const readyTimes = records.map((r) => readyAt(r) ?? Infinity).sort((a, b) => a - b);
  const tenth = Math.ceil(N / 10);
  const tenths: string[] = [];
  for (let i = 0; i < N; i += tenth) {
    const from = i === 0 ? t0 : (readyTimes[i - 1] ?? t0);
    const to = readyTimes[Math.min(N, i + tenth) - 1] ?? from;
    const count = Math.min(N, i + tenth) - i;
    tenths.push(((count * 1000) / Math.max(1, to - from)).toFixed(2));
  }
  // Rancher's part: from the agent's ready to active (its last condition change), in whole seconds.
  const readyByName = new Map(records.map((r) => [r.name, readyAt(r) ?? 0]));
  const rancherLag = inRancher
    .map((c) => {
      const last = Math.max(...(c.conditions ?? []).map((k) => Date.parse(k.lastTransitionTime ?? '') || 0));
      const ready = readyByName.get(c.name);
      return ready ? (last - ready) / 1000 : undefined;
    })
    .filter((v): v is number => v !== undefined)
    .sort((a, b) => a - b);
  const steps = stepBreakdown(records, 4);
  // Every failed Steve ping (Rancher's clusterconnected check), by its error.
  const pingErrors = new Map<string, number>();
  let pings = 0;
  for (const c of inRancher) {
    pings += c.controllers?.pingSuccesses ?? 0;
    for (const [text, n] of Object.entries(c.controllers?.pingErrorCounts ?? {})) {
      pings += n;
      pingErrors.set(text, (pingErrors.get(text) ?? 0) + n);
    }
  }
  const failedPings = [...pingErrors.values()].reduce((a, b) => a + b, 0);
  const cpuRows = Object.keys(cpu0).map((k) => {
    const used = (cpu1[k] ?? 0) - (cpu0[k] ?? 0);
    return `| ${k} | ${used.toFixed(0)} s | ${((used / seconds) * 100).toFixed(0)}% | ${((used / N) * 1000).toFixed(0)} ms |`;
  });
  const fmt = (v: number) => v.toFixed(2);
  const body = `${machineLine()} Command: \`CREATION_N=${N} CREATION_CONCURRENCY=${CONCURRENCY}${PROFILE_S ? ` CREATION_PROFILE_S=${PROFILE_S}` : ''}${STANDIN_ARGS.length ? ` CREATION_STANDIN_ARGS='${STANDIN_ARGS.join(' ')}'` : ''} npm run bench:creation\`.

${N} tiny clusters created with import into the Rancher stand-in (15 s pings and
health checks, kubectl apply of the agent manifest per cluster as Rancher's
clusterdeploy does), batch concurrency ${CONCURRENCY}, connect rate ${CONNECT_RATE}/s; everything on this machine.

All ${N} ready here after ${((readyAll - t0) / 1000).toFixed(0)} s, ${
    allActive
      ? `all active in Rancher after ${seconds.toFixed(0)} s (${(N / seconds).toFixed(2)} clusters/s)`
      : `**never all active in Rancher at once**: ${activeAtEnd} of ${N} active when the wait ended ${(ACTIVE_WAIT_MS / 1000).toFixed(0)} s later`
  }.

Rancher's Steve pings (clusterconnected, one per cluster every 15 s; a failure marks the cluster unavailable until the next ping and health check): ${failedPings} of ${pings} failed${
    failedPings ? `: ${[...pingErrors].map(([text, n]) => `${n} × \`${text}\``).join(', ')}` : ''
  }.

${
  CONCURRENCY === 'auto'
    ? `The engine's "auto" limit on clusters made at once, sampled each second while they were made: median ${quantile(
        [...limits].sort((a, b) => a - b),
        0.5,
      )}, highest ${Math.max(0, ...limits)}.`
    : `The batch made ${CONCURRENCY} at a time.`
}

Clusters ready per second, in tenths of the run: ${tenths.join(', ')}.

Each step, in seconds, median / p90, for the first and the last quarter of the clusters (by the time they became ready; pending is the wait for a slot):

| step | first quarter | last quarter |
|---|---|---|
${steps.map((s) => `| ${s.status} | ${fmt(s.windows[0]?.p50 ?? 0)} / ${fmt(s.windows[0]?.p90 ?? 0)} | ${fmt(s.windows.at(-1)?.p50 ?? 0)} / ${fmt(s.windows.at(-1)?.p90 ?? 0)} |`).join('\n')}

From ready here to active in Rancher (its 15 s Steve ping and health check, and clusterdeploy): median ${quantile(rancherLag, 0.5).toFixed(0)} s, p90 ${quantile(rancherLag, 0.9).toFixed(0)} s.

CPU over the run (percent of one core; the machine has 2):

| process | CPU time | share of a core | per cluster |
|---|---|---|---|
${cpuRows.join('\n')}${summary ? profileTables(summary) : ''}`;
  console.log(body);
  const variant = STANDIN_ARGS.length ? `, stand-in ${STANDIN_ARGS.join(' ')}` : '';
  writeSection(`Creation: where the time goes (${N} clusters, concurrency ${CONCURRENCY}${variant})`, body);
});

/** The agent's profile while it made clusters, by where the code lives and by the nearest engine function. */
function profileTables(summary: ProfileSummary): string {
  return `

Where the agent's CPU goes while it makes clusters, from a ${PROFILE_S} s CPU profile taken ${PROFILE_AFTER_MS / 1000} s into
the run (${summary.busyMs.toFixed(0)} ms busy of ${summary.spanMs.toFixed(0)} ms), as a share of the busy time. Self time by where
the code lives:

| code | share |
|---|---|
${shareRows(summary, summary.byPlace)}

By the nearest engine function on the stack:

| engine function | share |
|---|---|
${shareRows(summary, summary.byEngineCaller)}`;
}
