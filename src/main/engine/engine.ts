/**
 * The agent engine: a library with a small typed surface (the channel map in
 * src/shared/channels.ts). The Electron app and `scale-cluster-agent serve`
 * are two thin shells over it; neither reaches inside.
 */
import { EventEmitter } from 'node:events';
import type {
  EngineInfo,
  EventChannel,
  EventChannels,
  RequestChannel,
  RequestOf,
  ResponseOf,
} from '../../shared/channels';
import { isRequestChannel } from '../../shared/channels';
import { EngineError } from '../../shared/errors';
import type { MainClusterInfo } from '../../shared/main-cluster';
import { ClusterRegistry } from './clusters/cluster-registry';
import type { AgentConfig } from './config/agent-config';
import { createMainClusterProvider } from './kube/create-main-cluster-provider';
import type { MainClusterProvider } from './kube/main-cluster-provider';
import { validateRequest } from './request-validation';
import type { Logger } from './telemetry/logger';

export const ENGINE_VERSION = '0.1.0';

/** How long after a failed or lost main cluster the engine tries to bring it up again. */
const ENSURE_RETRY_MS = 30_000;

export interface EngineOptions {
  config: AgentConfig;
  logger: Logger;
  shell: EngineInfo['shell'];
  /** Defaults to the provider the config names. */
  mainCluster?: MainClusterProvider;
  /** Bring the main cluster up on start (default true). */
  ensureMainCluster?: boolean;
  /** How often the main cluster's status is refreshed. */
  statusIntervalMs?: number;
}

type EngineEvents = { [E in EventChannel]: [EventChannels[E]] };
type Handlers = { [C in RequestChannel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> };

export class Engine {
  readonly events = new EventEmitter<EngineEvents>();
  readonly registry = new ClusterRegistry();
  readonly mainCluster: MainClusterProvider;
  private readonly logger: Logger;
  private mainInfo: MainClusterInfo;
  private statusTimer: NodeJS.Timeout | undefined;
  private readonly startedAt = new Date().toISOString();
  private stopped = false;
  private lastEnsureAt = 0;

  constructor(private readonly options: EngineOptions) {
    this.logger = options.logger;
    this.mainCluster = options.mainCluster ?? createMainClusterProvider(options.config, options.logger);
    this.mainInfo = {
      provider: this.mainCluster.kind,
      name: this.mainCluster.name,
      state: 'starting',
      updatedAt: this.startedAt,
    };
    this.registry.on('changed', (change) => this.events.emit('clusters.changed', change));
    this.events.setMaxListeners(0);
  }

  /** Starts background work. Bringing up the main cluster does not block start. */
  start(): void {
    if (this.options.ensureMainCluster !== false) void this.ensureMainCluster();
    else void this.refreshMainCluster(true);
    const interval = this.options.statusIntervalMs ?? 5000;
    this.statusTimer = setInterval(() => void this.tick(), interval);
    this.statusTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.registry.flush();
  }

  /**
   * Keeps the main cluster's status fresh and, when the agent manages it,
   * brings it back if it went away (retried at most every ENSURE_RETRY_MS so a
   * persistent fault is not hammered).
   */
  private async tick(): Promise<void> {
    const down = ['error', 'stopped', 'absent'].includes(this.mainInfo.state);
    if (
      down &&
      this.options.ensureMainCluster !== false &&
      Date.now() - this.lastEnsureAt >= ENSURE_RETRY_MS
    ) {
      await this.ensureMainCluster();
      return;
    }
    await this.refreshMainCluster();
  }

  /** Ensures the main cluster; failures are reported in its status, not thrown. */
  async ensureMainCluster(): Promise<MainClusterInfo> {
    this.lastEnsureAt = Date.now();
    this.setMainInfo({
      ...this.mainInfo,
      state: 'starting',
      message: 'bringing up the main cluster',
      updatedAt: new Date().toISOString(),
    });
    try {
      this.setMainInfo(await this.mainCluster.ensure());
    } catch (err) {
      const message = (err as Error).message;
      this.logger.error({ err }, `Main cluster is not available: ${message}`);
      this.setMainInfo({
        provider: this.mainCluster.kind,
        name: this.mainCluster.name,
        state: 'error',
        message,
        updatedAt: new Date().toISOString(),
      });
    }
    return this.mainInfo;
  }

  private async refreshMainCluster(force = false): Promise<void> {
    // While an ensure is in flight its own result is the truth; an error
    // state stays until the next ensure so the reason is not lost.
    if (this.stopped) return;
    if (!force && (this.mainInfo.state === 'starting' || this.mainInfo.state === 'error')) return;
    try {
      this.setMainInfo(await this.mainCluster.status());
    } catch (err) {
      this.logger.debug({ err }, 'main cluster status check failed');
    }
  }

  private setMainInfo(info: MainClusterInfo): void {
    const before = this.mainInfo;
    this.mainInfo = info;
    if (
      before.state !== info.state ||
      before.nodeCount !== info.nodeCount ||
      before.message !== info.message ||
      before.apiEndpoint !== info.apiEndpoint
    ) {
      this.events.emit('mainCluster.changed', info);
    }
  }

  /** The one entry point of every transport: validated, typed, errors as EngineError. */
  async handle<C extends RequestChannel>(channel: C, request: unknown): Promise<ResponseOf<C>> {
    if (!isRequestChannel(channel))
      throw new EngineError('invalid', `unknown channel ${JSON.stringify(channel)}`);
    const valid = validateRequest(channel, request);
    const handler = this.handlers[channel] as (r: RequestOf<C>) => Promise<ResponseOf<C>>;
    return handler(valid);
  }

  private readonly handlers: Handlers = {
    'engine.info': async () => ({
      version: ENGINE_VERSION,
      shell: this.options.shell,
      rancherUrl: this.options.config.RancherURL,
      startedAt: this.startedAt,
    }),
    'mainCluster.get': async () => this.mainInfo,
    'clusters.list': async () => this.registry.list(),
    'clusters.get': async ({ name }) => this.registry.get(name),
    'clusters.create': async ({ name }) => {
      const record = this.registry.add(name);
      this.logger.info({ cluster: record.name }, `Cluster ${record.name} accepted`);
      return record;
    },
    'clusters.delete': async ({ name }) => {
      this.registry.remove(name);
      this.logger.info({ cluster: name }, `Cluster ${name} deleted`);
      return { name };
    },
  };
}
