// glibc malloc tuning for the agent's own process. glibc reads GLIBC_TUNABLES
// only when a process starts, so the launcher re-executes Node with it set
// (bin/scale-cluster-agent.mjs), and the test runner sets it before it forks
// its workers (vitest.config.ts).
//
// Why: Node keeps, for the life of every TLS connection, a 64 KiB buffer for
// the encrypted bytes it reads (its size comes from libuv's 64 KiB read hint).
// Each cluster holds two such connections to Rancher, and an idle tunnel only
// ever writes the first few KiB of its buffer (the buffer rewinds whenever it
// is read empty). Allocated from the heap, the whole buffer is resident once
// the heap has reused that memory; at the mmap threshold of 64 KiB each buffer
// is its own mapping, and the kernel backs only the pages written. Measured
// with `npm run bench:memory`: 891 -> 751 KiB of RSS per idle cluster at 100
// tiny clusters, 1,038 -> 692 KiB at 40 default ones, with the tunnel's
// throughput and latency against Go's client unchanged (docs/benchmarks.md).
export const MALLOC_TUNABLE = 'glibc.malloc.mmap_threshold=65536';

/**
 * The environment with the tunable added, or undefined when nothing needs to
 * change: not Linux, turned off with SCA_MALLOC_TUNING=0, or a
 * GLIBC_TUNABLES that sets the threshold already (a user's own choice stays).
 */
export function withMallocTuning(env, platform = process.platform) {
  if (platform !== 'linux' || env.SCA_MALLOC_TUNING === '0') return undefined;
  const current = env.GLIBC_TUNABLES ?? '';
  if (current.includes('glibc.malloc.mmap_threshold')) return undefined;
  return { ...env, GLIBC_TUNABLES: current ? `${current}:${MALLOC_TUNABLE}` : MALLOC_TUNABLE };
}
