/**
 * The agent engine, as a composition root: it makes each domain, wires them
 * to one another, starts and stops them, and is the one entry point of
 * every transport (handle: validated, typed, errors as EngineError; the
 * handler table is channels/engine-handlers.ts). The Electron app and
 * `scale-cluster-agent serve` make it with createEngine and never reach inside.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
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
import { TARGETED_FAULT_KINDS } from '../../shared/faults';
import type { AppProcessMetric } from '../../shared/telemetry';
import { engineHandlers, type EngineHandlers } from './channels/engine-handlers';
import { validateRequest } from './channels/request-validation';
import { BatchRunner } from './clusters/batch-runner';
import { ClusterLifecycle } from './clusters/cluster-lifecycle';
import { ClusterRegistry } from './clusters/cluster-registry';
import { ClusterState } from './clusters/cluster-state';
import { PeerAgents } from './agents/peer-agents';
import { ConfigError, type AgentConfig, type ConfigKey } from './config/agent-config';
import { FleetReconciler } from './fleet/fleet-reconciler';
import { resolveShard, type ShardAssignment } from './fleet/shard';
import { Faults } from './faults/faults';
import { syntheticLoadAllowed } from './inspector/synthetic-load';
import { TunnelInspector } from './inspector/tunnel-inspector';
import { KubeRest } from './kube/kube-rest';
import { createMainClusterProvider } from './main-cluster/create-main-cluster-provider';
import type { MainClusterProvider } from './main-cluster/main-cluster-provider';
import { MainClusterSupervisor } from './main-cluster/main-cluster-supervisor';
import { refreshClusterCounts } from './clusters/cluster-counts';
import { RancherIntegration } from './rancher/rancher-integration';
import { agentVersion } from './rancher/user-agent';
import { SteveApi } from './steve/steve-api';
import { FileSettingsStore } from './settings/file-settings-store';
import { SettingsService } from './settings/settings-service';
import type { SettingsStore } from './settings/settings-store';
import { AesSecretBox, type SecretCipher } from './store/secret-box';
import type { StateStore } from './store/state-store';
import { AgentMetrics } from './telemetry/agent-metrics';
import { LoadSampler } from './telemetry/load-sampler';
import { LogFeed } from './telemetry/log-feed';
import { LogRing } from './telemetry/log-ring';
import type { Logger } from './telemetry/logger';
import { ClusterProvisioner } from './provisioning/cluster-provisioner';
import { ClusterAuthenticator } from './vapi/auth/cluster-authenticator';
import { loadOrCreateAppCa } from './vapi/pki/app-ca';
import { ClusterIdentities } from './vapi/pki/cluster-identity';
import { ApiResources } from './vapi/translate/api-resources';
import { VirtualApiHandler } from './vapi/vapi-handler';
import { VirtualApiServer } from './vapi/virtual-api-server';

export const ENGINE_VERSION = '0.1.0';

/** How long a graceful stop lets cluster steps in flight finish before aborting them. */
const SHUTDOWN_GRACE_MS = 10_000;

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
  /** How long stop() lets steps in flight finish (default 10 s). */
  shutdownGraceMs?: number;
  /** Seals secrets in the state file (desktop: Electron safeStorage); default AES with a 0600 key file. */
  cipher?: SecretCipher;
  /** Where saved settings live (desktop: electron-store); default `<home>/settings.json` sealed by `cipher`. */
  settingsStore?: SettingsStore;
  /** Where each config key came from (loadConfig's `sources`): the environment and flags win over saved settings. */
  configSources?: Partial<Record<ConfigKey, string>>;
  /** The ring the logger copies its redacted lines into (createLogger's `copyTo`), for the Logs screen. */
  logRing?: LogRing;
  /** The desktop app's processes (Electron app.getAppMetrics), sampled by the shell each second. */
  appProcesses?: () => AppProcessMetric[];
}

type EngineEvents = { [E in EventChannel]: [EventChannels[E]] };

