/**
 * Keeps one remotedialer client session up: connect (under the global rate
 * limit), serve until it ends, wait with jittered backoff, again. Reports
 * every change of state. A refusal that Rancher also gives for a cluster it
 * no longer has (400 on the main tunnel, 401 on Steve) is reported, and the
 * loop goes on reconnecting: a refusal alone proves nothing (a Rancher
 * restarting, a token cache not warm yet), so whoever hears it asks Rancher
 * before anything is deleted.
 */
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import type { TunnelInfo, TunnelState } from '../../../shared/cluster';
import type { TunnelTraffic } from '../../../shared/telemetry';
import { connectClientSession, HandshakeError, type ClientSession } from '../remotedialer';
import type { FrameTap } from '../remotedialer';
import type { Logger } from '../telemetry/logger';
import { Backoff } from './backoff';
import type { ConnectRateLimiter } from './connect-rate-limiter';
import { userAgent } from './user-agent';

/** Rancher refused a tunnel with an answer it also gives for a cluster it no longer has. */
export interface TunnelRefusal {
  kind: 'main' | 'steve';
  status: number;
  /** Rancher's body, e.g. "cluster not found", "failed authentication". */
  body: string;
  /** For people: "Rancher refused the Steve tunnel (401 failed authentication)". */
  text: string;
}

export interface TunnelLoopOptions {
  cluster: string;
  kind: 'main' | 'steve';
  /** URL per attempt (the main tunnel switches from /register to /connect after a first success). */
  url: (connectedBefore: boolean) => string;
  headers: () => Record<string, string>;
  allow: (proto: string, address: string) => boolean;
  dial: (proto: string, address: string, connId: bigint) => Promise<Duplex>;
  tls: { secureContext?: SecureContext; rejectUnauthorized: boolean };
  limiter: ConnectRateLimiter;
  logger: Logger;
  backoff?: Backoff;
  tap?: FrameTap;
  onChange: (info: TunnelInfo) => void;
  /** Rancher refused the tunnel as it would for a cluster it no longer has; the loop keeps trying. */
  onRefused: (refusal: TunnelRefusal) => void;
  /** Refuse to connect until this time (fault injection). */
  blockedUntil?: () => number;
}

export function addTraffic(into: TunnelTraffic, add: TunnelTraffic): void {
  into.framesIn += add.framesIn;
  into.framesOut += add.framesOut;
  into.bytesIn += add.bytesIn;
  into.bytesOut += add.bytesOut;
}

