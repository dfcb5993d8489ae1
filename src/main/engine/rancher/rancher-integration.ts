/**
 * Everything between the engine and one Rancher server: the v3 client, the
 * import of each cluster, its two tunnels kept up under one global connect
 * rate, and the deletion watcher. The credentials a tunnel needs
 * (registration token, service-account token) live in memory only.
 */
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { ClusterStatus, TunnelInfo } from '../../../shared/cluster';
import { EngineError } from '../../../shared/errors';
import type { AgentConfig } from '../config/agent-config';
import type { Logger } from '../telemetry/logger';
import { linkedDuplexPair } from '../util/linked-duplex-pair';
import { InProcessKubeClient } from '../vapi/in-process-client';
import { advertisedAddress } from '../vapi/pki/cluster-identity';
import type { StreamRequestObserver, VirtualApiServer } from '../vapi/virtual-api-server';
import type { FrameTap } from '../remotedialer';
import { ConnectRateLimiter } from './connect-rate-limiter';
import { RancherClient } from './rancher-client';
import { importIntoRancher, type ImportedCluster } from './rancher-import';
import { SteveHandler } from './steve-handler';
import { mainTunnelAllow, steveTunnelAllow } from './tunnel-allow';
import { addTraffic, TunnelLoop, type TunnelTraffic } from './tunnel-loop';
import { mainTunnelHeaders, steveTunnelHeaders } from './tunnel-params';

export interface RancherIntegrationDeps {
  config: AgentConfig;
  logger: Logger;
  virtualApi: () => Promise<VirtualApiServer>;
  /** Tunnel states changed for a cluster. */
  onTunnels: (name: string, tunnels: { main: TunnelInfo; steve: TunnelInfo }) => void;
  /** Rancher no longer has the cluster: clean it up locally. */
  onGone: (name: string, why: string) => void;
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
  readonly steve = new SteveHandler();
  private readonly tunnels = new Map<string, ClusterTunnels>();
  private readonly credentials = new Map<string, ImportedCluster>();
  private watcher: NodeJS.Timeout | undefined;
  private blockedUntil = 0;
  /** Traffic of tunnels already stopped, so totals never go down. */
  private readonly stoppedTraffic: Record<'main' | 'steve', TunnelTraffic> = {
    main: { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 },
    steve: { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 },
  };

  constructor(private readonly deps: RancherIntegrationDeps) {
    const { config, logger } = deps;
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
  }

  /** Imports a cluster (steps reported through setStatus) and starts its tunnels. */
  async importCluster(
    name: string,
    setStatus: (s: ClusterStatus) => void,
    signal: AbortSignal,
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
        onCreated: (id) => (created = id),
        logger: this.deps.logger,
        signal,
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
      if (t) this.deps.onTunnels(name, { main: t.main.state, steve: t.steve.state });
    };
    const gone = (why: string): void => this.deps.onGone(name, why);
    const { observers } = this.deps;
    const shape = (stream: Duplex): Duplex => this.deps.shapeTunnel?.(name, stream) ?? stream;
    const common = {
      cluster: name,
      tls,
      limiter: this.limiter,
      logger,
      onChange: report,
      onGone: gone,
      blockedUntil: () => this.blockedUntil,
    };
    const main = new TunnelLoop({
      ...common,
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

  /** Removes the cluster from Rancher (if it has one) and forgets its credentials. */
  async deleteInRancher(name: string, rancherId: string): Promise<void> {
    await this.stopTunnels(name);
    this.credentials.delete(name);
    if (rancherId) await this.client.deleteCluster(rancherId);
  }

  forget(name: string): void {
    this.credentials.delete(name);
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
        if (state === undefined) this.deps.onGone(c.name, `cluster ${c.rancherId} is no longer in Rancher`);
        else if (state) this.deps.onRancherState?.(c.name, state);
      }
    };
    this.watcher = setInterval(() => void tick(), everyMs);
    this.watcher.unref();
  }

  async stop(): Promise<void> {
    if (this.watcher) clearInterval(this.watcher);
    await Promise.all([...this.tunnels.keys()].map((n) => this.stopTunnels(n)));
    this.steve.close();
  }
}