export class Engine {
  readonly events = new EventEmitter<EngineEvents>();
  readonly registry = new ClusterRegistry();
  readonly mainCluster: MainClusterSupervisor;
  readonly lifecycle: ClusterLifecycle;
  readonly batches: BatchRunner;
  readonly rancher: RancherIntegration | undefined;
  readonly metrics: AgentMetrics;
  /** Every fault kind: targeted (latency, bandwidth, API errors, heartbeats) and on the tunnels. */
  readonly faults: Faults;
  readonly settings: SettingsService;
  /** Recent redacted log lines (`logs.tail`); empty when the shell gave the logger no ring. */
  readonly logRing: LogRing;
  /** The live tunnel inspector: taps on every tunnel, recording only watched clusters. */
  readonly inspector: TunnelInspector;
  /** One load sample a second, an hour and more kept (telemetry.history, telemetry.sample). */
  readonly load: LoadSampler;
  readonly logger: Logger;
  /** Each cluster's Steve v1 API (Rancher's cluster explorer), served on its Steve tunnel. */
  readonly steveApi: SteveApi;
  /** Which of a fleet's clusters this agent owns (one shard of one unless ShardCount says more). */
  readonly shard: ShardAssignment;
  /** Other agents the user added to this one's UI; calls and events are relayed. */
  readonly peers: PeerAgents;
  /** The fleet spec's reconciler, when a spec is configured (Fleet / --fleet). */
  readonly fleet: FleetReconciler | undefined;
  private readonly state: ClusterState;
  private readonly logFeed: LogFeed;
  private readonly handlers: EngineHandlers;
  private kubeRest: KubeRest | undefined;
  private provisionerPromise: Promise<ClusterProvisioner> | undefined;
  /** The provisioner once made, for synchronous reads of its caches. */
  private provisionerReady: ClusterProvisioner | undefined;
  private virtualApiServer: Promise<VirtualApiServer> | undefined;
  /** Settled virtual API, for the state snapshot (which is synchronous). */
  private virtualApiReady: VirtualApiServer | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private readonly startedAt = new Date().toISOString();
  private readonly instanceId = randomBytes(8).toString('hex');

