/**
 * A real kwokctl main cluster for one test file: built binaries, its own
 * workdir and port, deleted afterwards.
 */
import { rmSync } from 'node:fs';
import { KwokctlProvider } from '../../src/main/engine/main-cluster/kwokctl-provider';
import { KubeRest } from '../../src/main/engine/kube/kube-rest';
import { freePort } from './free-port';
import { requireKubeStack, tempKwokWorkdir } from './kube-stack';
import { memoryLogger } from './test-logger';

export interface TestMainCluster {
  provider: KwokctlProvider;
  rest: KubeRest;
  workdir: string;
  destroy(): Promise<void>;
}

export async function startTestMainCluster(): Promise<TestMainCluster> {
  const binDir = requireKubeStack();
  const workdir = tempKwokWorkdir();
  const provider = new KwokctlProvider({
    name: 'main-cluster',
    apiPort: await freePort(),
    workdir,
    binaries: { binDir, pathEnv: '' },
    logger: memoryLogger().logger,
  });
  await provider.ensure();
  const rest = await KubeRest.fromKubeConfig(provider.kubeConfig());
  return {
    provider,
    rest,
    workdir,
    destroy: async () => {
      rest.close();
      await provider.delete().catch(() => undefined);
      rmSync(workdir, { recursive: true, force: true });
    },
  };
}

export async function eventually<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
