/**
 * Web mode's EngineClient: the channel map over the /api/ws WebSocket. It
 * reconnects on its own; calls made while disconnected wait for the socket,
 * and `onConnection` tells the UI so it can refetch after a gap.
 */
import type {
  EngineClient,
  EventChannel,
  EventChannels,
  RequestChannel,
  RequestOf,
  ResponseOf,
} from '../../../shared/channels';
import type { CallMessage, EventMessage, ResultMessage } from '../../../shared/wire';
import { EngineCallError } from './engine-call-error';

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

export class WsEngineClient implements EngineClient {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: string[] = [];
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private retryMs = 250;

  constructor(private readonly url: string) {
    this.open();
  }

  call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
    const id = this.nextId++;
    const message: CallMessage = { type: 'call', id, channel, request };
    return new Promise<ResponseOf<C>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const text = JSON.stringify(message);
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(text);
      else this.queue.push(text);
    });
  }

  on<E extends EventChannel>(channel: E, listener: (payload: EventChannels[E]) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  onConnection(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  private open(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 250;
      for (const text of this.queue.splice(0)) socket.send(text);
      this.connectionListeners.forEach((l) => l(true));
    };
    socket.onmessage = (event) => this.onMessage(String(event.data));
    socket.onclose = () => {
      this.connectionListeners.forEach((l) => l(false));
      // Calls in flight on a dead socket will never be answered.
      for (const [id, p] of this.pending) {
        p.reject(new EngineCallError('unavailable', 'lost connection to the agent'));
        this.pending.delete(id);
      }
      setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    };
  }

  private onMessage(text: string): void {
    const message = JSON.parse(text) as ResultMessage | EventMessage;
    if (message.type === 'event') {
      this.listeners.get(message.channel)?.forEach((l) => l(message.payload));
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new EngineCallError(message.error.code, message.error.message));
  }
}
