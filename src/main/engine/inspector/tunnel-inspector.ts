/**
 * The live tunnel inspector's engine side. Every cluster's two tunnel
 * sessions get a FrameTap from here, but a tap costs one property read per
 * frame until someone watches: only watched clusters are recorded. A UI
 * `watch`es a cluster and renews its lease; frames go into a bounded history
 * per session and, at most ten times a second, into an `inspector.batch`
 * event with fresh counters. When the last watcher leaves (or its lease
 * lapses) recording goes on for `retainMs`, so coming back is seamless, then
 * stops and the history is dropped.
 *
 * Counters (frames/s, bytes/s, open connections, pauses, reconnects) come
 * from the tunnels themselves and are read only when asked for.
 */
import { randomBytes } from 'node:crypto';
import type { TunnelInfo } from '../../../shared/cluster';
import { EngineError } from '../../../shared/errors';
import {
  INSPECTOR_LIMITS,
  TUNNEL_SESSIONS,
  type InspectorBatch,
  type InspectorBatchSession,
  type InspectorExportRequest,
  type InspectorExportResponse,
  type InspectorFramesRequest,
  type InspectorFramesResponse,
  type InspectorReconnectRequest,
  type InspectorSessionInfo,
  type InspectorSessionsRequest,
  type InspectorUnwatchRequest,
  type InspectorWatchRequest,
  type InspectorWatchResponse,
  type SessionCounters,
  type TunnelSessionKind,
} from '../../../shared/inspector';
import { FrameTap } from '../remotedialer/frame-tap';
import type { Logger } from '../telemetry/logger';
import { ConnectionHttpLog, type RequestObserver } from './connection-http-log';
import { framesToNdjson } from './frames-ndjson';
import { CounterRate } from './rate-meter';
import { SessionRecorder, toWireFrame, type RecordedFrame } from './session-recorder';
import { parseSyntheticLoadRequest, SYNTHETIC_LOAD_ENV, SyntheticFrameLoad } from './synthetic-load';

/** What the inspector reads from a tunnel (TunnelLoop implements it). */
export interface InspectableTunnel {
  readonly state: TunnelInfo;
  traffic(): { framesIn: number; framesOut: number; bytesIn: number; bytesOut: number };
  flowCounters(): { pauses: number; openConnections: number };
  drop(): void;
}

export type ClusterTunnelPair = Record<TunnelSessionKind, InspectableTunnel>;

export interface TunnelInspectorDeps {
  /** Whether the engine knows the cluster. */
  clusterExists: (name: string) => boolean;
  clusterNames: () => string[];
  /** The cluster's tunnels, when it has them (imported into Rancher). */
  tunnels: (name: string) => ClusterTunnelPair | undefined;
  emitBatch: (batch: InspectorBatch) => void;
  logger: Logger;
  /** The synthetic frame generator may run (SCALE_AGENT_INSPECTOR_LOAD=1). */
  syntheticLoadAllowed?: boolean;
}

export interface InspectorOptions {
  /** History per session, in frames and in estimated bytes. */
  maxFrames: number;
  maxBytes: number;
  /** Frames per session in one batch; the rest are counted as skipped (still in history). */
  maxBatchFrames: number;
  batchIntervalMs: number;
  /** A watch lapses unless renewed within this time. */
  leaseMs: number;
  /** Recording goes on this long after the last watcher left. */
  retainMs: number;
  /** Clusters recorded at once; bounds the inspector's memory whatever UIs ask. */
  maxRecordedClusters: number;
  /** Payload bytes a tap copies per frame (enough for a long request line). */
  headBytes: number;
  housekeepingMs: number;
}

export const DEFAULT_INSPECTOR_OPTIONS: InspectorOptions = {
  maxFrames: 20_000,
  maxBytes: 6 * 1024 * 1024,
  maxBatchFrames: 2_000,
  batchIntervalMs: 1000 / INSPECTOR_LIMITS.batchesPerSecond,
  leaseMs: 60_000,
  retainMs: 5 * 60_000,
  maxRecordedClusters: 8,
  headBytes: 256,
  housekeepingMs: 5_000,
};

const DEFAULT_PAGE = 500;

type ClusterTaps = Record<TunnelSessionKind, FrameTap>;

interface Recording {
  recorders: Record<TunnelSessionKind, SessionRecorder>;
  /** watcher id → lease end (ms). */
  watchers: Map<string, number>;
  /** When the last watcher left; undefined while watched. */
  idleSince: number | undefined;
}

