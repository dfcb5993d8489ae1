/**
 * Everything between the engine and one Rancher server: the v3 client, the
 * import of each cluster, its two tunnels kept up under one global connect
 * rate, the deletion watcher, and removals in Rancher's order. A refused
 * tunnel or a cluster missing from the list is only a suspicion that
 * Rancher is asked to confirm (deletion-confirmer.ts) before anything is
 * deleted. The credentials a tunnel needs (registration token,
 * service-account token) live in memory only.
 */
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { ClusterStatus, TunnelInfo } from '../../../shared/cluster';
import { EngineError } from '../../../shared/errors';
import type { AgentConfig } from '../config/agent-config';
import { maskSecrets, type Logger } from '../telemetry/logger';
import { linkedDuplexPair } from '../util/linked-duplex-pair';
import { InProcessKubeClient } from '../vapi/in-process-client';
import { advertisedAddress } from '../vapi/pki/cluster-identity';
import type { StreamRequestObserver, VirtualApiServer } from '../vapi/virtual-api-server';
import type { FrameTap } from '../remotedialer';
import { Backoff } from './backoff';
import { ConnectRateLimiter } from './connect-rate-limiter';
import { askRancher, DeletionConfirmer } from './deletion-confirmer';
import { RancherClient } from './rancher-client';
import { importIntoRancher, type ImportedCluster } from './rancher-import';
import { waitForRancherRemoval, type RemovalOutcome } from './rancher-removal';
import { SteveHandler, type SteveRoutes } from './steve-handler';
import { mainTunnelAllow, steveTunnelAllow } from './tunnel-allow';
import type { TunnelTraffic } from '../../../shared/telemetry';
import { addTraffic, TunnelLoop } from './tunnel-loop';
import { mainTunnelHeaders, steveTunnelHeaders } from './tunnel-params';

export interface RancherIntegrationDeps {
  config: AgentConfig;
  logger: Logger;
  virtualApi: () => Promise<VirtualApiServer>;
  /** What the Steve tunnels serve under /v1 (the cluster explorer's API). */
  steveRoutes?: SteveRoutes;
  /** Tunnel states changed for a cluster. */
  onTunnels: (name: string, tunnels: { main: TunnelInfo; steve: TunnelInfo }) => void;
  /**
   * Rancher confirmed the cluster is deleted: gone (404), or `removing`
   * (then its tunnels are wanted until Rancher has finished).
   */
  onGone: (name: string, why: string, rancherRemoving: boolean) => void;
  /** A note for the cluster's UI and REST record (why it is suspected, what Rancher said); undefined clears it. */
  onNote?: (name: string, note: string | undefined) => void;
  /** The clusters the engine has in Rancher, for the deletion watcher. */
  importedClusters: () => { name: string; rancherId: string }[];
  /** Rancher's own state word for an imported cluster (active, unavailable, ...), read by the watcher. */
  onRancherState?: (name: string, state: string) => void;
  /** Where the tunnels report their frames and main-tunnel requests (the tunnel inspector). */
  observers?: TunnelObservers;
  /** Wraps each tunnelled connection's local end (fault injection: latency, bandwidth). */
  shapeTunnel?: (cluster: string, stream: Duplex) => Duplex;
}

/** The tunnel inspector's hooks: idle taps cost one property read per frame. */
export interface TunnelObservers {
  tap(cluster: string, kind: 'main' | 'steve'): FrameTap;
  mainRequestObserver(cluster: string, connId: bigint): StreamRequestObserver;
}

interface ClusterTunnels {
  main: TunnelLoop;
  steve: TunnelLoop;
}

export class RancherIntegration {
  readonly client: RancherClient;
  readonly limiter: ConnectRateLimiter;
  readonly steve: SteveHandler;
  private readonly tunnels = new Map<string, ClusterTunnels>();
  private readonly credentials = new Map<string, ImportedCluster>();
  private watcher: NodeJS.Timeout | undefined;
  private blockedUntil = 0;
  /** Asks Rancher before a suspected deletion is acted on. */
  readonly confirmer: DeletionConfirmer;
  /** Clusters whose removal is under way (by the agent or confirmed in Rancher). */
  private readonly removing = new Set<string>();
  /** Aborts removals still waiting for Rancher when the agent stops (they resume at the next start). */
  private readonly stopping = new AbortController();
  /** Traffic of tunnels already stopped, so totals never go down. */
  private readonly stoppedTraffic: Record<'main' | 'steve', TunnelTraffic> = {
    main: { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 },
    steve: { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 },
  };

