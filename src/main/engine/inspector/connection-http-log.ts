/**
 * The main tunnel carries TLS, which the virtual API terminates in memory.
 * This log is how the inspector learns what travelled inside: the dial of a
 * main-tunnel connection (which knows the remotedialer connID) hands the
 * virtual API an observer for that one stream, and every HTTP request the
 * virtual API then serves on it is noted under (cluster, connID).
 *
 * It runs for every cluster, inspected or not, because Rancher's long watches
 * are opened long before anyone looks; the cost is one small object per
 * request and one map entry per open connection that has made a request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { maskSecrets } from '../telemetry/logger';

/** Called by the virtual API for each request on an observed connection. */
export type RequestObserver = (req: IncomingMessage, res: ServerResponse) => void;

const MAX_PATH_CHARS = 200;

/** One request and its answer, as the virtual API saw them. */
export class HttpExchange {
  readonly method: string;
  readonly path: string;
  private response: ServerResponse | undefined;
  private finalStatus: number | undefined;
  private ended = false;
  private described: string | undefined;

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.method = req.method ?? 'GET';
    const url = req.url ?? '/';
    this.path = maskSecrets(url.length > MAX_PATH_CHARS ? `${url.slice(0, MAX_PATH_CHARS - 1)}…` : url);
    this.response = res;
    res.once('close', () => {
      this.finalStatus = res.headersSent ? res.statusCode : undefined;
      this.ended = true;
      // The response object is not kept once it is over.
      this.response = undefined;
    });
  }

  /** The status code once the answer's headers went out. */
  get status(): number | undefined {
    if (this.finalStatus !== undefined) return this.finalStatus;
    return this.response?.headersSent ? this.response.statusCode : undefined;
  }

  /** `GET /api/v1/nodes?watch=true → 200` (no status yet: no arrow). */
  describe(): string {
    if (this.described) return this.described;
    const status = this.status;
    const text = `${this.method} ${this.path}${status !== undefined ? ` → ${status}` : this.ended ? ' → no answer' : ''}`;
    // Final once answered: later calls are free.
    if (this.ended || status !== undefined) this.described = text;
    return text;
  }
}

interface ObservedConnection {
  current: HttpExchange;
  requests: number;
}

export class ConnectionHttpLog {
  private readonly byCluster = new Map<string, Map<string, ObservedConnection>>();
  /** Every new exchange (the inspector routes it to a recording, if there is one). */
  onExchange: ((cluster: string, connId: string, exchange: HttpExchange) => void) | undefined;

  /** The observer for one main-tunnel connection. */
  observer(cluster: string, connId: bigint): RequestObserver {
    const id = connId.toString();
    let observed: ObservedConnection | undefined;
    return (req, res) => {
      const exchange = new HttpExchange(req, res);
      if (!observed) {
        const entry: ObservedConnection = { current: exchange, requests: 0 };
        observed = entry;
        let connections = this.byCluster.get(cluster);
        if (!connections) this.byCluster.set(cluster, (connections = new Map()));
        connections.set(id, entry);
        req.socket.once('close', () => this.remove(cluster, id, entry));
      }
      observed.current = exchange;
      observed.requests++;
      this.onExchange?.(cluster, id, exchange);
    };
  }

  /** The latest exchange on an open connection. */
  current(cluster: string, connId: string): HttpExchange | undefined {
    return this.byCluster.get(cluster)?.get(connId)?.current;
  }

  /** Open connections being tracked (for tests and counters). */
  size(cluster?: string): number {
    if (cluster !== undefined) return this.byCluster.get(cluster)?.size ?? 0;
    let n = 0;
    for (const connections of this.byCluster.values()) n += connections.size;
    return n;
  }

  forget(cluster: string): void {
    this.byCluster.delete(cluster);
  }

  private remove(cluster: string, id: string, entry: ObservedConnection): void {
    const connections = this.byCluster.get(cluster);
    if (connections?.get(id) !== entry) return;
    connections.delete(id);
    if (connections.size === 0) this.byCluster.delete(cluster);
  }
}