export class TunnelInspector {
  readonly httpLog = new ConnectionHttpLog();
  private readonly options: InspectorOptions;
  private readonly taps = new Map<string, ClusterTaps>();
  private readonly recordings = new Map<string, Recording>();
  private readonly rates = new WeakMap<InspectableTunnel, CounterRate>();
  private readonly synthetic = new SyntheticFrameLoad();
  private batchTimer: NodeJS.Timeout | undefined;
  private housekeepingTimer: NodeJS.Timeout | undefined;
  private lastBatchAt = 0;
  private lastCountersAt = 0;

  constructor(
    private readonly deps: TunnelInspectorDeps,
    options: Partial<InspectorOptions> = {},
  ) {
    this.options = { ...DEFAULT_INSPECTOR_OPTIONS, ...options };
    this.httpLog.onExchange = (cluster, connId, exchange) =>
      this.recordings.get(cluster)?.recorders.main.noteExchange(connId, exchange);
  }

  // ---- for the tunnels -------------------------------------------------------

  /** The tap a cluster's session reports its frames to (made on first use, idle until watched). */
  tap(cluster: string, session: TunnelSessionKind): FrameTap {
    let taps = this.taps.get(cluster);
    if (!taps) {
      taps = { main: new FrameTap(this.options.headBytes), steve: new FrameTap(this.options.headBytes) };
      this.taps.set(cluster, taps);
    }
    return taps[session];
  }

  /** What the virtual API calls for each request on one main-tunnel connection. */
  mainRequestObserver(cluster: string, connId: bigint): RequestObserver {
    return this.httpLog.observer(cluster, connId);
  }

  /** A deleted cluster: nothing of it is kept (unless a new cluster took its name meanwhile). */
  forgetCluster(name: string): void {
    if (this.deps.clusterExists(name)) return;
    this.stopRecording(name);
    this.synthetic.stop(name);
    this.taps.delete(name);
    this.httpLog.forget(name);
  }

  stop(): void {
    this.synthetic.stopAll();
    for (const name of [...this.recordings.keys()]) this.stopRecording(name);
    this.stopTimers();
  }

  // ---- channels --------------------------------------------------------------

  watch(request: InspectorWatchRequest): InspectorWatchResponse {
    const { cluster } = request;
    this.requireCluster(cluster);
    const now = Date.now();
    let recording = this.recordings.get(cluster);
    if (!recording) {
      this.makeRoom();
      const main = this.tap(cluster, 'main');
      const steve = this.tap(cluster, 'steve');
      const limits = { maxFrames: this.options.maxFrames, maxBytes: this.options.maxBytes };
      recording = {
        recorders: {
          main: new SessionRecorder('main', main, (connId) => this.httpLog.current(cluster, connId), limits),
          steve: new SessionRecorder('steve', steve, undefined, limits),
        },
        watchers: new Map(),
        idleSince: undefined,
      };
      this.recordings.set(cluster, recording);
      this.deps.logger.debug({ cluster }, `Inspector: recording the tunnels of ${cluster}`);
    }
    const watcher = request.watcher ?? `w-${randomBytes(6).toString('hex')}`;
    recording.watchers.set(watcher, now + this.options.leaseMs);
    recording.idleSince = undefined;
    this.startTimers();
    return { cluster, watcher, leaseMs: this.options.leaseMs, retainMs: this.options.retainMs };
  }

  unwatch(request: InspectorUnwatchRequest): { cluster: string; watchers: number } {
    this.requireCluster(request.cluster);
    const recording = this.recordings.get(request.cluster);
    if (!recording) return { cluster: request.cluster, watchers: 0 };
    recording.watchers.delete(request.watcher);
    if (recording.watchers.size === 0) recording.idleSince ??= Date.now();
    return { cluster: request.cluster, watchers: recording.watchers.size };
  }

  sessions(request: InspectorSessionsRequest = {}): InspectorSessionInfo[] {
    const names =
      request.cluster !== undefined
        ? [this.requireCluster(request.cluster)]
        : this.deps
            .clusterNames()
            .filter((name) => this.recordings.has(name) || this.deps.tunnels(name) !== undefined);
    const now = Date.now();
    const out: InspectorSessionInfo[] = [];
    for (const cluster of names) {
      const recording = this.recordings.get(cluster);
      for (const session of TUNNEL_SESSIONS) {
        out.push({
          cluster,
          session,
          counters: this.counters(cluster, session, now),
          recording: recording !== undefined,
          watchers: recording?.watchers.size ?? 0,
          historyFrames: recording?.recorders[session].history.length ?? 0,
        });
      }
    }
    return out;
  }

