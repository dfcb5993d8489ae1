/**
 * One agent against two shards on one machine (not a test; `npm run
 * bench:shards`, SHARDS_BENCH_N=2000 by default): the same fleet spec of N
 * tiny clusters is brought active in the Rancher stand-in first by one
 * agent process, then by two shard processes sharing one external main
 * cluster. Each phase gets a fresh main cluster and stand-in. Records the
 * creation rate, then, once every cluster is active and settled, the agents'
 * steady CPU and memory per cluster and kube-apiserver's CPU. Writes
 * "Shards: one agent against two" in docs/benchmarks.md.
 *
 * SHARDS_BENCH_IMPORT=false leaves Rancher out (the spec's importToRancher:
 * false): clusters count once ready in their agent, and the figures are the
 * agents' own work with the main cluster, at counts whose Rancher side this
 * machine cannot carry. Written to its own section.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { startAgentProcess, type AgentProcess } from '../e2e/helpers/agent-process';
import { startTestMainCluster } from '../test/helpers/main-cluster';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../test/helpers/rancher-standin';
import type { FleetStatus } from '../src/shared/fleet';
import { machineLine, writeSection } from './lib/benchmarks-doc';
import { cpuSeconds, findPids, rssMiB } from './lib/process-cpu';

const N = Number(process.env.SHARDS_BENCH_N ?? 2000);
const IMPORT = process.env.SHARDS_BENCH_IMPORT !== 'false';
/** What "done" means for a cluster in this run, for progress lines and the table. */
const DONE = IMPORT ? 'active' : 'ready';
const CONCURRENCY = 8;
const SETTLE_MS = 30_000;
const STEADY_MS = 60_000;
/** Bounds the wait for all clusters active: far beyond the slowest rate seen (2 clusters/s). */
const ACTIVE_TIMEOUT_MS = 600_000 + N * 1_000;

interface PhaseResult {
  shards: number;
  seconds: number;
  rate: number;
  cpuPct: number;
  rssMiB: number;
  apiserverCpuPct: number;
  /** The machine's 15-minute load average at the end of creation: other work on the machine shows here. */
  load15: number;
}

async function activeInRancher(standin: StandIn): Promise<number> {
  const all = (await standin.get<{ data: { state: string }[] }>('/clusters')).data;
  return all.filter((c) => c.state === 'active').length;
}

