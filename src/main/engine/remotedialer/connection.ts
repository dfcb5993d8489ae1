// One connection tunnelled through a remotedialer session, as a Node Duplex.
//
// Semantics follow rancher/remotedialer connection.go and readbuffer.go:
// - there is no half-close: when either side ends, the whole connection is
//   closed and an Error "EOF" tells the peer;
// - the receive buffer is unbounded (Pause is advisory), but once more than
//   2 MiB is buffered unread we send Pause, and after a read that leaves less
//   than 256 KiB we send Resume;
// - a Pause from the peer holds our writes until Resume or close (or until we
//   send a Resume ourselves, or it lasted PAUSE_STALL_MS: see the Go bugs
//   described at WAKE_PEER_AFTER_MS).

import { Duplex } from 'node:stream';
import { EOF_TEXT } from './message-types';

export const MAX_BUFFER = 1 << 21;
export const RESUME_BELOW = MAX_BUFFER / 8;
/**
 * Go's back-pressure has two bugs (every version up to v0.6; Go's own client
 * hangs on them too): one paused flag per connection serves both directions,
 * and a Go peer's own Resume clears that flag without waking its writer. We
 * recover from both with two timers, armed only while a pause is in play:
 * - after a Resume from the peer, once we have been idle this long without
 *   seeing Data from it, we send a Resume to wake a writer it left asleep;
 * - if the peer's Pause lasts this long, we assume its Resume was lost to the
 *   shared flag (our Resume crossed its Pause), resume writing and tell it so.
 */
export const WAKE_PEER_AFTER_MS = 200;
export const PAUSE_STALL_MS = 5_000;

/** Largest Data payload we put in one frame (Go's io.Copy uses 32 KiB). */
export const MAX_DATA_FRAME = 64 * 1024;

/** What a connection needs from its session. */
export interface ConnectionTransport {
  /** `done` is called once the frame has been handed to the socket (or failed). */
  sendData(connId: bigint, payload: Uint8Array, done?: (error?: Error | null) => void): void;
  sendPause(connId: bigint): void;
  sendResume(connId: bigint): void;
  sendError(connId: bigint, text: string): void;
  /** Drops the connection from the session's table. */
  forget(connId: bigint, connection: TunnelConnection): void;
}

/** The peer closed the connection with an error other than EOF. */
export class TunnelConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TunnelConnectionError';
  }
}

// Go's io.ErrClosedPipe, which its connection.Write returns after close.
const CLOSED_PIPE = 'io: read/write on closed pipe';

export class TunnelConnection extends Duplex {
  readonly connId: bigint;
  readonly proto: string;
  readonly address: string;
  private readonly transport: ConnectionTransport;
  /** Either side has closed the tunnel connection; no more frames for it go out. */
  private tunnelClosed = false;
  private pauseSent = false;
  private peerPaused = false;
  private heldWrite: { data: Buffer; callback: (error?: Error | null) => void } | null = null;
  private unreadBytesHighWater = 0;
  private closeReason: Error | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private lastPauseSentAt = 0;

  constructor(connId: bigint, proto: string, address: string, transport: ConnectionTransport) {
    super({
      allowHalfOpen: false,
      // _read is called once the unread buffer drops below this: the Resume threshold.
      readableHighWaterMark: RESUME_BELOW,
      writableHighWaterMark: MAX_DATA_FRAME * 4,
    });
    this.connId = connId;
    this.proto = proto;
    this.address = address;
    this.transport = transport;
  }

  /** Most bytes ever held unread at once; lets tests and telemetry check back-pressure. */
  get maxUnreadBytes(): number {
    return this.unreadBytesHighWater;
  }

  get isPausedByPeer(): boolean {
    return this.peerPaused;
  }

  get isClosed(): boolean {
    return this.tunnelClosed;
  }

  /** Why the connection failed (peer error text, dial failure, tunnel disconnect), if it did. */
  get failure(): Error | null {
    return this.closeReason;
  }

  // ---- called by the session -------------------------------------------------

  /** @internal Data frame payload from the peer. */
  receiveData(payload: Uint8Array): void {
    if (this.tunnelClosed || payload.length === 0) return;
    // The peer's writer is evidently awake.
    this.clearWakeTimer();
    this.push(payload);
    const unread = this.readableLength;
    if (unread > this.unreadBytesHighWater) this.unreadBytesHighWater = unread;
    // Re-assert a long-standing Pause: the peer may have given up on it (see PAUSE_STALL_MS).
    if (unread > MAX_BUFFER && (!this.pauseSent || Date.now() - this.lastPauseSentAt > PAUSE_STALL_MS)) {
      this.pauseSent = true;
      this.lastPauseSentAt = Date.now();
      this.transport.sendPause(this.connId);
    }
  }

  /** @internal */
  receivePause(): void {
    this.peerPaused = true;
    if (!this.stallTimer && !this.tunnelClosed) {
      this.stallTimer = setTimeout(() => this.breakStalledPause(), PAUSE_STALL_MS);
      this.stallTimer.unref();
    }
  }

  /** @internal */
  receiveResume(): void {
    const wasPaused = this.peerPaused;
    this.endPeerPause();
    // A Go peer that paused us also stopped its own writer, and its Resume
    // does not wake it (see WAKE_PEER_AFTER_MS). Only a peer that had paused
    // us gets this, so two of our own implementations cannot ping-pong.
    if (wasPaused) this.armWakeTimer();
  }

  private armWakeTimer(): void {
    this.clearWakeTimer();
    if (this.tunnelClosed) return;
    this.wakeTimer = setTimeout(() => this.wakePeerWriter(), WAKE_PEER_AFTER_MS);
    this.wakeTimer.unref();
  }

