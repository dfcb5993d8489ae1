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

  constructor() {
    this.server = createServer({ requestTimeout: 30_000 }, (req, res) => {
      const path = new URL(req.url ?? '/', 'http://steve').pathname;
      if (path === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) {
        this.pings++;
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

  /** Serves one tunnelled connection (plain HTTP/1.1, as Rancher speaks it on this tunnel). */
  serve(stream: Duplex): void {
    this.server.emit('connection', stream as Socket);
  }

  close(): void {
    this.server.close();
  }
}
