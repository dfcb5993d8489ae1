/**
 * A real main cluster, an engine without Rancher, and simulated clusters
 * made through the engine's channels, each with an exported kubeconfig
 * written to `dir`: what a user has before pointing kubectl at them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine';
import { eventually, startTestMainCluster, type TestMainCluster } from './main-cluster';
import { testConfig } from './test-config';
import { memoryLogger } from './test-logger';

export interface ClustersWithKubeconfigs {
  main: TestMainCluster;
  engine: Engine;
  /** Path of each cluster's kubeconfig, by cluster name. */
  kubeconfigs: Record<string, string>;
  stop(): Promise<void>;
}

export async function startClustersWithKubeconfigs(
  names: string[],
  dir: string,
  template = 'tiny',
): Promise<ClustersWithKubeconfigs> {
  const main = await startTestMainCluster();
  const engine = new Engine({
    config: testConfig({ HomeDir: dir }),
    logger: memoryLogger().logger,
    shell: 'headless',
    mainCluster: main.provider,
  });
  engine.start();
  for (const name of names) await engine.handle('clusters.create', { name, template });
  await eventually(
    async () =>
      (await engine.handle('clusters.list', undefined)).filter((c) => c.status === 'ready').length ===
      names.length,
    `clusters ${names.join(', ')} ready`,
    90_000,
  );
  const kubeconfigs: Record<string, string> = {};
  for (const name of names) {
    kubeconfigs[name] = join(dir, `${name}.yaml`);
    writeFileSync(kubeconfigs[name], (await engine.handle('clusters.kubeconfig', { name })).kubeconfig);
  }
  return {
    main,
    engine,
    kubeconfigs,
    stop: async () => {
      await engine.stop();
      await main.destroy();
    },
  };
}
