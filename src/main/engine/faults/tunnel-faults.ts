/**
 * The faults that act on the tunnels themselves, for every cluster at once:
 * dropping sessions now, refusing every connect for a while, and the
 * reconnect storm (sessions dropped one after another at a rate, reconnects
 * let through at that rate too). The targeted faults (latency, bandwidth,
 * API errors, paused heartbeats) are FaultInjection's.
 */
import { EngineError } from '../../../shared/errors';
import type { ActiveFault } from '../../../shared/faults';
import type { Logger } from '../telemetry/logger';

/** What these faults need of the tunnels (the Rancher integration has it; absent without a Rancher). */
export interface TunnelControls {
  readonly limiter: { readonly rate: number; setRate(rate: number): void };
  readonly refusingUntil: number;
  hasTunnels(cluster: string): boolean;
  /** Drops the sessions of one cluster, or of all; answers how many clusters had sessions dropped. */
  dropSessions(cluster?: string): number;
  refuseConnects(seconds: number): void;
}

export interface TunnelFaultsDeps {
  logger: Logger;
  tunnels: () => TunnelControls | undefined;
  clusterNames: () => string[];
  /** Throws the engine's not_found for an unknown cluster. */
  requireCluster: (name: string) => void;
  onChanged: () => void;
}

/** GET /faults's summary of the tunnel faults. */
export interface TunnelFaultsSummary {
  refuseConnectsUntil: string | null;
  droppedSessions: number;
  storm: { ratePerSecond: number; until: string } | null;
}

interface Storm {
  rate: number;
  since: number;
  until: number;
  timer: NodeJS.Timeout;
  /** The connect rate before the storm raised it, given back when it ends. */
  savedRate: number;
}

export class TunnelFaults {
  private storm: Storm | undefined;
  private droppedSessions = 0;
  private refusingSince = 0;
  private refuseTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: TunnelFaultsDeps) {}

  summary(): TunnelFaultsSummary {
    const until = this.deps.tunnels()?.refusingUntil ?? 0;
    return {
      refuseConnectsUntil: until ? new Date(until).toISOString() : null,
      droppedSessions: this.droppedSessions,
      storm: this.storm
        ? { ratePerSecond: this.storm.rate, until: new Date(this.storm.until).toISOString() }
        : null,
    };
  }

  /** The refusal window and the storm as faults in effect (both for all clusters). */
  active(): ActiveFault[] {
    const list: ActiveFault[] = [];
    const refusing = this.deps.tunnels()?.refusingUntil ?? 0;
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

  /** Whether `id` names one of these faults, and ends it. */
  clear(id: string): boolean {
    if (id === 'refuse_connects') this.stopRefusing();
    else if (id === 'storm') this.stopStorm();
    else return false;
    return true;
  }

  clearAll(): void {
    this.stopRefusing();
    this.stopStorm();
  }

  /** For the metrics: 1 while each is in effect. */
  inEffect(): { refuse_connects: number; storm: number } {
    return { refuse_connects: this.deps.tunnels()?.refusingUntil ? 1 : 0, storm: this.storm ? 1 : 0 };
  }

  /** A connect rate saved in Settings while a storm runs is the one the storm gives back. */
  setConnectRate(rate: number): void {
    const tunnels = this.deps.tunnels();
    if (!tunnels) return;
    if (this.storm) this.storm.savedRate = rate;
    else tunnels.limiter.setRate(rate);
  }

  /**
   * Reconnect storm: drops clusters' tunnels one after another at a chosen
   * rate for a while, and lets reconnects through at that rate too, to see
   * how Rancher copes. Ends by itself, or when cleared.
   */
  startStorm(request: Record<string, unknown>): void {
    const tunnels = this.requireTunnels();
    const rate = request?.ratePerSecond;
    const seconds = request?.seconds;
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0 || rate > 1000) {
      throw new EngineError('invalid', '"ratePerSecond" must be a number above 0 and at most 1000');
    }
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
      throw new EngineError('invalid', '"seconds" must be a number above 0 and at most 3600');
    }
    this.stopStorm();
    const savedRate = tunnels.limiter.rate;
    tunnels.limiter.setRate(Math.max(rate, savedRate));
    let next = 0;
    const timer = setInterval(() => {
      if (!this.storm || Date.now() >= this.storm.until) {
        this.stopStorm();
        return;
      }
      const names = this.deps.clusterNames().filter((n) => tunnels.hasTunnels(n));
      if (names.length === 0) return;
      this.droppedSessions += tunnels.dropSessions(names[next++ % names.length]);
    }, 1000 / rate);
    this.storm = { rate, since: Date.now(), until: Date.now() + seconds * 1000, timer, savedRate };
    this.deps.logger.warn(`Fault injection: reconnect storm at ${rate} drops/s for ${seconds} s`);
    this.deps.onChanged();
  }

  /** Drops the tunnels of the named clusters (all when none are named) now; they reconnect by themselves. */
  dropTunnels(request: Record<string, unknown>): { dropped: number } {
    const tunnels = this.requireTunnels();
    const names = request?.clusters;
    if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))) {
      throw new EngineError('invalid', '"clusters" must be a list of cluster names');
    }
    for (const n of (names as string[] | undefined) ?? []) this.deps.requireCluster(n);
    let dropped = 0;
    if (names === undefined) dropped = tunnels.dropSessions();
    else for (const n of names as string[]) dropped += tunnels.dropSessions(n);
    this.droppedSessions += dropped;
    this.deps.logger.warn({ dropped }, `Fault injection: dropped the tunnels of ${dropped} clusters`);
    return { dropped };
  }

  /** Refuses every tunnel connect for a number of seconds (0 clears it). */
  refuseConnects(request: Record<string, unknown>): { refuseConnectsUntil: string | null } {
    const tunnels = this.requireTunnels();
    const seconds = request?.seconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
      throw new EngineError('invalid', '"seconds" must be a number from 0 to 86400');
    }
    tunnels.refuseConnects(seconds);
    this.deps.logger.warn(`Fault injection: refusing tunnel connects for ${seconds} s`);
    if (this.refuseTimer) clearTimeout(this.refuseTimer);
    this.refuseTimer = undefined;
    this.refusingSince = seconds > 0 ? Date.now() : 0;
    if (seconds > 0) {
      // The window ends by itself: the UIs hear of it then.
      this.refuseTimer = setTimeout(() => this.deps.onChanged(), seconds * 1000 + 10);
      this.refuseTimer.unref();
    }
    this.deps.onChanged();
    return { refuseConnectsUntil: this.summary().refuseConnectsUntil };
  }

  /** Ends the storm and forgets the refusal timer (the tunnels close right after). */
  shutdown(): void {
    this.stopStorm();
    if (this.refuseTimer) clearTimeout(this.refuseTimer);
    this.refuseTimer = undefined;
  }

  private requireTunnels(): TunnelControls {
    const tunnels = this.deps.tunnels();
    if (!tunnels)
      throw new EngineError('invalid', 'no Rancher is configured: there are no tunnels to act on');
    return tunnels;
  }

  private stopStorm(): void {
    if (!this.storm) return;
    clearInterval(this.storm.timer);
    this.deps.tunnels()?.limiter.setRate(this.storm.savedRate);
    this.storm = undefined;
    this.deps.logger.info('Fault injection: reconnect storm over');
    this.deps.onChanged();
  }

  private stopRefusing(): void {
    if (this.refuseTimer) clearTimeout(this.refuseTimer);
    this.refuseTimer = undefined;
    this.refusingSince = 0;
    this.deps.tunnels()?.refuseConnects(0);
    this.deps.onChanged();
  }
}
