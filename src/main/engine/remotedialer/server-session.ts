// The Rancher side of remotedialer (Go: remotedialer.Server and its server
// sessions), used by our tests and benchmarks as a stand-in and by anything
// that wants to accept agent tunnels in-process.

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { MAX_MESSAGE_BYTES } from './client-session';
import { TunnelConnection } from './connection';
import type { FrameTap } from './frame-tap';
import { MessageType } from './message-types';
import { nextMessageId } from './message-id';
import { SessionClosedError, TunnelSession, type TunnelSessionOptions } from './tunnel-session';

export const PING_WAIT_MS = 60_000;

export interface AuthResult {
  clientKey: string;
  authed: boolean;
}

/** Go's Authorizer. Throwing answers 400 with the error text; authed=false answers 401. */
export type Authorizer = (request: IncomingMessage) => AuthResult | Promise<AuthResult>;

export interface ServerSessionOptions extends TunnelSessionOptions {
  /** The session ends when no ping arrived for this long (Go: 60 s read deadline refreshed by pings). */
  pingWaitMs?: number;
}

export class ServerSession extends TunnelSession {
  /** Go starts at 1 and increments before use, so the first connection is 2. */
  private nextConnId = 1n;
  private readonly pingWatch: NodeJS.Timeout;
  private lastPingAt = Date.now();

  constructor(clientKey: string, ws: WebSocket, options: ServerSessionOptions = {}) {
    super('server', clientKey, randomBytes(8).readBigUInt64LE() >> 1n, ws, options);
    const pingWait = options.pingWaitMs ?? PING_WAIT_MS;
    this.on('ping', () => {
      this.lastPingAt = Date.now();
    });
    this.pingWatch = setInterval(
      () => {
        const silentFor = Date.now() - this.lastPingAt;
        if (silentFor > pingWait)
          this.close(
            new SessionClosedError(`no ping from client for ${silentFor} ms (limit ${pingWait} ms)`),
          );
      },
      Math.max(10, Math.min(pingWait / 4, 5_000)),
    );
    this.pingWatch.unref();
  }

  /**
   * Opens a connection through the tunnel. Like Go, this does not wait for
   * the agent: a dial failure arrives later as an 'error' on the stream.
   */
  dial(proto: string, address: string): TunnelConnection {
    if (proto.includes('/')) throw new Error(`invalid proto ${JSON.stringify(proto)}: must not contain '/'`);
    this.nextConnId++;
    const connection = new TunnelConnection(this.nextConnId, proto, address, this);
    if (this.isClosed) {
      queueMicrotask(() => connection.closeSilently(new Error('tunnel disconnect')));
      return connection;
    }
    this.registerConnection(connection);
    this.send({ id: nextMessageId(), connId: connection.connId, type: MessageType.Connect, proto, address });
    return connection;
  }

  protected onClosing(): void {
    clearInterval(this.pingWatch);
  }

  protected handleConnect(): Error | null {
    // Rancher never sets ClientConnectAuthorizer, so Go drops the session.
    return new SessionClosedError('connect not allowed');
  }
}

export interface RemoteDialerServerOptions extends ServerSessionOptions {
  authorize: Authorizer;
  /** A tap per session, e.g. to record frames per cluster. Overrides `tap`. */
  tapFor?: (clientKey: string) => FrameTap | undefined;
}

export interface RemoteDialerServerEvents {
  session: [session: ServerSession];
  sessionClosed: [session: ServerSession, reason: SessionClosedError];
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized' };

export class RemoteDialerServer extends EventEmitter<RemoteDialerServerEvents> {
  private readonly options: RemoteDialerServerOptions;
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    maxPayload: MAX_MESSAGE_BYTES,
    // Go's upgrader has no subprotocols; ws would otherwise echo the first one offered.
    handleProtocols: () => false,
  });
  private readonly sessionsByKey = new Map<string, ServerSession[]>();

  constructor(options: RemoteDialerServerOptions) {
    super();
    this.options = options;
  }

  /** For http.Server 'upgrade'. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    void this.authorize(request).then((outcome) => {
      if ('status' in outcome) {
        writeRawResponse(socket, outcome.status, outcome.body);
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.addSession(outcome.clientKey, ws));
    });
  }

  /** For plain (non-upgrade) requests to the tunnel endpoint: same answers as Go. */
  handleRequest(request: IncomingMessage, response: ServerResponse): void {
    void this.authorize(request).then((outcome) => {
      const status = 'status' in outcome ? outcome.status : 400;
      const body =
        'status' in outcome
          ? outcome.body
          : "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header";
      response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
    });
  }

  hasSession(clientKey: string): boolean {
    return (this.sessionsByKey.get(clientKey)?.length ?? 0) > 0;
  }

  sessions(clientKey: string): readonly ServerSession[] {
    return this.sessionsByKey.get(clientKey) ?? [];
  }

  listClients(): string[] {
    return [...this.sessionsByKey.keys()];
  }

  /** Dials through the oldest session of `clientKey`, like Go's Server.Dialer. */
  dial(clientKey: string, proto: string, address: string): TunnelConnection {
    const session = this.sessionsByKey.get(clientKey)?.[0];
    if (!session) throw new Error(`failed to find Session for client ${clientKey}`);
    return session.dial(proto, address);
  }

  close(): void {
    for (const sessions of [...this.sessionsByKey.values()]) {
      for (const session of [...sessions]) session.close(new SessionClosedError('server shutting down'));
    }
    this.wss.close();
  }

  private async authorize(request: IncomingMessage): Promise<AuthResult | { status: number; body: string }> {
    try {
      const result = await this.options.authorize(request);
      if (!result.authed) return { status: 401, body: 'failed authentication' };
      return result;
    } catch (error) {
      return { status: 400, body: error instanceof Error ? error.message : String(error) };
    }
  }

  private addSession(clientKey: string, ws: WebSocket): void {
    const tap = this.options.tapFor ? this.options.tapFor(clientKey) : this.options.tap;
    const session = new ServerSession(clientKey, ws, { ...this.options, tap });
    const list = this.sessionsByKey.get(clientKey) ?? [];
    list.push(session);
    this.sessionsByKey.set(clientKey, list);
    session.once('close', (reason) => {
      const remaining = (this.sessionsByKey.get(clientKey) ?? []).filter((s) => s !== session);
      if (remaining.length > 0) this.sessionsByKey.set(clientKey, remaining);
      else this.sessionsByKey.delete(clientKey);
      this.emit('sessionClosed', session, reason);
    });
    this.emit('session', session);
  }
}

function writeRawResponse(socket: Duplex, status: number, body: string): void {
  const payload = Buffer.from(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${payload.length}\r\n` +
      'Connection: close\r\n\r\n' +
      payload.toString('latin1'),
    'latin1',
  );
}