  constructor(private readonly options: EngineOptions) {
    const { config } = options;
    if (config.RancherURL && !config.BearerToken) {
      throw new EngineError(
        'invalid',
        'RancherURL is set but no API token: set RANCHER_TOKEN (or BearerToken in the config file)',
      );
    }
    this.logger = options.logger;
    this.events.setMaxListeners(0);
    this.mainCluster = new MainClusterSupervisor({
      provider: options.mainCluster ?? createMainClusterProvider(config, options.logger),
      logger: this.logger,
      manage: options.ensureMainCluster !== false,
      onChanged: (info) => this.events.emit('mainCluster.changed', info),
    });
    this.registry.on('changed', (change) => this.events.emit('clusters.changed', change));
    this.inspector = new TunnelInspector({
      clusterExists: (name) => this.registry.has(name),
      clusterNames: () => this.registry.names(),
      tunnels: (name) => this.rancher?.tunnelLoops(name),
      emitBatch: (batch) => this.events.emit('inspector.batch', batch),
      logger: this.logger,
      syntheticLoadAllowed: syntheticLoadAllowed(),
    });
    this.registry.on('changed', (change) => change.removed.forEach((n) => this.inspector.forgetCluster(n)));
    this.faults = new Faults({
      logger: this.logger,
      provisioner: () => this.provisioner(),
      onHeartbeatsResumed: (cluster) =>
        void this.provisionerPromise?.then((m) => m.nodeStatus.recheckCluster(cluster)),
      onChanged: (faults) => this.events.emit('faults.changed', { faults }),
      onApiError: (code) => this.metrics.faultApiErrors.inc({ code: String(code) }),
      onShaped: (kind, bytes) => this.metrics.faultShapedBytes.inc({ kind }, bytes),
      tunnels: () => this.rancher,
      clusterNames: () => this.registry.names(),
      requireCluster: (name) => void this.registry.get(name),
    });
    this.steveApi = new SteveApi({
      kube: async (name) => (await this.virtualApi()).internalClient(name),
      logger: this.logger,
      version: `scale-cluster-agent/${agentVersion()}`,
    });
    this.rancher = config.RancherURL ? this.makeRancher(config) : undefined;
    this.lifecycle = new ClusterLifecycle({
      registry: this.registry,
      logger: this.logger,
      provisioner: () => this.provisioner(),
      rancher: () => this.rancher,
      apiserverCounters: () => this.kubeRest?.stats,
      forgetApi: async (name) => {
        if (this.virtualApiServer) await (await this.virtualApiServer).forgetCluster(name);
      },
    });
    this.batches = new BatchRunner(this.registry, this.lifecycle, this.logger);
    this.shard = resolveShard(config);
    this.metrics = new AgentMetrics({
      clusters: () => this.registry.list(),
      kubeStats: () => this.kubeRest?.stats,
      traffic: () => this.rancher?.traffic(),
      faults: () => this.faults.activeByKind(),
      faultClusters: () => {
        const names = this.registry.names();
        const r = this.faults.targeted.registry;
        return Object.fromEntries(TARGETED_FAULT_KINDS.map((kind) => [kind, r.clustersCovered(kind, names)]));
      },
      pausedNodes: () => this.faults.targeted.heartbeats.pausedNodes,
    });
    this.load = new LoadSampler({
      traffic: () => {
        const t = this.rancher?.traffic();
        if (!t) return undefined;
        return {
          frames: t.main.framesIn + t.main.framesOut + t.steve.framesIn + t.steve.framesOut,
          bytes: t.main.bytesIn + t.main.bytesOut + t.steve.bytesIn + t.steve.bytesOut,
        };
      },
      tunnels: () => this.rancher?.openSessions() ?? { sessions: 0, connections: 0 },
      clusters: () => {
        const all = this.registry.list();
        return { active: all.filter((c) => c.status === 'ready').length, total: all.length };
      },
      appProcesses: options.appProcesses,
    });
    mkdirSync(config.HomeDir, { recursive: true, mode: 0o700 });
    const cipher = options.cipher ?? AesSecretBox.fromEnvOrFile(join(config.HomeDir, 'state.key'));
    this.settings = new SettingsService({
      store: options.settingsStore ?? new FileSettingsStore(config.HomeDir, () => cipher),
      config,
      sources: options.configSources,
      logger: this.logger,
      onLiveChange: (live, changed) => {
        if (changed.includes('connectRatePerSecond'))
          this.faults.tunnels.setConnectRate(live.connectRatePerSecond);
      },
    });
    this.logRing = options.logRing ?? new LogRing();
    this.logFeed = new LogFeed(this.logRing, (batch) => this.events.emit('logs.appended', batch));
    this.state = new ClusterState({
      path: join(config.HomeDir, 'state.json'),
      logger: this.logger,
      registry: this.registry,
      lifecycle: this.lifecycle,
      rancher: this.rancher,
      cipher,
      mintedHashes: (name) => this.virtualApiReady?.authenticator.mintedHashes(name),
      restoreLocalEndpoints: () =>
        void this.virtualApi().catch((err: unknown) =>
          this.logger.warn({ err }, 'local endpoints not restored'),
        ),
    });
    this.fleet = config.Fleet ? this.makeFleet(config.Fleet) : undefined;
    this.peers = new PeerAgents({
      homeDir: config.HomeDir,
      cipher,
      logger: this.logger,
      selfInstanceId: this.instanceId,
      onEvent: (event) => this.events.emit('agents.event', event),
      onChanged: (agents) => this.events.emit('agents.changed', agents),
    });
    this.handlers = engineHandlers(this);
  }

