// The agent side of a remotedialer tunnel (Go: ClientConnect /
// NewClientSession). Rancher's server sends Connect to open connections; we
// decide with `allow`, open the local end with `dial` (which may serve the
// stream in-process), and splice the two together.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import WebSocket, { type ClientOptions } from 'ws';
import { TunnelConnection } from './connection';
import { MessageType, type ConnectMessage } from './message-types';
import { nextMessageId } from './message-id';
import { SessionClosedError, TunnelSession, type TunnelSessionOptions } from './tunnel-session';

/** Go's ConnectAuthorizer. */
export type AllowConnect = (proto: string, address: string) => boolean;
/** Opens the local end of a tunnelled connection (`connId` lets the caller tie what it serves to the frames). */
export type LocalDialer = (proto: string, address: string, connId: bigint) => Promise<Duplex>;

export const PING_INTERVAL_MS = 5_000;
export const PONG_TIMEOUT_MS = 60_000;
export const SYNC_CONNECTIONS_INTERVAL_MS = 60_000;
export const HANDSHAKE_TIMEOUT_MS = 10_000;
export const DIAL_TIMEOUT_MS = 60_000;
/** ws refuses bigger messages; Go's Data frames are 32 KiB, so this is generous but bounded. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/**
 * Connection ids above the highest Connect seen that a SyncConnections also
 * lists. The server numbers a session's connections 2, 3, 4, ... and closes
 * every one of its own a sync does not list, with "sync from client". A
 * Connect it has sent but we have not read yet (in flight, or queued behind
 * a busy event loop) is one of those, so without this the sync races every
 * new connection: Rancher's Steve ping through it fails and the cluster shows
 * Unavailable until its next ping and health check. Go's client has the same
 * race; listing ids the server does not have is harmless (it only closes its
 * own ids the list lacks), and 64 covers far more Connects than one session
 * gets in flight at once.
 */
export const SYNC_LOOKAHEAD_IDS = 64n;

/** The text sent back for a Connect that `allow` refused (Go's error text). */
export const CONNECT_NOT_ALLOWED = 'connect not allowed';

export interface ClientSessionOptions extends TunnelSessionOptions {
  allow: AllowConnect;
  dial: LocalDialer;
  pingIntervalMs?: number;
  /** The session ends when no Pong arrived for this long (Go: 60 s read deadline). */
  pongTimeoutMs?: number;
  syncIntervalMs?: number;
  dialTimeoutMs?: number;
}

export interface ConnectClientOptions extends ClientSessionOptions {
  url: string;
  headers?: Record<string, string>;
  handshakeTimeoutMs?: number;
  /**
   * Passed to ws (TLS: ca, rejectUnauthorized, servername, agent, ...). A
   * shared secureContext is far cheaper than ca/cert/key, which build a new
   * context for every connection.
   */
  socketOptions?: Pick<
    ClientOptions,
    'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'checkServerIdentity' | 'agent' | 'localAddress' | 'family'
  > & { secureContext?: SecureContext };
}

/** The server refused the WebSocket upgrade (Rancher: 400 bad token, 401 not authorised). */
export class HandshakeError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(status: number, body: string) {
    super(`tunnel handshake refused: HTTP ${status}${body ? `: ${body.trim()}` : ''}`);
    this.name = 'HandshakeError';
    this.status = status;
    this.body = body;
  }
}

export class ClientSession extends TunnelSession {
  private readonly allow: AllowConnect;
  private readonly dial: LocalDialer;
  private readonly dialTimeoutMs: number;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly syncTimer: NodeJS.Timeout;
  private lastPongAt = Date.now();
  /** The highest connection id the server has opened so far (see SYNC_LOOKAHEAD_IDS). */
  private highestConnId = 0n;

  /** Wraps an already-open WebSocket. Most callers want connectClientSession. */
  constructor(ws: WebSocket, options: ClientSessionOptions) {
    super('client', 'client', 0n, ws, options);
    this.allow = options.allow;
    this.dial = options.dial;
    this.dialTimeoutMs = options.dialTimeoutMs ?? DIAL_TIMEOUT_MS;
    const pingInterval = options.pingIntervalMs ?? PING_INTERVAL_MS;
    const pongTimeout = options.pongTimeoutMs ?? PONG_TIMEOUT_MS;
    this.on('pong', () => {
      this.lastPongAt = Date.now();
    });
    // Rancher's server only refreshes its read deadline when it gets a ping,
    // so these pings are what keeps the tunnel alive.
    this.pingTimer = setInterval(
      () => {
        const silentFor = Date.now() - this.lastPongAt;
        if (silentFor > pongTimeout) {
          this.close(
            new SessionClosedError(`no pong from server for ${silentFor} ms (limit ${pongTimeout} ms)`),
          );
          return;
        }
        if (ws.readyState === ws.OPEN) ws.ping();
      },
      Math.min(pingInterval, pongTimeout),
    );
    this.pingTimer.unref();
    this.syncTimer = setInterval(
      () => this.sendSyncConnections(),
      options.syncIntervalMs ?? SYNC_CONNECTIONS_INTERVAL_MS,
    );
    this.syncTimer.unref();
  }