export class TunnelLoop {
  private stopped = false;
  private readonly finished: TunnelTraffic = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 };
  /** Pause frames of sessions that ended (the inspector's counters). */
  private finishedPauses = 0;
  private session: ClientSession | undefined;
  private wake: (() => void) | undefined;
  private readonly abort = new AbortController();
  private info: TunnelInfo;
  private readonly backoff: Backoff;
  private connectedBefore = false;
  readonly done: Promise<void>;

  constructor(private readonly o: TunnelLoopOptions) {
    this.backoff = o.backoff ?? new Backoff();
    this.info = { state: 'connecting', since: new Date().toISOString(), connects: 0 };
    this.done = this.run();
  }

  get state(): TunnelInfo {
    return { ...this.info };
  }

  get currentSession(): ClientSession | undefined {
    return this.session;
  }

  /** Traffic of every session so far, the live one included. */
  traffic(): TunnelTraffic {
    const total = { ...this.finished };
    if (this.session) addTraffic(total, this.session.stats);
    return total;
  }

  /** Back-pressure pauses (sent and received) over all sessions, and the live session's open connections. */
  flowCounters(): { pauses: number; openConnections: number } {
    const live = this.session?.stats;
    return {
      pauses: this.finishedPauses + (live ? live.pausesIn + live.pausesOut : 0),
      openConnections: live?.connections ?? 0,
    };
  }

  /** Drops the current session now (fault injection); the loop reconnects. */
  drop(): void {
    this.session?.close(new Error('dropped on request'));
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new Error('stopped'));
    this.session?.close(new Error('tunnel stopped'));
    this.wake?.();
    return this.done;
  }

  private set(state: TunnelState, extra: Partial<TunnelInfo> = {}): void {
    this.info = {
      state,
      since: new Date().toISOString(),
      connects: this.info.connects,
      ...((extra.lastError ?? this.info.lastError)
        ? { lastError: extra.lastError ?? this.info.lastError }
        : {}),
      ...(extra.retryAt ? { retryAt: extra.retryAt } : {}),
    };
    if (extra.connects !== undefined) this.info.connects = extra.connects;
    this.o.onChange(this.state);
  }

  private async run(): Promise<void> {
    const { logger, cluster, kind } = this.o;
    /** Refusals in a row: the first is logged as a warning, the rest quietly. */
    let refusals = 0;
    while (!this.stopped) {
      let refused = false;
      try {
        const blocked = (this.o.blockedUntil?.() ?? 0) - Date.now();
        if (blocked > 0)
          throw new Error(`connects refused for ${Math.ceil(blocked / 1000)} s more (fault injection)`);
        this.set('connecting');
        await this.o.limiter.acquire(this.abort.signal);
        if (this.stopped) break;
        const session = await connectClientSession({
          url: this.o.url(this.connectedBefore),
          headers: { ...this.o.headers(), 'User-Agent': userAgent() },
          allow: this.o.allow,
          dial: this.o.dial,
          socketOptions: this.o.tls,
          ...(this.o.tap ? { tap: this.o.tap } : {}),
        });
        this.session = session;
        this.connectedBefore = true;
        refusals = 0;
        const connectedAt = Date.now();
        this.set('connected', { connects: this.info.connects + 1 });
        if (this.info.connects === 1)
          logger.info({ cluster, tunnel: kind }, `Cluster ${cluster}: ${kind} tunnel connected to Rancher`);
        else logger.info({ cluster, tunnel: kind }, `Cluster ${cluster}: ${kind} tunnel reconnected`);
        const reason = await session.closed;
        addTraffic(this.finished, session.stats);
        this.finishedPauses += session.stats.pausesIn + session.stats.pausesOut;
        this.session = undefined;
        this.backoff.sessionEnded(Date.now() - connectedAt);
        if (this.stopped) break;
        this.info.lastError = reason.message;
        logger.warn(
          { cluster, tunnel: kind, reason: reason.message },
          `Cluster ${cluster}: ${kind} tunnel lost: ${reason.message}`,
        );
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof HandshakeError && this.isRefusal(err)) {
          const refusal = describeRefusal(kind, err);
          refused = true;
          this.info.lastError = refusal.text;
          const line = `Cluster ${cluster}: ${refusal.text}; reconnecting, and asking Rancher whether it still has the cluster`;
          if (refusals++ === 0) logger.warn({ cluster, tunnel: kind, status: err.status }, line);
          else logger.debug({ cluster, tunnel: kind, status: err.status, refusals }, line);
          this.o.onRefused(refusal);
        } else {
          this.info.lastError = (err as Error).message;
          logger.debug({ cluster, tunnel: kind, err }, `Cluster ${cluster}: ${kind} tunnel connect failed`);
        }
      }
      if (this.stopped) break;
      const delay = this.backoff.next();
      this.set(refused ? 'refused' : 'waiting', { retryAt: new Date(Date.now() + delay).toISOString() });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.set('stopped');
  }

  /** Rancher's answers for a cluster it no longer has (spec C, "Detecting deletion"), and so worth asking about. */
  private isRefusal(err: HandshakeError): boolean {
    return this.o.kind === 'main' ? err.status === 400 : err.status === 401;
  }
}

function describeRefusal(kind: 'main' | 'steve', err: HandshakeError): TunnelRefusal {
  const body = err.body.trim().slice(0, 200);
  const name = kind === 'main' ? 'main' : 'Steve';
  return {
    kind,
    status: err.status,
    body,
    text: `Rancher refused the ${name} tunnel (${err.status}${body ? ` ${body}` : ''})`,
  };
}
