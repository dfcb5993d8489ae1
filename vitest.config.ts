import { defineConfig } from 'vitest/config';
import { withMallocTuning } from './bin/malloc-tuning.mjs';

// The engine runs in the test workers: they start with the allocator tuning the app's launcher applies.
const tuned = withMallocTuning(process.env);
if (tuned?.GLIBC_TUNABLES) process.env.GLIBC_TUNABLES = tuned.GLIBC_TUNABLES;

// Four suites, each its own project so scripts/test.sh can run and count them
// separately:
//   unit         pure logic, colocated with the code as *.test.ts
//   integration  the engine against the real kube stack (kwokctl + built binaries)
//   interop      our remotedialer against Rancher's Go library (test-peers/)
//   e2e          the UI in Chromium through web mode, and the Electron shell
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          // One real main cluster at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        // Benchmarks: run on demand (npm run bench:*), never in CI.
        test: {
          name: 'bench',
          include: ['bench/**/*.bench.test.ts'],
          testTimeout: 1_800_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
