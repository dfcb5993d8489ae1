// What client and server sessions share: one WebSocket, a table of tunnelled
// connections, and the handling of Data, Pause, Resume, Error,
// SyncConnections and the peer-only AddClient/RemoveClient messages, as in
// rancher/remotedialer session.go and session_serve.go.

import { EventEmitter } from 'node:events';
import type WebSocket from 'ws';
import { CloseCode, type CloseCodeValue } from './close-codes';
import { FrameDecodeError, decodeMessage, encodeData, encodeMessage, messagePayload } from './codec';
import { TunnelConnection, type ConnectionTransport } from './connection';
import type { FrameTap } from './frame-tap';
import { nextMessageId } from './message-id';
import {
  CONNECT_READ_LIMIT,
  MessageType,
  type ConnectMessage,
  type DecodedMessage,
  type SyncConnectionsMessage,
  type TunnelMessage,
} from './message-types';

export type SessionRole = 'client' | 'server';

export interface TunnelSessionOptions {
  tap?: FrameTap;
  /** Bytes of a Connect payload that are read (266, or 100 to mimic v0.4 and older). */
  connectReadLimit?: number;
}

export interface SessionStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  connections: number;
  /** Back-pressure: Pause frames received from the peer and sent to it. */
  pausesIn: number;
  pausesOut: number;
}

/** Why a session ended, and the close code the peer is sent for it. */
export class SessionClosedError extends Error {
  readonly closeCode: CloseCodeValue;
  constructor(message: string, options?: { cause?: unknown; closeCode?: CloseCodeValue }) {
    super(message, options);
    this.name = 'SessionClosedError';
    this.closeCode = options?.closeCode ?? CloseCode.Normal;
  }
}

export interface TunnelSessionEvents {
  close: [reason: SessionClosedError];
  /** A connection was opened (by our dial on servers, by the peer's Connect on clients). */
  connection: [connection: TunnelConnection];
  /** A WebSocket ping arrived (servers see these from clients every 5 s). */
  ping: [];
  pong: [];
}

// How long a closing WebSocket may linger before we cut the TCP connection.
const CLOSE_GRACE_MS = 1000;

export abstract class TunnelSession extends EventEmitter<TunnelSessionEvents> implements ConnectionTransport {
  readonly role: SessionRole;
  readonly clientKey: string;
  /** Go uses a random Int63 on servers and 0 on clients; it only shows up in "connection not found" texts. */
  readonly sessionKey: bigint;
  readonly closed: Promise<SessionClosedError>;
  protected readonly ws: WebSocket;
  protected readonly connections = new Map<bigint, TunnelConnection>();
  protected readonly tap: FrameTap | undefined;
  private readonly connectReadLimit: number;
  private closeReason: SessionClosedError | null = null;
  private resolveClosed!: (reason: SessionClosedError) => void;
  private readonly counters = {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    pausesIn: 0,
    pausesOut: 0,
  };

  protected constructor(
    role: SessionRole,
    clientKey: string,
    sessionKey: bigint,
    ws: WebSocket,
    options: TunnelSessionOptions,
  ) {
    super();
    this.role = role;
    this.clientKey = clientKey;
    this.sessionKey = sessionKey;
    this.ws = ws;
    this.tap = options.tap;
    this.connectReadLimit = options.connectReadLimit ?? CONNECT_READ_LIMIT;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('ping', () => this.emit('ping'));
    ws.on('pong', () => this.emit('pong'));
    ws.on('error', (error) =>
      this.close(new SessionClosedError(`websocket error: ${error.message}`, { cause: error })),
    );
    ws.on('close', (code, reason) => {
      const text = reason.length > 0 ? `: ${reason.toString()}` : '';
      this.close(new SessionClosedError(`websocket closed by peer (code ${code}${text})`));
    });
  }

  get isClosed(): boolean {
    return this.closeReason !== null;
  }

  get stats(): SessionStats {
    return { ...this.counters, connections: this.connections.size };
  }