  /** The Rancher side: imports, both tunnels per cluster, the deletion watcher. */
  private makeRancher(config: AgentConfig): RancherIntegration {
    return new RancherIntegration({
      config,
      logger: this.logger,
      virtualApi: () => this.virtualApi(),
      steveRoutes: this.steveApi,
      onTunnels: (name, tunnels) => {
        if (!this.registry.has(name)) return;
        this.metrics.tunnelsChanged(this.registry.get(name).tunnels, tunnels);
        this.registry.update(name, { tunnels });
      },
      onGone: (name, why, rancherRemoving) => void this.lifecycle.removeGone(name, why, rancherRemoving),
      onNote: (name, note) => this.lifecycle.note(name, note),
      observers: this.inspector,
      shapeTunnel: (name, stream) => this.faults.targeted.shapeTunnel(name, stream),
      onRancherState: (name, rancherState) => {
        if (this.registry.has(name) && this.registry.get(name).rancherState !== rancherState)
          this.registry.update(name, { rancherState });
      },
      importedClusters: () =>
        this.registry
          .list()
          .filter((c) => c.rancherId && c.status === 'ready')
          .map((c) => ({ name: c.name, rancherId: c.rancherId })),
    });
  }

  /** The fleet reconciler; its spec is read now, so a bad spec stops the agent before it acts on anything. */
  private makeFleet(path: string): FleetReconciler {
    const fleet = new FleetReconciler({
      path,
      shard: this.shard,
      registry: this.registry,
      lifecycle: this.lifecycle,
      logger: this.logger,
      defaultTemplate: () => this.settings.live.defaultTemplate,
      defaultConcurrency: () => this.settings.live.defaultConcurrency,
      presentOwners: async () => (await this.provisioner()).clusterOwners(),
      save: () => this.store.saveNow(),
    });
    try {
      fleet.load();
    } catch (err) {
      throw new ConfigError('fleet spec', 'Fleet', (err as Error).message);
    }
    return fleet;
  }

  /** The state file (written after every change, at once for acknowledged requests). */
  get store(): StateStore {
    return this.state.store;
  }

  info(): EngineInfo {
    return {
      version: ENGINE_VERSION,
      shell: this.options.shell,
      rancherUrl: this.options.config.RancherURL,
      connectRatePerSecond: this.settings.live.connectRatePerSecond,
      startedAt: this.startedAt,
      instanceId: this.instanceId,
    };
  }

  /**
   * The provisioner, made once the main cluster runs. Callers wait for
   * the main cluster (up to 5 minutes) rather than fail while it starts.
   */
  provisioner(): Promise<ClusterProvisioner> {
    this.provisionerPromise ??= (async () => {
      await this.mainCluster.waitRunning();
      const rest = await KubeRest.fromKubeConfig(this.mainCluster.provider.kubeConfig());
      this.kubeRest = rest;
      const manager = new ClusterProvisioner(rest, this.logger, this.shard.agentId);
      manager.nodeStatus.skipCluster = (cluster) => this.faults.targeted.registry.heartbeatsPaused(cluster);
      await manager.start();
      this.provisionerReady = manager;
      return manager;
    })().catch((err: unknown) => {
      this.provisionerPromise = undefined;
      throw err;
    });
    return this.provisionerPromise;
  }

  /** The provisioner if it is made already (synchronous reads of its caches), else undefined. */
  provisionerIfReady(): ClusterProvisioner | undefined {
    return this.provisionerReady;
  }

