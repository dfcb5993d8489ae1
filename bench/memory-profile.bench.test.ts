/**
 * Where an idle imported cluster's memory goes (not a test; `npm run bench:memory`).
 * Same stack as the scale proof: a real kwokctl main cluster and the Go
 * Rancher stand-in. A warm-up batch first (PROFILE_WARMUP, default 10: more
 * than the batch concurrency), so what is made once (the virtual API, the
 * shared watches, compiled code, the import burst's high-water marks) is in
 * the baseline; then PROFILE_N more (default 40), imported, active and idle
 * for PROFILE_HOLD_S seconds. Prints per cluster, both readings after full
 * garbage collections: RSS, V8 heap, external and ArrayBuffer memory,
 * glibc malloc in use (through gdb, when installed), the TLS connections the
 * engine holds, the shared caches, and CPU while idle.
 *
 * PROFILE_SNAPSHOTS=1 adds a V8 heap snapshot diff (which JS objects each
 * cluster added; writing snapshots inflates RSS, so read RSS from a run
 * without). PROFILE_NATIVE=1 ends the run with SIGKILL while everything is
 * still open, for heaptrack to list what native code holds:
 *   PROFILE_NATIVE=1 heaptrack -o /tmp/ht node node_modules/vitest/vitest.mjs run \
 *     --project bench --pool=threads bench/memory-profile.bench.test.ts
 *   heaptrack_print -f /tmp/ht.zst --print-leaks 1 --print-peaks 0 --print-allocators 0 --print-temporary 0
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { it } from 'vitest';
import { eventually } from '../test/helpers/main-cluster';
import { waitForBatch } from '../test/helpers/wait-for-batch';
import { startBenchStack } from './lib/bench-stack';
import { forceGc } from './lib/force-gc';
import { diffHeapSummaries, summarizeHeapSnapshot } from './lib/heap-snapshot-summary';
import { mallocTotals, type MallocTotals } from './lib/malloc-totals';
import { findPids } from './lib/process-cpu';

const N = Number(process.env.PROFILE_N ?? 40);
const WARMUP = Number(process.env.PROFILE_WARMUP ?? 10);
const TEMPLATE = process.env.PROFILE_TEMPLATE ?? 'default';
const HOLD_MS = Number(process.env.PROFILE_HOLD_S ?? 20) * 1000;
const SNAPSHOTS = process.env.PROFILE_SNAPSHOTS === '1';
const NATIVE = process.env.PROFILE_NATIVE === '1';

interface Reading {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  malloc: MallocTotals | undefined;
  sockets: Record<string, number>;
  vapiConnections: number;
}

/** TCP sockets the process holds, by peer port (the stand-in, kube-apiserver, ...). */
function socketsByPeer(): Record<string, number> {
  const out: Record<string, number> = {};
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  for (const h of handles) {
    if (!(h instanceof Socket)) continue;
    const key = `${h.constructor.name}->${h.remotePort ?? 'listen'}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

it(`memory profile: ${N} idle clusters`, { timeout: 1_800_000 }, async () => {
  // heaptrack's preload must stay in this process, not in the peers it starts.
  if (NATIVE) delete process.env.LD_PRELOAD;
  const { main, standin, engine } = await startBenchStack({ connectRate: 50 });
  const vapi = await engine.virtualApi();
  const active = async () =>
    (await standin.get<{ byState: Record<string, number> }>('/summary')).byState.active ?? 0;
  const createActive = async (pattern: string, total: number): Promise<void> => {
    const b = await engine.handle('batches.create', { pattern, template: TEMPLATE, concurrency: 8 });
    await waitForBatch(engine, b.id, 1_500_000, true);
    await eventually(async () => (await active()) === total || undefined, 'all active', 900_000);
  };
  const read = (): Reading => {
    forceGc();
    const m = process.memoryUsage();
    return {
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      malloc: NATIVE ? undefined : mallocTotals(),
      sockets: socketsByPeer(),
      vapiConnections: vapi.openConnections,
    };
  };
  const dir = mkdtempSync(join(tmpdir(), 'sca-heap-'));
  try {
    await createActive(`warm-{1..${WARMUP}}`, WARMUP);
    await new Promise((r) => setTimeout(r, HOLD_MS));
    const before = read();
    const snapA = SNAPSHOTS ? writeHeapSnapshot(join(dir, 'a.heapsnapshot')) : '';
    await createActive(`p-{${'1'.padStart(String(N).length, '0')}..${N}}`, WARMUP + N);
    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, HOLD_MS));
    const cpu = process.cpuUsage(cpu0);
    const after = read();
    const snapB = SNAPSHOTS ? writeHeapSnapshot(join(dir, 'b.heapsnapshot')) : '';
    const kib = (a: number, b: number) => `${((a - b) / N / 1024).toFixed(1).padStart(8)} KiB/cluster`;
    const mib = (x: number) => `${(x / 2 ** 20).toFixed(1)} MiB`;
    const row = (label: string, a: number, b: number) =>
      `${label.padEnd(16)}${kib(a, b)}   (before ${mib(b)}, after ${mib(a)})`;
    const lines = [
      `memory per idle cluster, ${N} clusters after ${WARMUP} warm-up ones, template ${TEMPLATE}:`,
      row('RSS', after.rss, before.rss),
      row('V8 heap used', after.heapUsed, before.heapUsed),
      row('external', after.external, before.external),
      row('ArrayBuffers', after.arrayBuffers, before.arrayBuffers),
    ];
    if (before.malloc && after.malloc) {
      lines.push(
        row('malloc in use', after.malloc.inUse, before.malloc.inUse),
        row('malloc held', after.malloc.held, before.malloc.held),
      );
    }
    lines.push(
      `TLS connections served by the virtual API: ${before.vapiConnections} -> ${after.vapiConnections}`,
      `TCP sockets by peer port: ${JSON.stringify(before.sockets)} -> ${JSON.stringify(after.sockets)}`,
      `CPU while idle: ${(((cpu.user + cpu.system) / 1e3 / HOLD_MS) * 100).toFixed(1)}% of one core for ${WARMUP + N} clusters`,
    );
    const { caches } = await engine.provisioner();
    for (const [name, cache] of Object.entries({
      nodes: caches.nodes,
      pods: caches.pods,
      namespaces: caches.namespaces,
    })) {
      const json = JSON.stringify(cache.list()).length;
      lines.push(`cache ${name}: ${cache.size} objects, ${(json / 1024).toFixed(0)} KiB as JSON`);
    }
    if (SNAPSHOTS) {
      const diff = diffHeapSummaries(summarizeHeapSnapshot(snapA), summarizeHeapSnapshot(snapB), 40);
      lines.push('V8 heap growth per cluster (self size), biggest first:');
      for (const r of diff)
        lines.push(
          `  ${(r.bytes / N / 1024).toFixed(2).padStart(8)} KiB  ${(r.count / N).toFixed(1).padStart(7)} objs  ${r.name}`,
        );
    }
    console.log(lines.join('\n'));
    if (NATIVE) {
      // Everything still open: the peers go after this process, by their ids.
      const peers = [standin.process.pid ?? 0, ...findPids((c) => c.includes(main.workdir))].filter(Boolean);
      spawn(
        'sh',
        [
          '-c',
          `sleep 2; kill ${peers.join(' ')}; sleep 3; kill -9 ${peers.join(' ')}; rm -rf ${main.workdir}`,
        ],
        {
          detached: true,
          stdio: 'ignore',
        },
      ).unref();
      process.kill(process.pid, 'SIGKILL');
    }
  } finally {
    await engine.stop();
    await standin.stop();
    await main.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
