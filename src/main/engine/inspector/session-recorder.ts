/**
 * Records one tunnel session's frames while its cluster is inspected: it
 * listens on the session's FrameTap (so the tap is only active while a
 * recorder exists), turns each frame into a summary row, keeps the rows in a
 * bounded history and remembers which of them the UI has not been sent yet.
 */
import type { ConnectionSummary, InspectorFrame, TunnelSessionKind } from '../../../shared/inspector';
import type { FrameRecord, FrameTap } from '../remotedialer/frame-tap';
import { MessageType } from '../remotedialer/message-types';
import type { HttpExchange } from './connection-http-log';
import { FrameHistory } from './frame-history';
import { summarizeFrame } from './frame-summary';
import { RateMeter } from './rate-meter';

/** A frame as held in history; `exchange` is described when the frame is read (its status may come later). */
export interface RecordedFrame {
  seq: number;
  time: number;
  direction: 'in' | 'out';
  type: string;
  connId: string;
  size: number;
  summary: string;
  exchange?: HttpExchange;
}

export interface RecorderLimits {
  maxFrames: number;
  maxBytes: number;
}

/** Frames walked back to attach a request to the Data that carried it. */
const PATCH_LOOKBACK = 64;
/** Connections tracked as open (only used for sessions that have no live tunnel, e.g. synthetic load). */
const MAX_TRACKED_OPEN = 10_000;
/** Rough bytes of one row beyond its strings: object, fields, ring slot. */
const ROW_OVERHEAD_BYTES = 120;

/** Message types whose connID field means nothing (Go writes 0). */
const CONNECTIONLESS = new Set<number>([
  MessageType.SyncConnections,
  MessageType.AddClient,
  MessageType.RemoveClient,
]);

export function frameBytes(frame: RecordedFrame): number {
  return ROW_OVERHEAD_BYTES + 2 * (frame.summary.length + frame.connId.length);
}

export function toWireFrame(frame: RecordedFrame): InspectorFrame {
  const wire: InspectorFrame = {
    seq: frame.seq,
    time: frame.time,
    direction: frame.direction,
    type: frame.type,
    connId: frame.connId,
    size: frame.size,
    summary: frame.summary,
  };
  if (frame.exchange) wire.http = frame.exchange.describe();
  return wire;
}

export class SessionRecorder {
  readonly history: FrameHistory<RecordedFrame>;
  readonly rate = new RateMeter();
  framesSeen = 0;
  bytesSeen = 0;
  pauses = 0;
  private readonly openConnections = new Set<string>();
  private nextSeq = 1;
  private sentSeq = 0;
  private readonly unsubscribe: () => void;

  constructor(
    readonly session: TunnelSessionKind,
    private readonly tap: FrameTap,
    /** Main tunnel: the virtual API's current exchange on a connection. */
    private readonly currentExchange: ((connId: string) => HttpExchange | undefined) | undefined,
    limits: RecorderLimits,
  ) {
    this.history = new FrameHistory<RecordedFrame>(limits.maxFrames, limits.maxBytes, frameBytes);
    this.unsubscribe = tap.subscribe((record) => this.record(record));
  }

  get openConnectionCount(): number {
    return this.openConnections.size;
  }

  /** Stops listening (the tap goes quiet if nobody else listens) and drops the history. */
  stop(): void {
    this.unsubscribe();
    this.history.clear();
    this.openConnections.clear();
  }

  record(record: FrameRecord): void {
    const typeNumber = record.type === null ? null : Number(record.type);
    const connectionless = typeNumber !== null && CONNECTIONLESS.has(typeNumber);
    const connId = record.connId === null || connectionless ? '' : record.connId.toString();
    const frame: RecordedFrame = {
      seq: this.nextSeq++,
      time: record.timestamp,
      direction: record.direction,
      type: record.typeName,
      connId,
      size: record.size,
      summary: summarizeFrame(record, this.tap.headBytes),
    };
    if (typeNumber === MessageType.Data && this.currentExchange) {
      const exchange = this.currentExchange(connId);
      if (exchange) frame.exchange = exchange;
    } else if (typeNumber === MessageType.Connect) {
      if (this.openConnections.size < MAX_TRACKED_OPEN) this.openConnections.add(connId);
    } else if (typeNumber === MessageType.Error) {
      this.openConnections.delete(connId);
    } else if (typeNumber === MessageType.Pause) {
      this.pauses++;
    }
    this.history.push(frame);
    this.rate.add(record.size, record.timestamp);
    this.framesSeen++;
    this.bytesSeen += record.size;
  }

  /**
   * A request the virtual API just parsed on `connId`: the incoming Data that
   * carried it was recorded a moment before, labelled with the previous
   * exchange (or none). Relabel back to the last frame we sent on that
   * connection, which ended the previous exchange.
   */
  noteExchange(connId: string, exchange: HttpExchange): void {
    this.history.scanBack((frame) => {
      if (frame.connId !== connId) return true;
      if (frame.direction === 'out' || frame.exchange === exchange) return false;
      if (frame.type === 'Data') frame.exchange = exchange;
      return true;
    }, PATCH_LOOKBACK);
  }

  /** Frames not sent to UIs yet (at most `limit`, the newest), and how many were left out. */
  drain(limit: number): { frames: InspectorFrame[]; skipped: number } {
    const { items, skipped } = this.history.since(this.sentSeq, limit);
    this.sentSeq = Math.max(this.sentSeq, this.history.newestSeq ?? this.sentSeq);
    return { frames: items.map(toWireFrame), skipped };
  }

  /** Marks everything recorded so far as sent (a new watcher starts from now). */
  markSent(): void {
    this.sentSeq = this.history.newestSeq ?? this.sentSeq;
  }

  /** The story of one connection, from what the history still holds. */
  connection(connId: string): ConnectionSummary {
    let address: string | undefined;
    let closeReason: string | undefined;
    const http: string[] = [];
    let lastExchange: HttpExchange | undefined;
    for (const frame of this.history) {
      if (frame.connId !== connId) continue;
      if (frame.type === 'Connect' && address === undefined) address = frame.summary;
      else if (frame.type === 'Error') closeReason ??= frame.summary;
      if (frame.exchange && frame.exchange !== lastExchange) {
        lastExchange = frame.exchange;
        if (http.length < 100) http.push(frame.exchange.describe());
      }
    }
    const current = this.currentExchange?.(connId);
    if (current && current !== lastExchange) http.push(current.describe());
    return {
      connId,
      ...(address !== undefined ? { address } : {}),
      http,
      ...(closeReason !== undefined ? { closeReason } : {}),
      open: closeReason === undefined,
    };
  }
}