  frames(request: InspectorFramesRequest): InspectorFramesResponse {
    const { cluster, session } = request;
    this.requireCluster(cluster);
    const recorder = this.recordings.get(cluster)?.recorders[session];
    const base = { cluster, session };
    if (!recorder) return { ...base, frames: [], more: false, historyFrames: 0 };
    const { items, more } = recorder.history.query(
      matcher(request.types, request.connId),
      request.limit ?? DEFAULT_PAGE,
      request.before,
    );
    return {
      ...base,
      frames: items.map(toWireFrame),
      more,
      historyFrames: recorder.history.length,
      ...(request.connId !== undefined ? { connection: recorder.connection(request.connId) } : {}),
    };
  }

  /** Every recorded frame of a session that matches, one JSON object a line. */
  exportNdjson(request: InspectorExportRequest): InspectorExportResponse {
    const { cluster, session } = request;
    this.requireCluster(cluster);
    const recorder = this.recordings.get(cluster)?.recorders[session];
    if (!recorder)
      throw new EngineError(
        'conflict',
        `no frames are recorded for cluster ${cluster}: watch it in the inspector first (inspector.watch)`,
      );
    const match = matcher(request.types, request.connId);
    const frames: RecordedFrame[] = [];
    for (const frame of recorder.history) if (match(frame)) frames.push(frame);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return {
      filename: `${cluster}-${session}-frames-${stamp}.ndjson`,
      ndjson: framesToNdjson(cluster, session, frames),
      frames: frames.length,
    };
  }

  /** Drops one session now so it reconnects (to watch a session from its first frame). */
  reconnect(request: InspectorReconnectRequest): { cluster: string; session: TunnelSessionKind } {
    this.requireCluster(request.cluster);
    const tunnels = this.deps.tunnels(request.cluster);
    if (!tunnels)
      throw new EngineError(
        'conflict',
        `cluster ${request.cluster} has no tunnels to Rancher (local only, or not imported yet)`,
      );
    tunnels[request.session].drop();
    this.deps.logger.info(
      { cluster: request.cluster, tunnel: request.session },
      `Inspector: ${request.session} tunnel of ${request.cluster} dropped on request; it reconnects`,
    );
    return { cluster: request.cluster, session: request.session };
  }

  /**
   * Feeds synthetic frames into a session's tap (load tests of the UI). Off
   * unless the agent was started with SCALE_AGENT_INSPECTOR_LOAD=1, and that
   * is checked before anything else.
   */
  startSyntheticLoad(
    cluster: string,
    session: string,
    body: unknown,
  ): { cluster: string; session: TunnelSessionKind; framesPerSecond: number; seconds: number } {
    if (!this.deps.syntheticLoadAllowed)
      throw new EngineError(
        'invalid',
        `the synthetic frame generator is off: it runs only when the agent is started with ${SYNTHETIC_LOAD_ENV}=1`,
      );
    this.requireCluster(cluster);
    if (session !== 'main' && session !== 'steve')
      throw new EngineError(
        'invalid',
        `tunnel session must be "main" or "steve", not ${JSON.stringify(session)}`,
      );
    const request = parseSyntheticLoadRequest(body);
    const started = this.synthetic.start(cluster, session, this.tap(cluster, session), request);
    this.deps.logger.warn(
      { cluster, tunnel: session, ...started },
      `Inspector: synthetic frames into ${cluster}/${session} at ${started.framesPerSecond}/s for ${started.seconds} s`,
    );
    return { cluster, session, ...started };
  }

  /** Is the cluster being recorded (tests, and the tap's cost claim). */
  isRecording(cluster: string): boolean {
    return this.recordings.has(cluster);
  }

  // ---- internals -------------------------------------------------------------

  private requireCluster(name: string): string {
    if (!this.deps.clusterExists(name))
      throw new EngineError('not_found', `cluster ${JSON.stringify(name)} not found`);
    return name;
  }