  /** Every simulated cluster's own Kubernetes API (made with the provisioner). */
  virtualApi(): Promise<VirtualApiServer> {
    this.virtualApiServer ??= (async () => {
      const provisioner = await this.provisioner();
      const ca = await loadOrCreateAppCa(this.options.config.HomeDir);
      const authenticator = new ClusterAuthenticator(provisioner.rest, provisioner.caches);
      const handler = new VirtualApiHandler({
        rest: provisioner.rest,
        caches: provisioner.caches,
        authenticator,
        resources: new ApiResources(provisioner.rest),
        logger: this.logger,
        onRequest: (method, watch, code, ms) => this.metrics.observeVapi(method, watch, code, ms),
        onCachedRead: (what) => this.metrics.vapiCachedReads.inc({ what }),
        injectError: (cluster) => this.faults.targeted.apiError(cluster),
      });
      authenticator.restoreMinted(this.state.restoredTokenHashes);
      const server = new VirtualApiServer(handler, new ClusterIdentities(ca), authenticator, this.logger);
      this.virtualApiReady = server;
      server.onLocalPort = (name, port) => {
        if (this.registry.has(name) && this.registry.get(name).localPort !== port)
          this.registry.update(name, { localPort: port });
      };
      // Local endpoints come back on the ports recorded before a restart.
      for (const c of this.registry.list()) {
        if (c.localPort && c.status !== 'deleting') {
          await server
            .listenLocal(c.name, c.localPort)
            .catch((err: unknown) =>
              this.logger.warn({ cluster: c.name, err }, 'local endpoint not restored'),
            );
        }
      }
      return server;
    })().catch((err: unknown) => {
      this.virtualApiServer = undefined;
      throw err;
    });
    return this.virtualApiServer;
  }

  /** A kubeconfig for a cluster's local API endpoint (holds a fresh token: never logged). */
  async kubeconfig(name: string): Promise<string> {
    const record = this.registry.get(name);
    if (record.status !== 'ready')
      throw new EngineError(
        'conflict',
        `cluster ${name} is ${record.status}; a kubeconfig is available once it is ready`,
      );
    const text = await (await this.virtualApi()).kubeconfig(name);
    this.store.schedule(); // the new token's hash outlives a restart
    return text;
  }

  /** Starts background work. Bringing up the main cluster does not block start. */
  start(): void {
    this.state.restore();
    this.mainCluster.start();
    this.statusTimer = setInterval(() => void this.tick(), this.options.statusIntervalMs ?? 5000);
    this.statusTimer.unref();
    this.rancher?.startDeletionWatcher();
    this.fleet?.start();
    this.peers.restore();
    this.logFeed.start();
    this.load.start((sample) => this.events.emit('telemetry.sample', sample));
  }

  async stop(): Promise<void> {
    await this.fleet?.stop();
    this.peers.close();
    this.mainCluster.stop();
    this.store.saveNow();
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.logFeed.stop();
    this.load.stop();
    this.inspector.stop();
    // Steps in flight finish (or are checkpointed at their current step) before what they use goes away.
    await this.lifecycle.shutdown(this.options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS);
    this.mainCluster.abandonWaiters();
    // Tunnels first, so Rancher sees clean closes; then the APIs behind them.
    await this.faults.shutdown();
    await this.rancher?.stop();
    this.steveApi.close();
    if (this.virtualApiServer) await (await this.virtualApiServer.catch(() => undefined))?.close();
    if (this.provisionerPromise) {
      const manager = await this.provisionerPromise.catch(() => undefined);
      manager?.stop();
      manager?.rest.close();
    }
    this.registry.flush();
    this.store.saveNow();
  }

  /** The status tick: the main cluster's status, then node and pod counts of ready clusters. */
  private async tick(): Promise<void> {
    await this.mainCluster.tick();
    if (this.provisionerPromise && this.mainCluster.info.state === 'running')
      refreshClusterCounts(this.registry, (await this.provisionerPromise).allCounts());
  }

  /** The one entry point of every transport: validated, typed, errors as EngineError. */
  async handle<C extends RequestChannel>(channel: C, request: unknown): Promise<ResponseOf<C>> {
    if (!isRequestChannel(channel))
      throw new EngineError('invalid', `unknown channel ${JSON.stringify(channel)}`);
    const valid = validateRequest(channel, request);
    const handler = this.handlers[channel] as (r: RequestOf<C>) => Promise<ResponseOf<C>>;
    return handler(valid);
  }
}