  private clearWakeTimer(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
  }

  private wakePeerWriter(): void {
    this.wakeTimer = null;
    if (this.tunnelClosed || this.peerPaused) return;
    // Only when we have nothing to send: a Go peer's next Pause can then only
    // come after this Resume, so the Resume cannot cancel it by crossing it.
    // Our own pending Resume will do the waking if we paused the peer.
    if (this.heldWrite || this.writableLength > 0 || this.pauseSent) {
      this.armWakeTimer();
      return;
    }
    this.transport.sendResume(this.connId);
  }

  private breakStalledPause(): void {
    this.stallTimer = null;
    if (this.tunnelClosed || !this.peerPaused) return;
    this.transport.sendResume(this.connId);
    this.endPeerPause();
  }

  private endPeerPause(): void {
    this.peerPaused = false;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    const held = this.heldWrite;
    if (held) {
      this.heldWrite = null;
      this.sendChunks(held.data, held.callback);
    }
  }

  /** @internal The peer sent Error: "EOF" is a graceful close, anything else an error. */
  receiveError(text: string): void {
    if (this.tunnelClosed) return;
    this.markClosed();
    if (text === EOF_TEXT) {
      // Unread data stays readable; the Duplex closes once it has been consumed.
      this.push(null);
      this.failHeldWrite(null);
      if (!this.writableEnded) this.end();
    } else {
      this.fail(new TunnelConnectionError(text));
    }
  }

  /** @internal The whole session went away, or a SyncConnections dropped us. */
  closeSilently(reason: Error): void {
    if (this.tunnelClosed && this.destroyed) return;
    this.markClosed();
    this.fail(reason);
  }

  /** @internal Forget this connection without telling the peer (used to simulate a lost Error). */
  abandon(): void {
    this.tunnelClosed = true;
    this.clearWakeTimer();
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    this.destroy();
  }

  /** @internal A local dial failed: tell the peer why, like Go's tunnelClose(err). */
  failDial(text: string): void {
    if (this.tunnelClosed) return;
    this.transport.sendError(this.connId, text);
    this.markClosed();
    this.fail(new TunnelConnectionError(text));
  }

  // ---- Duplex implementation -------------------------------------------------

  override _read(): void {
    // Node calls _read only when a read leaves less than the high-water mark
    // (RESUME_BELOW) buffered. readableLength still counts the bytes being
    // read at this moment, so it must not be re-checked here: waiting for
    // another _read would deadlock, since a paused peer pushes nothing more.
    if (this.pauseSent) {
      this.pauseSent = false;
      if (!this.tunnelClosed) this.transport.sendResume(this.connId);
      // Go keeps a single paused flag per connection for both directions, so
      // our Resume also clears the Pause a Go peer sent us, and that peer will
      // never send the Resume it owes. Treat our Resume as ending its Pause
      // too, exactly as a Go peer would; otherwise both sides wait forever.
      if (this.peerPaused) this.endPeerPause();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeOrHold(chunk, callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const data =
      chunks.length === 1
        ? (chunks[0] as { chunk: Buffer }).chunk
        : Buffer.concat(chunks.map((c) => c.chunk));
    this.writeOrHold(data, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // Local end: no half-close, so the whole connection closes with EOF.
    if (!this.tunnelClosed) {
      this.transport.sendError(this.connId, EOF_TEXT);
      this.markClosed();
      this.push(null);
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.tunnelClosed) {
      this.transport.sendError(this.connId, error ? error.message || EOF_TEXT : EOF_TEXT);
      this.markClosed();
    }
    this.failHeldWrite(error);
    callback(error);
  }

  // ---- internals -------------------------------------------------------------

  /**
   * Destroys the stream with `reason`, emitting 'error' only when someone
   * listens: a tunnel teardown must never crash the process through an
   * unhandled 'error' on a stream nobody watches. `failure` keeps the reason.
   */
  private fail(reason: Error): void {
    this.closeReason ??= reason;
    this.destroy(this.listenerCount('error') > 0 ? reason : undefined);
  }

  private markClosed(): void {
    this.tunnelClosed = true;
    this.peerPaused = false;
    this.clearWakeTimer();
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    this.transport.forget(this.connId, this);
  }

  /** Fails a write held by the peer's Pause with `error`, or Go's closed-pipe error. */
  private failHeldWrite(error: Error | null): void {
    const held = this.heldWrite;
    if (held) {
      this.heldWrite = null;
      // Built only for a write that is waiting: capturing a stack on every close costs real CPU at scale.
      held.callback(error ?? new Error(CLOSED_PIPE));
    }
  }

  private writeOrHold(data: Buffer, callback: (error?: Error | null) => void): void {
    if (this.tunnelClosed) {
      callback(new Error(CLOSED_PIPE));
      return;
    }
    if (this.peerPaused) {
      this.heldWrite = { data, callback };
      return;
    }
    this.sendChunks(data, callback);
  }

  private sendChunks(data: Buffer, callback: (error?: Error | null) => void): void {
    if (this.tunnelClosed) {
      callback(new Error(CLOSED_PIPE));
      return;
    }
    let offset = 0;
    while (data.length - offset > MAX_DATA_FRAME) {
      this.transport.sendData(this.connId, data.subarray(offset, offset + MAX_DATA_FRAME));
      offset += MAX_DATA_FRAME;
    }
    // Completing the write only when the last frame reached the socket gives
    // each stream natural back-pressure against a slow WebSocket.
    this.transport.sendData(this.connId, data.subarray(offset), (error) => callback(error ?? null));
  }
}