  counters(cluster: string, session: TunnelSessionKind, now = Date.now()): SessionCounters {
    const tunnel = this.deps.tunnels(cluster)?.[session];
    const recorder = this.recordings.get(cluster)?.recorders[session];
    if (!tunnel) {
      const rates = recorder?.rate.read(now) ?? { framesPerSecond: 0, bytesPerSecond: 0 };
      return {
        state: 'none',
        ...rates,
        framesTotal: recorder?.framesSeen ?? 0,
        bytesTotal: recorder?.bytesSeen ?? 0,
        openConnections: recorder?.openConnectionCount ?? 0,
        pauses: recorder?.pauses ?? 0,
        reconnects: 0,
      };
    }
    const traffic = tunnel.traffic();
    const framesTotal = traffic.framesIn + traffic.framesOut;
    const bytesTotal = traffic.bytesIn + traffic.bytesOut;
    let sampler = this.rates.get(tunnel);
    if (!sampler) this.rates.set(tunnel, (sampler = new CounterRate()));
    const sampled = sampler.read(framesTotal, bytesTotal, now);
    // While recorded, the recorder sees every frame as it passes: exact and current.
    const rates = recorder ? recorder.rate.read(now) : sampled;
    const flow = tunnel.flowCounters();
    const info = tunnel.state;
    return {
      state: info.state,
      ...rates,
      framesTotal,
      bytesTotal,
      openConnections: flow.openConnections,
      pauses: flow.pauses,
      reconnects: Math.max(0, info.connects - 1),
    };
  }

  /** Before a new recording: drop the longest-idle one if the limit is reached, or refuse. */
  private makeRoom(): void {
    if (this.recordings.size < this.options.maxRecordedClusters) return;
    let oldest: [string, number] | undefined;
    for (const [name, recording] of this.recordings) {
      if (recording.idleSince !== undefined && (!oldest || recording.idleSince < oldest[1]))
        oldest = [name, recording.idleSince];
    }
    if (!oldest)
      throw new EngineError(
        'conflict',
        `at most ${this.options.maxRecordedClusters} clusters can be inspected at once; close one first`,
      );
    this.stopRecording(oldest[0]);
  }

  private stopRecording(cluster: string): void {
    const recording = this.recordings.get(cluster);
    if (!recording) return;
    this.recordings.delete(cluster);
    for (const session of TUNNEL_SESSIONS) recording.recorders[session].stop();
    this.deps.logger.debug({ cluster }, `Inspector: stopped recording the tunnels of ${cluster}`);
    if (this.recordings.size === 0) this.stopTimers();
  }

  private startTimers(): void {
    if (!this.batchTimer) {
      this.batchTimer = setInterval(() => this.flushBatch(), this.options.batchIntervalMs);
      this.batchTimer.unref();
    }
    if (!this.housekeepingTimer) {
      this.housekeepingTimer = setInterval(() => this.housekeeping(), this.options.housekeepingMs);
      this.housekeepingTimer.unref();
    }
  }

  private stopTimers(): void {
    if (this.batchTimer) clearInterval(this.batchTimer);
    if (this.housekeepingTimer) clearInterval(this.housekeepingTimer);
    this.batchTimer = undefined;
    this.housekeepingTimer = undefined;
  }

  /** One batch of every watched session's new frames (and, once a second, everyone's counters). */
  flushBatch(): void {
    const now = Date.now();
    // Never more often than the rate, whatever the timer does.
    if (now - this.lastBatchAt < this.options.batchIntervalMs - 1) return;
    const withCounters = now - this.lastCountersAt >= 1000;
    const sessions: InspectorBatchSession[] = [];
    for (const [cluster, recording] of this.recordings) {
      if (recording.watchers.size === 0) {
        // Nobody listens: keep the history, send nothing.
        for (const session of TUNNEL_SESSIONS) recording.recorders[session].markSent();
        continue;
      }
      for (const session of TUNNEL_SESSIONS) {
        const { frames, skipped } = recording.recorders[session].drain(this.options.maxBatchFrames);
        if (frames.length === 0 && skipped === 0 && !withCounters) continue;
        sessions.push({ cluster, session, frames, skipped, counters: this.counters(cluster, session, now) });
      }
    }
    if (sessions.length === 0) return;
    this.lastBatchAt = now;
    if (withCounters) this.lastCountersAt = now;
    this.deps.emitBatch({ time: now, sessions });
  }

  private housekeeping(): void {
    const now = Date.now();
    for (const [cluster, recording] of [...this.recordings]) {
      for (const [watcher, until] of recording.watchers) {
        if (until < now) recording.watchers.delete(watcher);
      }
      if (recording.watchers.size === 0) recording.idleSince ??= now;
      if (recording.idleSince !== undefined && now - recording.idleSince >= this.options.retainMs)
        this.stopRecording(cluster);
    }
  }
}

function matcher(types: string[] | undefined, connId: string | undefined): (frame: RecordedFrame) => boolean {
  const typeSet = types && types.length > 0 ? new Set(types) : undefined;
  return (frame) =>
    (!typeSet || typeSet.has(frame.type)) && (connId === undefined || frame.connId === connId);
}
