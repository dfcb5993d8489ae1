import type { AgentConfig } from '../../src/main/engine/config/agent-config';
import { testConfig } from './test-config';
import { Engine } from '../../src/main/engine/engine';
import { startWebServer, type RunningWebServer } from '../../src/main/engine/transport/web-server';
import { tempKwokWorkdir } from './kube-stack';
import { memoryLogger } from './test-logger';

/**
 * An engine whose main cluster is a kwokctl cluster that does not exist (an
 * empty workdir): enough for API tests that do not need Kubernetes.
 */
export async function startApiOnlyAgent(overrides: Partial<AgentConfig> = {}): Promise<{
  engine: Engine;
  web: RunningWebServer;
  lines: string[];
  stop(): Promise<void>;
}> {
  const { logger, lines } = memoryLogger();
  const config = { ...testConfig(), KwokWorkdir: tempKwokWorkdir(), ListenPort: 0, ...overrides };
  const engine = new Engine({ config, logger, shell: 'headless', ensureMainCluster: false });
  const web = await startWebServer({
    engine,
    logger,
    host: config.ListenAddress,
    port: config.ListenPort,
    accessToken: config.AccessToken,
    rendererDir: undefined,
  });
  engine.start();
  return {
    engine,
    web,
    lines,
    stop: async () => {
      await web.close();
      await engine.stop();
    },
  };
}
