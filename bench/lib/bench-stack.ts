/**
 * What the Rancher benchmarks run on: a real kwokctl main cluster, the Go
 * Rancher stand-in at Rancher's cadence (a Steve ping and a health check per
 * cluster every 15 s), and an engine importing into it, started and ready.
 */
import { Engine } from '../../src/main/engine/engine';
import { startTestMainCluster, type TestMainCluster } from '../../test/helpers/main-cluster';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../../test/helpers/rancher-standin';
import { testConfig } from '../../test/helpers/test-config';
import { memoryLogger } from '../../test/helpers/test-logger';

/** Rancher's own intervals, also for a stand-in restarted mid-run. */
export const RANCHER_CADENCE = ['--ping-interval', '15s', '--health-interval', '15s'];

export interface BenchStack {
  main: TestMainCluster;
  standin: StandIn;
  engine: Engine;
}

export async function startBenchStack(options: {
  connectRate: number;
  /** Extra stand-in flags for experiments. */
  standinArgs?: string[];
}): Promise<BenchStack> {
  const [main, standin] = await Promise.all([
    startTestMainCluster(),
    startStandIn([...RANCHER_CADENCE, ...(options.standinArgs ?? [])]),
  ]);
  const engine = new Engine({
    config: testConfig({
      RancherURL: standin.url,
      BearerToken: STANDIN_TOKEN,
      RancherCACert: standin.caPath,
      ConnectRatePerSecond: options.connectRate,
    }),
    logger: memoryLogger('info').logger,
    shell: 'headless',
    mainCluster: main.provider,
  });
  engine.start();
  await engine.provisioner();
  return { main, standin, engine };
}
