/**
 * The agent engine: a library with a small typed surface (the channel map in
 * src/shared/channels.ts). The Electron app and `scale-cluster-agent serve`
 * are two thin shells over it; neither reaches inside.
 */
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
import type {
  ActiveFault,
  ClearFaultsResponse,
  InjectFaultRequest,
  InjectFaultResponse,
} from '../../shared/faults';
import type { MainClusterInfo } from '../../shared/main-cluster';
import type { AppProcessMetric } from '../../shared/telemetry';
import { BatchRunner } from './clusters/batch-runner';
import { ClusterLifecycle } from './clusters/cluster-lifecycle';
import { ClusterRegistry } from './clusters/cluster-registry';
import { FaultInjection } from './faults/fault-injection';
import { KubeRest } from './kube/kube-rest';
import { syntheticLoadAllowed } from './inspector/synthetic-load';
import { TunnelInspector } from './inspector/tunnel-inspector';
import { RancherIntegration } from './rancher/rancher-integration';
import type { PersistedCluster } from './store/agent-state';
import { AesSecretBox, type SecretCipher } from './store/secret-box';
import { AgentMetrics } from './telemetry/agent-metrics';
import { LogFeed } from './telemetry/log-feed';
import { LogRing } from './telemetry/log-ring';
import { FileSettingsStore } from './settings/file-settings-store';
import { SettingsService } from './settings/settings-service';
import type { SettingsStore } from './settings/settings-store';
import { LoadSampler } from './telemetry/load-sampler';
import { StateStore } from './store/state-store';
import { checkTemplate, listTemplates } from './tenant/template/template-catalog';
import { TenantManager } from './tenant/tenant-manager';
import { TenantAuthenticator } from './vapi/auth/tenant-authenticator';
import { loadOrCreateAppCa } from './vapi/pki/app-ca';
import { ClusterIdentities } from './vapi/pki/cluster-identity';
import { ApiResources } from './vapi/translate/api-resources';
import { VirtualApiHandler } from './vapi/vapi-handler';
import { VirtualApiServer } from './vapi/virtual-api-server';
import { LOG_LEVELS, type AgentConfig, type ConfigKey, type LogLevel } from './config/agent-config';
import { createMainClusterProvider } from './kube/create-main-cluster-provider';
import type { MainClusterProvider } from './kube/main-cluster-provider';
import { validateRequest } from './request-validation';
import type { Logger } from './telemetry/logger';

export const ENGINE_VERSION = '0.1.0';

/** How long after a failed or lost main cluster the engine tries to bring it up again. */
const ENSURE_RETRY_MS = 30_000;

/** How long a graceful stop lets cluster steps in flight finish before aborting them. */
const SHUTDOWN_GRACE_MS = 10_000;

