/**
 * What a cluster's Steve tunnel serves. Rancher's agent runs Steve in-process
 * and serves every Connect on that tunnel from it, whatever the address; so do
 * we, from this HTTP handler. `/ping` answers `pong` (Rancher's `not-used:80`
 * health check every 15 s, which decides Connected; plain ones are answered
 * without the HTTP server, see steve-ping.ts); `/v1/...` goes to the
 * Steve API the engine gives (src/main/engine/steve), which Rancher's cluster
 * explorer reads; other paths answer a clear 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { parsePlainPing, pongAnswer } from './steve-ping';

/** The Steve API's entry points, per cluster (given by the engine, so this folder does not import it). */
export interface SteveRoutes {
  handle(req: IncomingMessage, res: ServerResponse, cluster: string): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cluster: string): void;
  forget?(cluster: string): void;
}

export class SteveHandler {
  private readonly server: Server;
  pings = 0;
  /** Which cluster each tunnelled connection belongs to (one server serves them all). */
  private readonly clusterOf = new WeakMap<object, string>();
  /** When Rancher last pinged each cluster (ms since epoch): its "last ping" in the UI. */
  private readonly lastPing = new Map<string, number>();

  constructor(private readonly routes?: SteveRoutes) {
    // No request timeout: a list of a big cluster may take a while, and the tunnel bounds the connection.
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://steve').pathname;
      if (path === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) {
        const cluster = this.clusterOf.get(req.socket);
        if (cluster) this.pinged(cluster);
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 4 });
        res.end('pong');
        return;
      }
      const cluster = this.clusterOf.get(req.socket);
      if (this.routes && cluster && (path === '/v1' || path.startsWith('/v1/'))) {
        this.routes.handle(req, res, cluster);
        return;
      }
      const body = JSON.stringify({
        type: 'error',
        status: 404,
        code: 'NotFound',
        message: `${path} is not served by simulated clusters (only /ping and Steve's /v1 are)`,
      });
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const cluster = this.clusterOf.get(req.socket);
      if (this.routes && cluster) this.routes.upgrade(req, socket, head, cluster);
      else socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
  }

  /**
   * Serves one tunnelled connection of a cluster (plain HTTP/1.1, as Rancher
   * speaks it on this tunnel). Plain pings are answered here; the first
   * chunk that is anything else hands the connection to the HTTP server.
   */
  serve(stream: Duplex, cluster: string): void {
    this.clusterOf.set(stream, cluster);
    const ignoreError = (): void => {};
    const endOurs = (): void => {
      // The peer is done; a connection we already ended must not be ended twice.
      if (!stream.writableEnded) stream.end();
    };
    const onData = (chunk: Buffer): void => {
      const ping = parsePlainPing(chunk);
      if (ping) {
        this.pinged(cluster);
        stream.write(pongAnswer(ping));
        if (ping.close) stream.end();
        return;
      }
      stream.off('data', onData);
      stream.off('end', endOurs);
      stream.off('error', ignoreError);
      // Read again by the HTTP server, which takes over the connection from here.
      stream.unshift(chunk);
      this.server.emit('connection', stream as Socket);
    };
    stream.on('data', onData);
    stream.once('end', endOurs);
    // A tunnel torn down mid-ping destroys the stream; nothing here needs telling.
    stream.on('error', ignoreError);
  }

  private pinged(cluster: string): void {
    this.pings++;
    this.lastPing.set(cluster, Date.now());
  }

  /** Last /ping per cluster, as ISO times. */
  lastPings(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [cluster, at] of this.lastPing) out[cluster] = new Date(at).toISOString();
    return out;
  }

  forget(cluster: string): void {
    this.lastPing.delete(cluster);
    this.routes?.forget?.(cluster);
  }

  close(): void {
    this.server.close();
  }
}
