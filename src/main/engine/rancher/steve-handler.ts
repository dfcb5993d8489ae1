/**
 * What a cluster's Steve tunnel serves. Rancher's agent runs Steve in-process
 * and serves every Connect on that tunnel from it, whatever the address; so do
 * we, from this small HTTP handler. `/ping` answers `pong` (Rancher's
 * `not-used:80` health check every 15 s, which decides Connected); other
 * paths answer a clear 404 until a Steve subset is served.
 */
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export class SteveHandler {
  private readonly server: Server;
  pings = 0;
  /** Which cluster each tunnelled connection belongs to (one server serves them all). */
  private readonly clusterOf = new WeakMap<object, string>();
  /** When Rancher last pinged each cluster (ms since epoch): its "last ping" in the UI. */
  private readonly lastPing = new Map<string, number>();

  constructor() {
    this.server = createServer({ requestTimeout: 30_000 }, (req, res) => {
      const path = new URL(req.url ?? '/', 'http://steve').pathname;
      if (path === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) {
        this.pings++;
        const cluster = this.clusterOf.get(req.socket);
        if (cluster) this.lastPing.set(cluster, Date.now());
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 4 });
        res.end('pong');
        return;
      }
      const body = JSON.stringify({
        type: 'error',
        status: 404,
        code: 'NotFound',
        message: `${path} is not served by simulated clusters (only /ping is, for Rancher's health check)`,
      });
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  }

  /** Serves one tunnelled connection of a cluster (plain HTTP/1.1, as Rancher speaks it on this tunnel). */
  serve(stream: Duplex, cluster: string): void {
    this.clusterOf.set(stream, cluster);
    this.server.emit('connection', stream as Socket);
  }

  /** Last /ping per cluster, as ISO times. */
  lastPings(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [cluster, at] of this.lastPing) out[cluster] = new Date(at).toISOString();
    return out;
  }

  forget(cluster: string): void {
    this.lastPing.delete(cluster);
  }

  close(): void {
    this.server.close();
  }
}
