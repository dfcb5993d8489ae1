/**
 * The stack most integration tests run against: a real main cluster, the Go
 * Rancher stand-in, an Engine importing into it, and the engine's REST API on
 * a free loopback port. One place to start it and one to stop it.
 */
import type { AgentConfig } from '../../src/main/engine/config/agent-config';
import { startWebServer, type RunningWebServer } from '../../src/main/engine/transport/web-server';
import { Engine } from '../../src/main/engine/engine';
import { startTestMainCluster, type TestMainCluster } from './main-cluster';
import { STANDIN_TOKEN, startStandIn, type StandIn } from './rancher-standin';
import { testConfig } from './test-config';
import { memoryLogger } from './test-logger';

export interface EngineStack {
  main: TestMainCluster;
  standin: StandIn;
  engine: Engine;
  web: RunningWebServer;
  /** Every line the engine logged. */
  log: ReturnType<typeof memoryLogger>;
  /** Fetches a path of the engine's REST API. */
  rest(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export interface EngineStackOptions {
  /** Extra stand-in flags, e.g. ['--ping-interval', '3s']. */
  standinArgs?: string[];
  config?: Partial<AgentConfig>;
  /** Runs before the engine starts (to subscribe to its events). */
  beforeStart?: (engine: Engine) => void;
}

export async function startEngineStack(options: EngineStackOptions = {}): Promise<EngineStack> {
  const [main, standin] = await Promise.all([startTestMainCluster(), startStandIn(options.standinArgs)]);
  const log = memoryLogger();
  const config = testConfig({
    RancherURL: standin.url,
    BearerToken: STANDIN_TOKEN,
    RancherCACert: standin.caPath,
    ListenPort: 0,
    ...options.config,
  });
  const engine = new Engine({ config, logger: log.logger, shell: 'headless', mainCluster: main.provider });
  options.beforeStart?.(engine);
  const web = await startWebServer({
    engine,
    logger: log.logger,
    host: '127.0.0.1',
    port: 0,
    accessToken: '',
    rendererDir: undefined,
  });
  engine.start();
  return {
    main,
    standin,
    engine,
    web,
    log,
    rest: (path, init) => fetch(`${web.url}${path}`, init),
    stop: async () => {
      await web.close();
      await engine.stop();
      await standin.stop();
      await main.destroy();
    },
  };
}