  /**
   * Tells the server which connections we still have, so it drops the others
   * (Go: every 60 s); also lists the next ids it may be opening right now.
   */
  sendSyncConnections(): void {
    if (this.isClosed) return;
    const upcoming: bigint[] = [];
    for (let id = this.highestConnId + 1n; id <= this.highestConnId + SYNC_LOOKAHEAD_IDS; id++)
      upcoming.push(id);
    this.send({
      id: nextMessageId(),
      connId: 0n,
      type: MessageType.SyncConnections,
      // Ascending, as the server's merge expects: every active id is at most the highest seen.
      connIds: [...this.activeConnectionIds(), ...upcoming],
    });
  }

  /**
   * Test hook: forget a connection without telling the server, as if its
   * Error frame had been lost. The next SyncConnections lets the server
   * clean up.
   */
  abandonConnectionForTest(connId: bigint): boolean {
    const connection = this.connections.get(connId);
    if (!connection) return false;
    this.connections.delete(connId);
    connection.abandon();
    return true;
  }

  protected onClosing(): void {
    clearInterval(this.pingTimer);
    clearInterval(this.syncTimer);
  }

  protected handleConnect(message: ConnectMessage): Error | null {
    const { connId, proto, address } = message;
    if (connId > this.highestConnId) this.highestConnId = connId;
    if (!this.allow(proto, address)) {
      // Deliberately kinder than Go, whose client drops the whole session
      // (and every other connection in it) on a refused Connect: we refuse
      // just this connection. The server sees the same error text on it.
      this.sendError(connId, CONNECT_NOT_ALLOWED);
      return null;
    }
    // Registered before dialing: Data may arrive first (it is buffered), and
    // SyncConnections must already list it.
    const connection = new TunnelConnection(connId, proto, address, this);
    connection.on('error', () => undefined);
    this.registerConnection(connection);
    void this.dialAndSplice(connection);
    return null;
  }

  private async dialAndSplice(connection: TunnelConnection): Promise<void> {
    let local: Duplex;
    try {
      local = await withTimeout(
        this.dial(connection.proto, connection.address, connection.connId),
        this.dialTimeoutMs,
        () => {
          return new Error(`dial ${connection.proto} ${connection.address}: i/o timeout`);
        },
      );
    } catch (error) {
      connection.failDial(error instanceof Error ? error.message : String(error));
      return;
    }
    if (connection.destroyed || connection.isClosed) {
      local.destroy();
      return;
    }
    spliceWithoutHalfClose(connection, local);
  }
}

/**
 * Pipes both ways; when either side ends or fails, the other is closed too
 * (remotedialer has no half-close). Ending flushes queued data first.
 */
export function spliceWithoutHalfClose(connection: TunnelConnection, local: Duplex): void {
  connection.pipe(local);
  local.pipe(connection);
  local.on('error', (error: Error) => {
    if (!connection.destroyed) connection.destroy(error);
  });
  connection.on('error', () => {
    if (!local.destroyed) local.destroy();
  });
  local.on('close', () => {
    if (!connection.writableEnded && !connection.destroyed) connection.end();
  });
  connection.on('close', () => {
    if (!local.writableEnded && !local.destroyed) local.end();
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError()), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Opens the WebSocket like Go's ConnectToProxy (no subprotocol, no
 * compression, 10 s handshake timeout) and resolves once the session is
 * serving. Rejects with HandshakeError when the server answers with a status.
 */
export function connectClientSession(options: ConnectClientOptions): Promise<ClientSession> {
  return new Promise<ClientSession>((resolve, reject) => {
    const ws = new WebSocket(options.url, {
      ...options.socketOptions,
      headers: options.headers,
      perMessageDeflate: false,
      handshakeTimeout: options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
      maxPayload: MAX_MESSAGE_BYTES,
      followRedirects: false,
    });
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      ws.terminate();
      reject(error);
    };
    ws.once('unexpected-response', (request, response: IncomingMessage) => {
      readBody(response, 64 * 1024).then(
        (body) => {
          request.destroy();
          fail(new HandshakeError(response.statusCode ?? 0, body));
        },
        (error: Error) => fail(error),
      );
    });
    const onError = (error: Error): void => fail(error);
    ws.once('error', onError);
    ws.once('open', () => {
      if (settled) return;
      settled = true;
      ws.off('error', onError);
      resolve(new ClientSession(ws, options));
    });
  });
}

function readBody(response: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size < limit) chunks.push(chunk);
      size += chunk.length;
    });
    response.on('end', () => resolve(Buffer.concat(chunks).subarray(0, limit).toString('utf8')));
    response.on('error', reject);
  });
}
