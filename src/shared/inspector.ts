/**
 * The live tunnel inspector's data, as every UI sees it: frames of a
 * cluster's two remotedialer sessions (main and Steve), their counters, and
 * the requests of the inspector's channels. Plain data only (shared with the
 * renderer): connection ids travel as decimal strings because they are 64-bit.
 */
import type { TunnelState } from './cluster';

export const TUNNEL_SESSIONS = ['main', 'steve'] as const;
export type TunnelSessionKind = (typeof TUNNEL_SESSIONS)[number];

/** The remotedialer message types, plus 'Invalid' for a frame whose header did not decode. */
export const FRAME_TYPES = [
  'Data',
  'Connect',
  'Error',
  'Pause',
  'Resume',
  'SyncConnections',
  'AddClient',
  'RemoveClient',
  'Invalid',
] as const;

/** 'in' came from Rancher, 'out' was sent by the agent. */
export type FrameDirection = 'in' | 'out';

export interface InspectorFrame {
  /** Position in the session's history; increases by one per frame recorded. */
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  direction: FrameDirection;
  /** A FRAME_TYPES name, or `Unknown(n)` for a type number nobody knows. */
  type: string;
  /** Decimal connection id; '' for frames not tied to a connection. */
  connId: string;
  /** Bytes of the whole WebSocket message. */
  size: number;
  /**
   * One line about the frame: the address of a Connect, the reason of an
   * Error, an HTTP request or status line of plain-HTTP Data (Steve), the TLS
   * record kind of encrypted Data (main).
   */
  summary: string;
  /**
   * Main tunnel only: the HTTP exchange the virtual API decrypted on this
   * connection when the frame passed, e.g. `GET /api/v1/nodes?watch=true → 200`.
   */
  http?: string;
}

/** Cheap numbers every session has, inspected or not. */
export interface SessionCounters {
  /** The tunnel's state, or 'none' when the cluster has no tunnel of this kind. */
  state: TunnelState | 'none';
  framesPerSecond: number;
  bytesPerSecond: number;
  /** Frames and bytes over the tunnel's life (every session, both directions). */
  framesTotal: number;
  bytesTotal: number;
  openConnections: number;
  /** Pause frames sent and received (remotedialer back-pressure). */
  pauses: number;
  /** Sessions after the first one. */
  reconnects: number;
}

export interface InspectorSessionInfo {
  cluster: string;
  session: TunnelSessionKind;
  counters: SessionCounters;
  /** Frames are being recorded (someone watches, or did a short while ago). */
  recording: boolean;
  watchers: number;
  /** Frames held in the session's history. */
  historyFrames: number;
}

/** What the engine knows about one connection, for following its whole conversation. */
export interface ConnectionSummary {
  connId: string;
  /** `proto/address` from its Connect, when that is still in the history. */
  address?: string;
  /** Main tunnel: the HTTP exchanges the virtual API saw on it, oldest first. */
  http: string[];
  /** Text of the Error that closed it (`EOF` is a graceful close). */
  closeReason?: string;
  open: boolean;
}

export interface InspectorSessionsRequest {
  /** Only this cluster's two sessions. */
  cluster?: string;
}

export interface InspectorWatchRequest {
  cluster: string;
  /** Renews this watcher's lease (what a previous watch returned); omit to become a new watcher. */
  watcher?: string;
}

export interface InspectorWatchResponse {
  cluster: string;
  watcher: string;
  /** Renew (watch again with `watcher`) before this runs out, or the watch lapses. */
  leaseMs: number;
  /** How long frames are still recorded after the last watcher leaves. */
  retainMs: number;
}

export interface InspectorUnwatchRequest {
  cluster: string;
  watcher: string;
}

export interface InspectorFramesRequest {
  cluster: string;
  session: TunnelSessionKind;
  /** Only frames older than this seq (paging back through history). */
  before?: number;
  /** At most this many frames, the newest that match (1 to 5000, default 500). */
  limit?: number;
  /** Only these types. */
  types?: string[];
  connId?: string;
}

export interface InspectorFramesResponse {
  cluster: string;
  session: TunnelSessionKind;
  /** Oldest first. */
  frames: InspectorFrame[];
  /** Older matching frames remain in the history (page on with `before`). */
  more: boolean;
  historyFrames: number;
  /** With a connId filter: that connection's story. */
  connection?: ConnectionSummary;
}

export interface InspectorExportRequest {
  cluster: string;
  session: TunnelSessionKind;
  types?: string[];
  connId?: string;
}

export interface InspectorExportResponse {
  filename: string;
  /** One JSON frame per line, oldest first. */
  ndjson: string;
  frames: number;
}

export interface InspectorReconnectRequest {
  cluster: string;
  session: TunnelSessionKind;
}

/** New frames and fresh counters of the watched sessions; pushed at most 10 times a second. */
export interface InspectorBatch {
  /** Milliseconds since the epoch. */
  time: number;
  sessions: InspectorBatchSession[];
}

export interface InspectorBatchSession {
  cluster: string;
  session: TunnelSessionKind;
  /** Oldest first; at most a few thousand per batch. */
  frames: InspectorFrame[];
  /** Frames recorded since the last batch that did not fit in this one (still in the history). */
  skipped: number;
  counters: SessionCounters;
}

/** Limits the engine applies, for UIs that explain them. */
export const INSPECTOR_LIMITS = {
  /** Batches per second, at most. */
  batchesPerSecond: 10,
  /** Frames a page of `inspector.frames` may ask for. */
  maxPageFrames: 5000,
} as const;