  constructor(private readonly deps: RancherIntegrationDeps) {
    const { config, logger } = deps;
    this.steve = new SteveHandler(deps.steveRoutes);
    let caPem: string | undefined;
    if (config.RancherCACert) {
      try {
        caPem = readFileSync(config.RancherCACert, 'utf8');
      } catch (err) {
        throw new EngineError(
          'invalid',
          `RancherCACert ${config.RancherCACert} cannot be read: ${(err as Error).message}`,
        );
      }
    }
    if (config.RancherInsecure) {
      logger.warn(
        `RancherInsecure is on: Rancher's certificate at ${config.RancherURL} is NOT verified. Use this only with a throwaway test Rancher.`,
      );
    }
    this.client = new RancherClient({
      url: config.RancherURL,
      token: config.BearerToken,
      caPem,
      insecure: config.RancherInsecure,
    });
    this.limiter = new ConnectRateLimiter(config.ConnectRatePerSecond);
    this.confirmer = new DeletionConfirmer({
      ask: (id) => askRancher((i) => this.client.getCluster(i), id),
      rancherIdOf: (name) => this.credentials.get(name)?.rancherId || undefined,
      isBeingRemoved: (name) => this.removing.has(name),
      onNote: (name, note) => this.deps.onNote?.(name, note === undefined ? undefined : maskSecrets(note)),
      onConfirmed: (name, verdict) => this.deps.onGone(name, verdict.why, verdict.kind === 'removing'),
      logger,
    });
  }

  /** Imports a cluster (steps reported through setStatus) and starts its tunnels. */
  async importCluster(
    name: string,
    setStatus: (s: ClusterStatus) => void,
    signal: AbortSignal,
    setProgress?: (text: string) => void,
  ): Promise<string> {
    const vapi = await this.deps.virtualApi();
    let created: string | undefined;
    let imported: ImportedCluster;
    try {
      imported = await importIntoRancher({
        name,
        client: this.client,
        api: vapi.internalClient(name),
        apiWithToken: (token) => new InProcessKubeClient(vapi, name, token),
        setStatus,
        ...(setProgress ? { setProgress } : {}),
        onCreated: (id) => (created = id),
        logger: this.deps.logger,
        signal,
        namespaceWaitMs: this.deps.config.RancherNamespaceWaitSeconds * 1000,
        insecure: this.deps.config.RancherInsecure,
      });
    } catch (err) {
      // No half-made cluster in Rancher: remove the one this attempt made (a retry makes it again).
      if (created) await this.client.deleteCluster(created).catch(() => undefined);
      throw err;
    }
    this.credentials.set(name, imported);
    this.startTunnels(name, vapi);
    return imported.rancherId;
  }

  /** Credentials as they go into the state file (sealed by the caller). */
  credentialsOf(name: string): ImportedCluster | undefined {
    return this.credentials.get(name);
  }

  /** Puts back credentials read from the state file. */
  restoreCredentials(name: string, creds: ImportedCluster): void {
    this.credentials.set(name, creds);
  }

  /** Starts the tunnels of a cluster imported before a restart. */
  async resumeTunnels(name: string): Promise<void> {
    if (!this.credentials.has(name) || this.tunnels.has(name)) return;
    this.startTunnels(name, await this.deps.virtualApi());
  }

  hasTunnels(name: string): boolean {
    return this.tunnels.has(name);
  }

  tunnelLoops(name: string): ClusterTunnels | undefined {
    return this.tunnels.get(name);
  }