  /** Ids of the connections this session knows, ascending (the SyncConnections order). */
  activeConnectionIds(): bigint[] {
    return [...this.connections.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  getConnection(connId: bigint): TunnelConnection | undefined {
    return this.connections.get(connId);
  }

  /** Ends the session and every connection in it ("tunnel disconnect", like Go). */
  close(reason: Error = new SessionClosedError('session closed locally')): void {
    if (this.closeReason) return;
    const closedError =
      reason instanceof SessionClosedError
        ? reason
        : new SessionClosedError(reason.message, { cause: reason });
    this.closeReason = closedError;
    // Whatever a connection's local end does while closing, the session must
    // end: a throw here would leave `closed` pending and its loop waiting forever.
    try {
      this.onClosing();
      const disconnect = new Error('tunnel disconnect');
      for (const connection of [...this.connections.values()]) {
        try {
          connection.closeSilently(disconnect);
        } catch {
          // the connection is dropped either way
        }
      }
    } finally {
      this.connections.clear();
      this.shutdownSocket(closedError);
      this.resolveClosed(closedError);
      this.emit('close', closedError);
    }
  }

  // ---- ConnectionTransport ---------------------------------------------------

  sendData(connId: bigint, payload: Uint8Array, done?: (error?: Error | null) => void): void {
    const frame = encodeData(nextMessageId(), connId, payload);
    if (this.tap?.active) this.tap.record('out', MessageType.Data, connId, frame.length, payload);
    this.sendFrame(frame, done);
  }

  sendPause(connId: bigint): void {
    this.counters.pausesOut++;
    this.send({ id: nextMessageId(), connId, type: MessageType.Pause });
  }

  sendResume(connId: bigint): void {
    this.send({ id: nextMessageId(), connId, type: MessageType.Resume });
  }

  sendError(connId: bigint, text: string): void {
    this.send({ id: nextMessageId(), connId, type: MessageType.Error, text });
  }

  forget(connId: bigint, connection: TunnelConnection): void {
    if (this.connections.get(connId) === connection) this.connections.delete(connId);
  }

  // ---- for subclasses --------------------------------------------------------

  /** A Connect from the peer; return an error to end the session. */
  protected abstract handleConnect(message: ConnectMessage): Error | null;

  /** Stops timers; called once, before connections are torn down. */
  protected abstract onClosing(): void;

  protected send(message: TunnelMessage): void {
    const frame = encodeMessage(message);
    if (this.tap?.active)
      this.tap.record('out', message.type, message.connId, frame.length, messagePayload(message));
    this.sendFrame(frame);
  }

  protected registerConnection(connection: TunnelConnection): void {
    const previous = this.connections.get(connection.connId);
    this.connections.set(connection.connId, connection);
    // Go silently replaces a duplicate id; the old stream would otherwise hang.
    if (previous)
      previous.closeSilently(new Error(`connection ${connection.connId} replaced by a new Connect`));
    this.emit('connection', connection);
  }

  // ---- internals -------------------------------------------------------------

  private sendFrame(frame: Buffer, done?: (error?: Error | null) => void): void {
    if (this.closeReason || this.ws.readyState !== this.ws.OPEN) {
      if (done) queueMicrotask(() => done(new Error('tunnel disconnect')));
      return;
    }
    this.counters.framesOut++;
    this.counters.bytesOut += frame.length;
    this.ws.send(frame, { binary: true }, done);
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.closeReason) return;
    if (!isBinary) {
      this.close(
        new SessionClosedError('wrong websocket message type', { closeCode: CloseCode.UnsupportedData }),
      );
      return;
    }
    const frame = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    this.counters.framesIn++;
    this.counters.bytesIn += frame.length;
    let message: DecodedMessage;
    try {
      message = decodeMessage(frame, { connectReadLimit: this.connectReadLimit });
    } catch (error) {
      if (this.tap?.active) this.tap.record('in', null, null, frame.length, frame);
      const text =
        error instanceof FrameDecodeError ? `${error.message} (Go: ${error.goText})` : String(error);
      // A broken header is broken framing; a readable header with a payload unfit for its type is bad data.
      const closeCode =
        error instanceof FrameDecodeError && error.part === 'payload'
          ? CloseCode.InvalidPayload
          : CloseCode.ProtocolError;
      this.close(new SessionClosedError(`bad frame from peer: ${text}`, { cause: error, closeCode }));
      return;
    }
    if (this.tap?.active) {
      const type = message.type === 'unknown' ? message.rawType : message.type;
      this.tap.record('in', type, message.connId, frame.length, messagePayload(message));
    }
    const failure = this.dispatch(message);
    // A well-formed message the peer may not send here (a Connect to a server, a bad peer address).
    if (failure)
      this.close(
        new SessionClosedError(failure.message, { cause: failure, closeCode: CloseCode.ProtocolError }),
      );
  }

  private dispatch(message: DecodedMessage): Error | null {
    switch (message.type) {
      case MessageType.Data: {
        const connection = this.connections.get(message.connId);
        if (connection) connection.receiveData(message.payload);
        else
          this.sendError(
            message.connId,
            `connection not found ${this.clientKey}/${this.sessionKey}/${message.connId}`,
          );
        return null;
      }
      case MessageType.Pause:
        this.counters.pausesIn++;
        this.connections.get(message.connId)?.receivePause();
        return null;
      case MessageType.Resume:
        this.connections.get(message.connId)?.receiveResume();
        return null;
      case MessageType.Error:
        this.connections.get(message.connId)?.receiveError(message.text);
        return null;
      case MessageType.Connect:
        return this.handleConnect(message);
      case MessageType.SyncConnections:
        this.closeConnectionsMissingFrom(message);
        return null;
      case MessageType.AddClient:
        // Only HA peers exchange these; Go's client sessions ignore AddClient.
        return this.role === 'server' ? validatePeerAddress(message.address) : null;
      case MessageType.RemoveClient:
        // ...but every Go session parses RemoveClient and dies on a bad one.
        return validatePeerAddress(message.address);
      default:
        return null;
    }
  }

  /**
   * Go closes, without sending Error, every connection the peer no longer
   * lists. (Go's merge assumes a sorted list; we use a set, which gives the
   * same result for the sorted lists real peers send.)
   */
  private closeConnectionsMissingFrom(message: SyncConnectionsMessage): void {
    const alive = new Set(message.connIds);
    for (const [connId, connection] of [...this.connections]) {
      if (!alive.has(connId)) {
        this.connections.delete(connId);
        connection.closeSilently(new Error('sync from client'));
      }
    }
  }

  private shutdownSocket(reason: SessionClosedError): void {
    const ws = this.ws;
    if (ws.readyState === ws.CLOSED) return;
    if (ws.readyState === ws.OPEN) {
      // A close reason must fit in 123 bytes.
      const text = Buffer.from(reason.message)
        .subarray(0, 120)
        .toString('utf8')
        .replace(/\uFFFD+$/, '');
      try {
        ws.close(reason.closeCode, text);
      } catch {
        ws.terminate();
        return;
      }
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    } else {
      ws.terminate();
    }
  }
}

/** Go's parseAddress: "<clientKey>/<int>" where the int must satisfy strconv.Atoi. */
function validatePeerAddress(address: string): Error | null {
  const slash = address.indexOf('/');
  if (slash < 0) return new SessionClosedError(`invalid remote Session ${address}: not / separated`);
  const number = address.slice(slash + 1);
  const valid = /^[+-]?\d+$/.test(number) && BigInt(number) >= -(1n << 63n) && BigInt(number) < 1n << 63n;
  if (!valid)
    return new SessionClosedError(
      `invalid remote Session ${address}: strconv.Atoi: parsing ${JSON.stringify(number)}: invalid syntax`,
    );
  return null;
}