/** Without import a cluster is done once ready in its agent; each shard reports only its own. */
async function readyInAgents(agents: AgentProcess[]): Promise<number> {
  const counts = await Promise.all(
    agents.map(async (a) => {
      const res = await fetch(`${a.url}/fleet`);
      if (!res.ok) throw new Error(`GET /fleet: ${res.status} ${await res.text()}`);
      return ((await res.json()) as FleetStatus).byStatus.ready ?? 0;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

async function runPhase(shards: number): Promise<PhaseResult> {
  const [main, standin] = await Promise.all([startTestMainCluster(), startStandIn()]);
  const agents: AgentProcess[] = [];
  try {
    const spec = join(mkdtempSync(join(tmpdir(), 'sca-bench-fleet-')), 'fleet.yaml');
    const width = String(N).length;
    writeFileSync(
      spec,
      `concurrency: ${CONCURRENCY}\nclusters:\n  - pattern: "b-{${'1'.padStart(width, '0')}..${N}}"\n    template: tiny\n    importToRancher: ${IMPORT}\n`,
    );
    const started = Date.now();
    agents.push(
      ...(await Promise.all(
        Array.from({ length: shards }, (_, i) =>
          startAgentProcess(
            [
              '--fleet',
              spec,
              '--shard-index',
              String(i),
              '--shard-count',
              String(shards),
              '--main-cluster-provider',
              'external',
              '--main-kubeconfig',
              main.provider.kubeconfigPath,
            ],
            {
              env: {
                RANCHER_URL: standin.url,
                RANCHER_TOKEN: STANDIN_TOKEN,
                RANCHER_CA_CERT: standin.caPath,
                SCALE_AGENT_LOG: 'warn',
              },
            },
          ),
        ),
      )),
    );
    // Polled every 5 s: reading thousands of clusters from the stand-in more often would itself load the machine.
    let lastLog = 0;
    for (;;) {
      const active = await (IMPORT ? activeInRancher(standin) : readyInAgents(agents));
      if (active === N) break;
      if (Date.now() - started > ACTIVE_TIMEOUT_MS)
        throw new Error(
          `${shards} shard(s): only ${active}/${N} ${DONE} after ${ACTIVE_TIMEOUT_MS / 1000} s`,
        );
      if (Date.now() - lastLog > 60_000) {
        lastLog = Date.now();
        console.log(
          `${shards} shard(s): ${active}/${N} ${DONE} after ${Math.round((Date.now() - started) / 1000)} s`,
        );
      }
      await new Promise((r) => setTimeout(r, 5_000));
    }
    const seconds = (Date.now() - started) / 1000;
    const load15 = loadavg()[2] ?? 0;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const pids = agents.map((a) => a.pid);
    const apiservers = findPids((cmd) => cmd.includes('kube-apiserver') && cmd.includes(main.workdir));
    const cpu0 = pids.map(cpuSeconds);
    const api0 = apiservers.map(cpuSeconds);
    await new Promise((r) => setTimeout(r, STEADY_MS));
    const cpu = pids.map((p, i) => cpuSeconds(p) - cpu0[i]!).reduce((a, b) => a + b, 0);
    const api = apiservers.map((p, i) => cpuSeconds(p) - api0[i]!).reduce((a, b) => a + b, 0);
    return {
      shards,
      seconds,
      rate: N / seconds,
      cpuPct: (cpu / (STEADY_MS / 1000)) * 100,
      rssMiB: pids.map(rssMiB).reduce((a, b) => a + b, 0),
      apiserverCpuPct: (api / (STEADY_MS / 1000)) * 100,
      load15,
    };
  } finally {
    await Promise.all(agents.map((a) => a.kill()));
    await standin.stop();
    await main.destroy();
  }
}

it(
  `${N} tiny clusters: one agent against two shards`,
  { timeout: 2 * (ACTIVE_TIMEOUT_MS + 300_000) },
  async () => {
    const one = await runPhase(1);
    console.log(JSON.stringify(one));
    const two = await runPhase(2);
    console.log(JSON.stringify(two));
    const row = (r: PhaseResult): string =>
      `| ${r.shards} | ${r.seconds.toFixed(0)} s | ${r.rate.toFixed(2)} clusters/s | ${r.cpuPct.toFixed(1)}% | ${((r.cpuPct / N) * 1000).toFixed(2)}% | ${r.rssMiB} MiB | ${(r.rssMiB / N).toFixed(2)} MiB | ${r.apiserverCpuPct.toFixed(1)}% | ${r.load15.toFixed(1)} |`;
    const command = `SHARDS_BENCH_N=${N}${IMPORT ? '' : ' SHARDS_BENCH_IMPORT=false'} npm run bench:shards`;
    const what = IMPORT
      ? `imported into the Rancher
stand-in, first by one agent process, then by two shard processes sharing one
external main cluster (each phase on a fresh main cluster and stand-in). Creation
runs from the agents' start to the last cluster active in the stand-in.`
      : `not imported into Rancher
(\`importToRancher: false\`), first by one agent process, then by two shard
processes sharing one external main cluster (each phase on a fresh main cluster).
Creation runs from the agents' start to the last cluster ready in its agent.`;
    writeSection(
      IMPORT ? 'Shards: one agent against two' : 'Shards: one agent against two, without Rancher',
      `
${machineLine()} Command: \`${command}\`.

The same fleet spec of ${N} tiny clusters (concurrency ${CONCURRENCY}), ${what} Steady
figures are read over ${STEADY_MS / 1000} s once every cluster has been ${DONE} for ${SETTLE_MS / 1000} s; CPU is
percent of one core, summed over the agent processes.

| shards | all ${DONE} in | creation rate | steady agent CPU | per 1,000 clusters | agent RSS | per cluster | kube-apiserver CPU | load (15 min) |
|---|---|---|---|---|---|---|---|---|
${row(one)}
${row(two)}

Two shards against one: creation ${(two.rate / one.rate).toFixed(2)}x the rate, steady CPU per cluster
${(two.cpuPct / one.cpuPct).toFixed(2)}x, memory ${(two.rssMiB / one.rssMiB).toFixed(2)}x. On one machine the shards share its
cores with each other and with ${IMPORT ? 'kube-apiserver and the stand-in' : 'kube-apiserver'} (the load column), so a
second shard adds its own fixed costs (a Node process, its caches and
connections) and gains only what one agent's event loop was holding back;
across machines each shard brings its own cores.
`,
    );
  },
);