  private startTunnels(name: string, vapi: VirtualApiServer): void {
    if (this.tunnels.has(name)) return;
    const creds = this.credentials.get(name);
    if (!creds) throw new EngineError('conflict', `cluster ${name} has no Rancher credentials`);
    const { logger } = this.deps;
    const address = advertisedAddress(name);
    const base = this.client.websocketBase();
    const tls = this.client.tlsOptions();
    const report = (): void => {
      const t = this.tunnels.get(name);
      if (!t) return;
      const tunnels = { main: t.main.state, steve: t.steve.state };
      this.deps.onTunnels(name, tunnels);
      // A tunnel Rancher accepts again no longer suggests the cluster is gone.
      if (tunnels.main.state === 'connected') this.confirmer.cleared(name, 'main');
      if (tunnels.steve.state === 'connected') this.confirmer.cleared(name, 'steve');
    };
    const { observers } = this.deps;
    const shape = (stream: Duplex): Duplex => this.deps.shapeTunnel?.(name, stream) ?? stream;
    const backoff = (): Backoff => new Backoff({ capMs: this.deps.config.TunnelBackoffMaxSeconds * 1000 });
    const common = {
      cluster: name,
      tls,
      limiter: this.limiter,
      logger,
      onChange: report,
      onRefused: (refusal: { kind: 'main' | 'steve'; text: string }) =>
        this.confirmer.suspect(name, refusal.kind, refusal.text),
      blockedUntil: () => this.blockedUntil,
    };
    const main = new TunnelLoop({
      ...common,
      backoff: backoff(),
      kind: 'main',
      url: (connectedBefore) => `${base}${connectedBefore ? '/v3/connect' : '/v3/connect/register'}`,
      headers: () =>
        mainTunnelHeaders(creds.registrationToken, {
          address,
          caPem: vapi.identities.caPem,
          token: creds.serviceAccountToken,
        }),
      allow: mainTunnelAllow(address),
      ...(observers ? { tap: observers.tap(name, 'main') } : {}),
      dial: async (_proto, _address, connId) => {
        const [ours, theirs] = linkedDuplexPair();
        await vapi.serveStream(name, ours, observers?.mainRequestObserver(name, connId));
        return shape(theirs as Duplex);
      },
    });
    const steve = new TunnelLoop({
      ...common,
      backoff: backoff(),
      kind: 'steve',
      url: () => `${base}/v3/connect`,
      headers: () => steveTunnelHeaders(creds.registrationToken),
      allow: steveTunnelAllow,
      ...(observers ? { tap: observers.tap(name, 'steve') } : {}),
      dial: async () => {
        const [ours, theirs] = linkedDuplexPair();
        this.steve.serve(ours, name);
        return shape(theirs as Duplex);
      },
    });
    this.tunnels.set(name, { main, steve });
    report();
  }

  async stopTunnels(name: string): Promise<void> {
    const t = this.tunnels.get(name);
    if (!t) return;
    this.tunnels.delete(name);
    this.steve.forget(name);
    await Promise.all([t.main.stop(), t.steve.stop()]);
    addTraffic(this.stoppedTraffic.main, t.main.traffic());
    addTraffic(this.stoppedTraffic.steve, t.steve.traffic());
    this.deps.logger.info({ cluster: name }, `Cluster ${name}: tunnels stopped`);
  }

  /**
   * Deletion from the agent, in Rancher's order: the v3 DELETE, then both
   * tunnels kept up while the cluster is `removing` (Rancher's removal runs
   * through them), then the tunnels closed and the credentials forgotten.
   * A removal Rancher does not finish within RancherRemovalWaitSeconds is
   * finished here, and the outcome's note says so. If Rancher cannot take
   * the DELETE, this throws and the tunnels stay as they are.
   */
  async removeFromRancher(
    name: string,
    rancherId: string,
    onProgress: (text: string) => void,
  ): Promise<RemovalOutcome | undefined> {
    if (!rancherId) {
      await this.stopTunnels(name);
      this.forget(name);
      return undefined;
    }
    this.removing.add(name);
    this.confirmer.forget(name);
    try {
      // After a restart mid-deletion the tunnels are not up yet: Rancher's cleanup needs them.
      if (this.credentials.has(name) && !this.tunnels.has(name))
        await this.resumeTunnels(name).catch((err: unknown) =>
          this.deps.logger.warn(
            { cluster: name, err },
            `Cluster ${name}: tunnels for Rancher's removal not started: ${(err as Error).message}`,
          ),
        );
      onProgress(`asking Rancher to remove ${rancherId}`);
      await this.client.deleteCluster(rancherId);
      this.deps.logger.info(
        { cluster: name, rancherId },
        `Cluster ${name}: Rancher accepted the removal of ${rancherId}; tunnels stay up until it has finished`,
      );
      const outcome = await this.awaitRancherRemoval(name, rancherId, onProgress);
      await this.stopTunnels(name);
      this.forget(name);
      return outcome;
    } catch (err) {
      this.removing.delete(name);
      throw err;
    }
  }

