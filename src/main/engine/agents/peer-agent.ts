/**
 * One connection to another agent: its /api/ws channel map, as the web UI
 * uses it, with the access token sent as a bearer header. Calls wait for
 * the socket (up to a limit); the connection reopens on its own with
 * backoff; events are handed to the owner as they arrive.
 */
import WebSocket from 'ws';
import type { EventChannel, RequestChannel } from '../../../shared/channels';
import { EngineError, type EngineErrorCode } from '../../../shared/errors';
import type { CallMessage, EventMessage, ResultMessage } from '../../../shared/wire';

/** A call that gets no answer in this time fails rather than hang a screen. */
const CALL_TIMEOUT_MS = 60_000;
/** First connection (adding an agent): how long before "nothing answers". */
const CONNECT_TIMEOUT_MS = 5_000;
const MAX_RETRY_MS = 10_000;

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

export interface PeerAgentOptions {
  name: string;
  url: string;
  token: string;
  onEvent(channel: EventChannel, payload: unknown): void;
  onState(): void;
}

export class PeerAgent {
  connected = false;
  error: string | undefined;
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private retryMs = 500;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: PeerAgentOptions) {}

  get name(): string {
    return this.options.name;
  }

  get url(): string {
    return this.options.url;
  }

  /** Opens the connection; resolves once it is up, rejects with why it is not (after the first try). */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new EngineError(
              'unavailable',
              `${this.options.url} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`,
            ),
          ),
        CONNECT_TIMEOUT_MS,
      );
      this.open((err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  call(channel: RequestChannel, request: unknown): Promise<unknown> {
    if (!this.connected || !this.socket)
      return Promise.reject(
        new EngineError(
          'unavailable',
          `agent ${this.options.name} is not connected${this.error ? `: ${this.error}` : ''}`,
        ),
      );
    const id = this.nextId++;
    const message: CallMessage = { type: 'call', id, channel, request: request as never };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new EngineError(
            'unavailable',
            `agent ${this.options.name} did not answer ${channel} within ${CALL_TIMEOUT_MS / 1000} s`,
          ),
        );
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.socket!.send(JSON.stringify(message));
    });
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.terminate();
    this.failPending('the agent connection was closed');
  }

  private open(firstResult?: (err?: Error) => void): void {
    if (this.closed) return;
    const wsUrl = new URL('/api/ws', this.options.url);
    wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    const headers: Record<string, string> = this.options.token
      ? { authorization: `Bearer ${this.options.token}` }
      : {};
    const socket = new WebSocket(wsUrl, { headers, maxPayload: 64 * 1024 * 1024 });
    this.socket = socket;
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      firstResult?.(err);
    };
    socket.on('open', () => {
      this.retryMs = 500;
      this.connected = true;
      this.error = undefined;
      this.options.onState();
      settle();
    });
    socket.on('unexpected-response', (_req, res) => {
      this.error =
        res.statusCode === 401
          ? 'the agent refused the access token (give the one it was started with, SCALE_AGENT_ACCESS_TOKEN)'
          : `the agent answered HTTP ${res.statusCode} instead of opening its channel`;
      settle(
        new EngineError(
          res.statusCode === 401 ? 'invalid' : 'unavailable',
          `${this.options.url}: ${this.error}`,
        ),
      );
      socket.terminate();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!this.error || this.connected)
        this.error = err.code === 'ECONNREFUSED' ? `nothing answers at ${this.options.url}` : err.message;
      settle(new EngineError('unavailable', `${this.options.url}: ${this.error}`));
    });
    socket.on('message', (data) => this.onMessage(String(data)));
    socket.on('close', () => {
      const was = this.connected;
      this.connected = false;
      if (was && !this.error) this.error = 'connection lost; reconnecting';
      this.failPending(`lost the connection to agent ${this.options.name}`);
      this.options.onState();
      settle(new EngineError('unavailable', `${this.options.url}: ${this.error ?? 'connection closed'}`));
      if (this.closed) return;
      this.retryTimer = setTimeout(() => this.open(), this.retryMs);
      this.retryTimer.unref();
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    });
  }

  private onMessage(text: string): void {
    let message: ResultMessage | EventMessage;
    try {
      message = JSON.parse(text) as ResultMessage | EventMessage;
    } catch {
      return; // not ours to judge: a peer of another version; the call times out
    }
    if (message.type === 'event') {
      this.options.onEvent(message.channel, message.payload);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new EngineError(message.error.code as EngineErrorCode, message.error.message));
  }

  private failPending(why: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new EngineError('unavailable', why));
      this.pending.delete(id);
    }
  }
}