/** How long a cluster step waits for the main cluster to come up before failing. */
const MAIN_WAIT_MS = 300_000;

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
type Handlers = { [C in RequestChannel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> };

export class Engine {
  readonly events = new EventEmitter<EngineEvents>();
  readonly registry = new ClusterRegistry();
  readonly mainCluster: MainClusterProvider;
  readonly lifecycle: ClusterLifecycle;
  readonly batches: BatchRunner;
  readonly rancher: RancherIntegration | undefined;
  readonly store: StateStore;
  readonly metrics: AgentMetrics;
  /** Latency, bandwidth, API errors and paused heartbeats for chosen clusters (faults.* channels, /faults). */
  readonly faultInjection: FaultInjection;
  readonly settings: SettingsService;
  /** Recent redacted log lines (`logs.tail`); empty when the shell gave the logger no ring. */
  readonly logRing: LogRing;
  private readonly logFeed: LogFeed;
  /** The live tunnel inspector: taps on every tunnel, recording only watched clusters. */
  readonly inspector: TunnelInspector;
  /** One load sample a second, an hour and more kept (telemetry.history, telemetry.sample). */
  readonly load: LoadSampler;
  private kubeRest: KubeRest | undefined;
  private readonly cipher: SecretCipher;
  private tenantManager: Promise<TenantManager> | undefined;
  /** The tenant manager once made, for synchronous reads of its caches. */
  private tenantsReady: TenantManager | undefined;
  private virtualApiServer: Promise<VirtualApiServer> | undefined;
  /** Settled virtual API, for the state snapshot (which is synchronous). */
  private virtualApiReady: VirtualApiServer | undefined;
  /** Kubeconfig token hashes read from the state file, given to the virtual API when it starts. */
  private readonly restoredTokenHashes = new Map<string, string>();
  private mainRunningWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
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
    this.inspector = new TunnelInspector({
      clusterExists: (name) => this.registry.has(name),
      clusterNames: () => this.registry.names(),
      tunnels: (name) => this.rancher?.tunnelLoops(name),
      emitBatch: (batch) => this.events.emit('inspector.batch', batch),
      logger: this.logger,
      syntheticLoadAllowed: syntheticLoadAllowed(),
    });
    this.registry.on('changed', (change) => change.removed.forEach((n) => this.inspector.forgetCluster(n)));
    const { config } = options;
    if (config.RancherURL && !config.BearerToken) {
      throw new EngineError(
        'invalid',
        'RancherURL is set but no API token: set RANCHER_TOKEN (or BearerToken in the config file)',
      );
    }
    this.faultInjection = new FaultInjection({
      logger: this.logger,
      tenants: () => this.tenants(),
      onHeartbeatsResumed: (tenant) =>
        void this.tenantManager?.then((m) => m.nodeStatus.recheckTenant(tenant)),
      onChanged: () => this.emitFaultsChanged(),
      onApiError: (code) => this.metrics.faultApiErrors.inc({ code: String(code) }),
      onShaped: (kind, bytes) => this.metrics.faultShapedBytes.inc({ kind }, bytes),
    });
    this.rancher = config.RancherURL
      ? new RancherIntegration({
          config,
          logger: this.logger,
          virtualApi: () => this.virtualApi(),
          onTunnels: (name, tunnels) => {
            if (!this.registry.has(name)) return;
            this.metrics.tunnelsChanged(this.registry.get(name).tunnels, tunnels);
            this.registry.update(name, { tunnels });
          },
          onGone: (name, why, rancherRemoving) => void this.lifecycle.removeGone(name, why, rancherRemoving),
          onNote: (name, note) => this.lifecycle.note(name, note),
          observers: this.inspector,
          shapeTunnel: (name, stream) => this.faultInjection.shapeTunnel(name, stream),
          onRancherState: (name, rancherState) => {
            if (this.registry.has(name) && this.registry.get(name).rancherState !== rancherState)
              this.registry.update(name, { rancherState });
          },
          importedClusters: () =>
            this.registry
              .list()
              .filter((c) => c.rancherId && c.status === 'ready')
              .map((c) => ({ name: c.name, rancherId: c.rancherId })),
        })
      : undefined;
    this.lifecycle = new ClusterLifecycle({
      registry: this.registry,
      logger: this.logger,
      tenants: () => this.tenants(),
      rancher: () => this.rancher,
      forgetApi: async (name) => {
        if (this.virtualApiServer) await (await this.virtualApiServer).forgetTenant(name);
      },
    });
    this.batches = new BatchRunner(this.registry, this.lifecycle, this.logger);
    this.metrics = new AgentMetrics({
      clusters: () => this.registry.list(),
      kubeStats: () => this.kubeRest?.stats,
      traffic: () => this.rancher?.traffic(),
      faults: () => ({
        ...this.faultInjection.activeByKind(),
        refuse_connects: this.rancher?.refusingUntil ? 1 : 0,
        storm: this.storm ? 1 : 0,
      }),
      faultClusters: () => {
        const names = this.registry.names();
        const r = this.faultInjection.registry;
        return Object.fromEntries(TARGETED_FAULT_KINDS.map((kind) => [kind, r.clustersCovered(kind, names)]));
      },
      pausedNodes: () => this.faultInjection.heartbeats.pausedNodes,
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
    this.cipher = options.cipher ?? AesSecretBox.fromEnvOrFile(join(config.HomeDir, 'state.key'));
    this.settings = new SettingsService({
      store: options.settingsStore ?? new FileSettingsStore(config.HomeDir, () => this.cipher),
      config,
      sources: options.configSources,
      logger: this.logger,
      onLiveChange: (live, changed) => {
        if (changed.includes('connectRatePerSecond')) this.setConnectRate(live.connectRatePerSecond);
      },
    });
    this.logRing = options.logRing ?? new LogRing();
    this.logFeed = new LogFeed(this.logRing, (batch) => this.events.emit('logs.appended', batch));
    this.store = new StateStore(join(config.HomeDir, 'state.json'), () => this.snapshot(), this.logger);
    this.registry.on('changed', () => this.store.schedule());
  }

  /** What goes into the state file: every cluster, its template, and its sealed Rancher credentials. */
  private snapshot(): PersistedCluster[] {
    return this.registry.list().map((record) => {
      const creds = this.rancher?.credentialsOf(record.name);
      const tokenHashes = this.virtualApiReady
        ? this.virtualApiReady.authenticator.mintedHashes(record.name)
        : [...this.restoredTokenHashes].filter(([, t]) => t === record.name).map(([h]) => h);
      return {
        record,
        template: this.lifecycle.templateSpec(record.name),
        ...(tokenHashes.length > 0 ? { tokenHashes } : {}),
        ...(creds
          ? {
              sealed: {
                registrationToken: this.cipher.encrypt(creds.registrationToken),
                serviceAccountToken: this.cipher.encrypt(creds.serviceAccountToken),
              },
            }
          : {}),
      };
    });
  }

  /**
   * The restart path: every acknowledged cluster comes back. Ready ones are
   * re-converged and reconnect (rate-limited); those caught mid-creation
   * resume from their first step (every step is idempotent; Rancher clusters
   * are adopted by name); failed ones stay failed with their reason;
   * deletions in progress finish.
   */
  private restore(): void {
    const state = this.store.load();
    if (!state) return;
    for (const c of state.clusters) {
      try {
        this.lifecycle.adopt(c.record.name, c.template);
      } catch (err) {
        this.logger.error(
          { cluster: c.record.name, err },
          `state: cluster ${c.record.name} has an unusable template; kept as failed`,
        );
        c.record.status = 'failed';
        c.record.error = `template unusable after restart: ${(err as Error).message}`;
      }
      this.registry.restore({ ...c.record, tunnels: undefined });
      for (const hash of c.tokenHashes ?? []) this.restoredTokenHashes.set(hash, c.record.name);
      if (c.sealed && this.rancher) {
        try {
          this.rancher.restoreCredentials(c.record.name, {
            rancherId: c.record.rancherId,
            registrationToken: this.cipher.decrypt(c.sealed.registrationToken),
            serviceAccountToken: this.cipher.decrypt(c.sealed.serviceAccountToken),
          });
        } catch (err) {
          this.logger.error(
            { cluster: c.record.name, err },
            `state: cannot unseal the Rancher credentials of ${c.record.name}; it will be imported again`,
          );
          this.registry.update(c.record.name, { status: 'pending' });
        }
      }
    }
    this.logger.info(
      { clusters: state.clusters.length },
      `Restored ${state.clusters.length} clusters from ${this.store.path}`,
    );
    // Local endpoints come back on their recorded ports (with their kubeconfig tokens) once the main cluster is up.
    if (state.clusters.some((c) => c.record.localPort)) {
      void this.virtualApi().catch((err: unknown) =>
        this.logger.warn({ err }, 'local endpoints not restored'),
      );
    }
    for (const record of this.registry.list()) {
      if (
        record.status === 'ready' &&
        (record.rancherId === '' || this.rancher?.credentialsOf(record.name) || !this.rancher)
      )
        this.lifecycle.resumeReady(record.name);
      else if (record.status === 'deleting') void this.lifecycle.delete(record.name).catch(() => undefined);
      else if (record.status !== 'failed') {
        this.registry.setStatus(record.name, 'pending');
        this.lifecycle.start(record.name);
      }
    }
  }

  /**
   * The tenant manager, made once the main cluster runs. Callers wait for
   * the main cluster (up to MAIN_WAIT_MS) rather than fail while it starts.
   */
  tenants(): Promise<TenantManager> {
    this.tenantManager ??= (async () => {
      await this.waitMainRunning();
      const rest = await KubeRest.fromKubeConfig(this.mainCluster.kubeConfig());
      this.kubeRest = rest;
      const manager = new TenantManager(rest, this.logger);
      manager.nodeStatus.skipTenant = (tenant) => this.faultInjection.registry.heartbeatsPaused(tenant);
      await manager.start();
      this.tenantsReady = manager;
      return manager;
    })().catch((err: unknown) => {
      this.tenantManager = undefined;
      throw err;
    });
    return this.tenantManager;
  }

  /** Every simulated cluster's own Kubernetes API (made with the tenant manager). */
  virtualApi(): Promise<VirtualApiServer> {
    this.virtualApiServer ??= (async () => {
      const tenants = await this.tenants();
      const ca = await loadOrCreateAppCa(this.options.config.HomeDir);
      const authenticator = new TenantAuthenticator(tenants.rest, tenants.caches);
      const handler = new VirtualApiHandler({
        rest: tenants.rest,
        caches: tenants.caches,
        authenticator,
        resources: new ApiResources(tenants.rest),
        logger: this.logger,
        onRequest: (method, watch, code, ms) => this.metrics.observeVapi(method, watch, code, ms),
        injectError: (tenant) => this.faultInjection.apiError(tenant),
      });
      authenticator.restoreMinted(this.restoredTokenHashes);
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

  get logLevel(): string {
    return this.logger.level;
  }

  /** Changes the log level while running (for chasing a problem without a restart). */
  setLogLevel(request: Record<string, unknown>): { level: string } {
    const level = request?.level;
    if (typeof level !== 'string' || !LOG_LEVELS.includes(level as LogLevel)) {
      throw new EngineError('invalid', `"level" must be one of ${LOG_LEVELS.join(', ')}`);
    }
    this.logger.level = level;
    this.logger.info(`Log level is now ${level}`);
    return { level };
  }

  /** The connect rate saved in Settings takes effect at once (after a storm, the storm restores it). */
  private setConnectRate(rate: number): void {
    if (!this.rancher) return;
    if (this.storm) this.storm.savedRate = rate;
    else this.rancher.limiter.setRate(rate);
  }

  private requireRancher(): RancherIntegration {
    if (!this.rancher)
      throw new EngineError('invalid', 'no Rancher is configured: there are no tunnels to act on');
    return this.rancher;
  }

  /** Faults in effect, for the UI and REST. */
  faults(): {
    refuseConnectsUntil: string | null;
    droppedSessions: number;
    storm: { ratePerSecond: number; until: string } | null;
    active: ActiveFault[];
  } {
    const until = this.rancher?.refusingUntil ?? 0;
    return {
      refuseConnectsUntil: until ? new Date(until).toISOString() : null,
      droppedSessions: this.droppedSessions,
      storm: this.storm
        ? { ratePerSecond: this.storm.rate, until: new Date(this.storm.until).toISOString() }
        : null,
      active: this.faultList(),
    };
  }

  /** Every fault in effect: the targeted ones, and refused connects and the storm (all clusters). */
  faultList(): ActiveFault[] {
    const list = this.faultInjection.list();
    const refusing = this.rancher?.refusingUntil ?? 0;
    if (refusing && this.refusingSince) {
      list.push({
        id: 'refuse_connects',
        kind: 'refuse_connects',
        clusters: 'all',
        parameters: {},
        since: new Date(this.refusingSince).toISOString(),
        until: new Date(refusing).toISOString(),
      });
    }
    if (this.storm) {
      list.push({
        id: 'storm',
        kind: 'storm',
        clusters: 'all',
        parameters: { ratePerSecond: this.storm.rate },
        since: new Date(this.storm.since).toISOString(),
        until: new Date(this.storm.until).toISOString(),
      });
    }
    return list;
  }

  /** Puts a validated fault in effect; the clusters it names must exist. */
  injectFault(request: InjectFaultRequest): InjectFaultResponse {
    for (const name of ('clusters' in request ? request.clusters : undefined) ?? []) this.registry.get(name);
    if (FaultInjection.isTargeted(request)) return { fault: this.faultInjection.inject(request) };
    const find = (id: string): ActiveFault | null => this.faultList().find((f) => f.id === id) ?? null;
    switch (request.kind) {
      case 'drop_tunnels':
        return { fault: null, ...this.dropTunnels(request) };
      case 'refuse_connects':
        this.refuseConnects(request);
        return { fault: find('refuse_connects') };
      case 'storm':
        this.startStorm(request);
        return { fault: find('storm') };
    }
    throw new EngineError('invalid', 'unknown fault kind');
  }

  /** Clears one fault by id, or all of them. */
  clearFault(id: string | undefined): ClearFaultsResponse {
    if (id === undefined) {
      const cleared = this.faultList();
      this.clearFaults();
      return { cleared };
    }
    const fault = this.faultList().find((f) => f.id === id);
    if (!fault) throw new EngineError('not_found', `no fault ${JSON.stringify(id)} is in effect`);
    if (id === 'refuse_connects') this.stopRefusing();
    else if (id === 'storm') this.stopStorm();
    else this.faultInjection.remove(id);
    return { cleared: [fault] };
  }

  private faultsChangedTimer: NodeJS.Timeout | undefined;

  /** Tells the UIs, at most once per tick however many changes come together. */
  private emitFaultsChanged(): void {
    if (this.faultsChangedTimer) return;
    this.faultsChangedTimer = setTimeout(() => {
      this.faultsChangedTimer = undefined;
      this.events.emit('faults.changed', { faults: this.faultList() });
    }, 0);
  }

  private storm:
    { rate: number; since: number; until: number; timer: NodeJS.Timeout; savedRate: number } | undefined;

  /**
   * Reconnect storm: drops clusters' tunnels one after another at a chosen
   * rate for a while, and lets reconnects through at that rate too, to see
   * how Rancher copes. Ends by itself, or with DELETE /faults.
   */
  startStorm(request: Record<string, unknown>): ReturnType<Engine['faults']> {
    const rancher = this.requireRancher();
    const rate = request?.ratePerSecond;
    const seconds = request?.seconds;
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0 || rate > 1000) {
      throw new EngineError('invalid', '"ratePerSecond" must be a number above 0 and at most 1000');
    }
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
      throw new EngineError('invalid', '"seconds" must be a number above 0 and at most 3600');
    }
    this.stopStorm();
    const savedRate = rancher.limiter.rate;
    rancher.limiter.setRate(Math.max(rate, savedRate));
    let next = 0;
    const timer = setInterval(() => {
      if (!this.storm || Date.now() >= this.storm.until) {
        this.stopStorm();
        return;
      }
      const names = this.registry.names().filter((n) => rancher.hasTunnels(n));
      if (names.length === 0) return;
      this.droppedSessions += rancher.dropSessions(names[next++ % names.length]);
    }, 1000 / rate);
    this.storm = { rate, since: Date.now(), until: Date.now() + seconds * 1000, timer, savedRate };
    this.logger.warn(`Fault injection: reconnect storm at ${rate} drops/s for ${seconds} s`);
    this.emitFaultsChanged();
    return this.faults();
  }

  private stopStorm(): void {
    if (!this.storm) return;
    clearInterval(this.storm.timer);
    this.rancher?.limiter.setRate(this.storm.savedRate);
    this.storm = undefined;
    this.logger.info('Fault injection: reconnect storm over');
    this.emitFaultsChanged();
  }

  private droppedSessions = 0;

  /** Drops the tunnels of the named clusters (all when none are named) now; they reconnect by themselves. */
  dropTunnels(request: Record<string, unknown>): { dropped: number } {
    const rancher = this.requireRancher();
    const names = request?.clusters;
    if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))) {
      throw new EngineError('invalid', '"clusters" must be a list of cluster names');
    }
    for (const n of (names as string[] | undefined) ?? []) this.registry.get(n);
    let dropped = 0;
    if (names === undefined) dropped = rancher.dropSessions();
    else for (const n of names as string[]) dropped += rancher.dropSessions(n);
    this.droppedSessions += dropped;
    this.logger.warn({ dropped }, `Fault injection: dropped the tunnels of ${dropped} clusters`);
    return { dropped };
  }

  /** Refuses every tunnel connect for a number of seconds (0 clears it). */
  refuseConnects(request: Record<string, unknown>): { refuseConnectsUntil: string | null } {
    const rancher = this.requireRancher();
    const seconds = request?.seconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
      throw new EngineError('invalid', '"seconds" must be a number from 0 to 86400');
    }
    rancher.refuseConnects(seconds);
    this.logger.warn(`Fault injection: refusing tunnel connects for ${seconds} s`);
    if (this.refuseTimer) clearTimeout(this.refuseTimer);
    this.refuseTimer = undefined;
    this.refusingSince = seconds > 0 ? Date.now() : 0;
    if (seconds > 0) {
      // The window ends by itself: the UIs hear of it then.
      this.refuseTimer = setTimeout(() => this.emitFaultsChanged(), seconds * 1000 + 10);
      this.refuseTimer.unref();
    }
    this.emitFaultsChanged();
    return { refuseConnectsUntil: this.faults().refuseConnectsUntil };
  }

  private refusingSince = 0;
  private refuseTimer: NodeJS.Timeout | undefined;

  private stopRefusing(): void {
    if (this.refuseTimer) clearTimeout(this.refuseTimer);
    this.refuseTimer = undefined;
    this.refusingSince = 0;
    this.rancher?.refuseConnects(0);
    this.emitFaultsChanged();
  }

  clearFaults(): ReturnType<Engine['faults']> {
    this.stopRefusing();
    this.stopStorm();
    this.faultInjection.clear();
    return this.faults();
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

  private waitMainRunning(): Promise<void> {
    if (this.mainInfo.state === 'running') return Promise.resolve();
    if (this.stopped) return Promise.reject(new EngineError('unavailable', 'the agent is shutting down'));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (): void => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err: Error): void => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        this.mainRunningWaiters = this.mainRunningWaiters.filter((w) => w !== waiter);
        const why = `${this.mainInfo.state}${this.mainInfo.message ? `: ${this.mainInfo.message}` : ''}`;
        reject(new EngineError('unavailable', `main cluster is not running (${why})`));
      }, MAIN_WAIT_MS);
      this.mainRunningWaiters.push(waiter);
    });
  }

  /** Starts background work. Bringing up the main cluster does not block start. */
  start(): void {
    this.restore();
    if (this.options.ensureMainCluster !== false) void this.ensureMainCluster();
    else void this.refreshMainCluster(true);
    const interval = this.options.statusIntervalMs ?? 5000;
    this.statusTimer = setInterval(() => void this.tick(), interval);
    this.rancher?.startDeletionWatcher();
    this.statusTimer.unref();
    this.logFeed.start();
    this.load.start((sample) => this.events.emit('telemetry.sample', sample));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.store.saveNow();
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.logFeed.stop();
    this.load.stop();
    this.inspector.stop();
    // Steps in flight finish (or are checkpointed at their current step) before what they use goes away.
    await this.lifecycle.shutdown(this.options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS);
    for (const w of this.mainRunningWaiters.splice(0))
      w.reject(new EngineError('unavailable', 'the agent is shutting down'));
    // Tunnels first, so Rancher sees clean closes; then the APIs behind them.
    this.stopStorm();
    await this.faultInjection.shutdown();
    if (this.refuseTimer) clearTimeout(this.refuseTimer);
    if (this.faultsChangedTimer) clearTimeout(this.faultsChangedTimer);
    await this.rancher?.stop();
    if (this.virtualApiServer) await (await this.virtualApiServer.catch(() => undefined))?.close();
    if (this.tenantManager) {
      const manager = await this.tenantManager.catch(() => undefined);
      manager?.stop();
      manager?.rest.close();
    }
    this.registry.flush();
    this.store.saveNow();
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
    await this.refreshCounts();
  }

  /** Node and pod counts of ready clusters, from the shared watches (one pass). */
  private async refreshCounts(): Promise<void> {
    if (!this.tenantManager || this.mainInfo.state !== 'running') return;
    const counts = (await this.tenantManager).allCounts();
    for (const c of this.registry.list()) {
      if (c.status !== 'ready') continue;
      const now = counts.get(c.name) ?? { nodes: 0, pods: 0 };
      if (now.nodes !== c.nodeCount || now.pods !== c.podCount) {
        this.registry.update(c.name, { nodeCount: now.nodes, podCount: now.pods });
      }
    }
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
    if (info.state === 'running') for (const w of this.mainRunningWaiters.splice(0)) w.resolve();
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
    'telemetry.history': async ({ seconds }) => this.load.history(seconds),
    'engine.info': async () => ({
      version: ENGINE_VERSION,
      shell: this.options.shell,
      rancherUrl: this.options.config.RancherURL,
      connectRatePerSecond: this.settings.live.connectRatePerSecond,
      startedAt: this.startedAt,
    }),
    'mainCluster.get': async () => this.mainInfo,
    'clusters.list': async () => this.registry.list(),
    'clusters.get': async ({ name }) => this.registry.get(name),
    'clusters.create': async ({ name, template, importToRancher }) => {
      const record = this.lifecycle.create(name, template, { importToRancher });
      // Acknowledged means on disk: a crash right after the answer loses nothing.
      this.store.saveNow();
      this.logger.info(
        { cluster: record.name, template: record.template },
        `Cluster ${record.name} accepted`,
      );
      return record;
    },
    'clusters.delete': async ({ name }) => {
      const { note } = await this.lifecycle.delete(name);
      return note ? { name, note } : { name };
    },
    'clusters.retry': async ({ name }) => this.lifecycle.retry(name),
    'clusters.import': async ({ name }) => this.lifecycle.importLater(name),
    'batches.create': async (request) => {
      // Settings' batch defaults fill what the request leaves out, from the moment they are saved.
      const { defaultTemplate, defaultConcurrency } = this.settings.live;
      const status = this.batches.create({
        ...request,
        template: request.template ?? defaultTemplate,
        concurrency: request.concurrency ?? defaultConcurrency,
      });
      this.store.saveNow();
      return status;
    },
    'batches.get': async ({ id }) => this.batches.status(id),
    'batches.list': async () => this.batches.list(),
    'batches.cancel': async ({ id }) => this.batches.cancel(id),
    'batches.retry': async ({ id }) => this.batches.retry(id),
    'faults.list': async () => this.faultList(),
    'faults.inject': async (request) => this.injectFault(request),
    'faults.clear': async (request) => this.clearFault(request?.id),
    'inspector.sessions': async (request) => this.inspector.sessions(request ?? {}),
    'inspector.watch': async (request) => this.inspector.watch(request),
    'inspector.unwatch': async (request) => this.inspector.unwatch(request),
    'inspector.frames': async (request) => this.inspector.frames(request),
    'inspector.export': async (request) => this.inspector.exportNdjson(request),
    'inspector.reconnect': async (request) => this.inspector.reconnect(request),
    'settings.get': async () => this.settings.view(),
    'settings.update': async (request) => this.settings.update(request),
    'settings.testConnection': async (request) => this.settings.testConnection(request),
    'logs.tail': async (request) => ({
      lines: this.logRing.tail(request ?? {}, request?.limit ?? 500),
      capacity: this.logRing.capacity,
      lastSeq: this.logRing.lastSeq,
    }),
    'templates.list': async () => listTemplates(),
    'clusters.nodes': async ({ name }) => {
      this.registry.get(name); // 404 for an unknown cluster
      // Nodes come from the tenant caches; until they exist (main cluster not up yet) there are none to show.
      return this.tenantsReady?.nodeDetails(name) ?? [];
    },
    'clusters.kubeconfig': async ({ name }) => ({ kubeconfig: await this.kubeconfig(name) }),
    'clusters.lastPings': async () => this.rancher?.steve.lastPings() ?? {},
    'clusters.reconnect': async ({ name }) => {
      const record = this.registry.get(name);
      const rancher = this.requireRancher();
      if (!rancher.hasTunnels(name))
        throw new EngineError('conflict', `cluster ${name} has no tunnels (${record.status}, not imported)`);
      this.logger.info({ cluster: name }, `Cluster ${name}: reconnecting its tunnels on request`);
      return { name, sessions: 2 * rancher.dropSessions(name) };
    },
    'templates.check': async ({ template }) => checkTemplate(template),
  };
}