  /**
   * Rancher is removing the cluster (deleted there, or by removeFromRancher):
   * its tunnels stay up until Rancher answers 404, within the bound.
   */
  async awaitRancherRemoval(
    name: string,
    rancherId: string,
    onProgress: (text: string) => void,
  ): Promise<RemovalOutcome> {
    this.removing.add(name);
    this.confirmer.forget(name);
    const outcome = await waitForRancherRemoval({
      rancherId,
      getCluster: (id) => this.client.getCluster(id),
      boundMs: this.deps.config.RancherRemovalWaitSeconds * 1000,
      onProgress: (text) => onProgress(maskSecrets(text)),
      signal: this.stopping.signal,
    });
    if (outcome.finishedBy === 'rancher')
      this.deps.logger.info(
        { cluster: name, rancherId },
        `Cluster ${name}: Rancher finished removing ${rancherId} after ${Math.round(outcome.waitedMs / 1000)} s`,
      );
    else this.deps.logger.warn({ cluster: name, rancherId }, `Cluster ${name}: ${outcome.note}`);
    return outcome;
  }

  /** Forgets a removed cluster: credentials, suspicions, removal state. */
  forget(name: string): void {
    this.credentials.delete(name);
    this.confirmer.forget(name);
    this.removing.delete(name);
  }

  /** Drops every (or one) cluster's sessions now; the loops reconnect (fault injection, tests). */
  dropSessions(name?: string): number {
    let n = 0;
    for (const [cluster, t] of this.tunnels) {
      if (name && cluster !== name) continue;
      t.main.drop();
      t.steve.drop();
      n++;
    }
    return n;
  }

  /** Refuse to connect for a while (fault injection); 0 clears it. */
  refuseConnects(seconds: number): void {
    this.blockedUntil = seconds > 0 ? Date.now() + seconds * 1000 : 0;
  }

  /** When refused connects end (ms since epoch), or 0. */
  get refusingUntil(): number {
    return this.blockedUntil > Date.now() ? this.blockedUntil : 0;
  }

  /** Frames and bytes per tunnel kind, all clusters, all sessions so far. */
  traffic(): Record<'main' | 'steve', TunnelTraffic> {
    const out = { main: { ...this.stoppedTraffic.main }, steve: { ...this.stoppedTraffic.steve } };
    for (const t of this.tunnels.values()) {
      addTraffic(out.main, t.main.traffic());
      addTraffic(out.steve, t.steve.traffic());
    }
    return out;
  }

  /** Tunnel sessions open now (main and Steve, all clusters) and the connections they carry. */
  openSessions(): { sessions: number; connections: number } {
    let sessions = 0;
    let connections = 0;
    for (const t of this.tunnels.values()) {
      for (const session of [t.main.currentSession, t.steve.currentSession]) {
        if (!session || session.isClosed) continue;
        sessions++;
        connections += session.stats.connections;
      }
    }
    return { sessions, connections };
  }

  startDeletionWatcher(): void {
    const everyMs = this.deps.config.RancherDeletionWatchSeconds * 1000;
    const tick = async (): Promise<void> => {
      const ours = this.deps.importedClusters();
      if (ours.length === 0) return;
      let present: Map<string, string>;
      try {
        // Every page: the seed read only the first 1,000 and forgot the rest.
        present = new Map((await this.client.listClusters()).map((c) => [c.id, c.state ?? '']));
      } catch (err) {
        this.deps.logger.warn(
          { err },
          `deletion watcher: cannot list Rancher's clusters: ${(err as Error).message}`,
        );
        return;
      }
      for (const c of ours) {
        const state = present.get(c.rancherId);
        // Missing from the pages is a suspicion (a page can be cut short); removing is Rancher's word.
        if (state === undefined)
          this.confirmer.suspect(
            c.name,
            'list',
            `cluster ${c.rancherId} is missing from Rancher's cluster list`,
          );
        else {
          this.confirmer.cleared(c.name, 'list');
          if (state === 'removing' && !this.removing.has(c.name))
            this.deps.onGone(c.name, `Rancher shows ${c.rancherId} in state removing`, true);
          if (state) this.deps.onRancherState?.(c.name, state);
        }
      }
    };
    this.watcher = setInterval(() => void tick(), everyMs);
    this.watcher.unref();
  }

  async stop(): Promise<void> {
    this.stopping.abort(new EngineError('unavailable', 'the agent is shutting down'));
    if (this.watcher) clearInterval(this.watcher);
    await Promise.all([...this.tunnels.keys()].map((n) => this.stopTunnels(n)));
    this.steve.close();
  }
}
