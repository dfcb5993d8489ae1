/**
 * Headless mode's server: the REST API, the web UI's WebSocket bridge at
 * /api/ws, and the built renderer, all on one port (127.0.0.1:9090 by default).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Engine } from '../engine';
import type { Logger } from '../telemetry/logger';
import { checkListenPolicy, isAuthorized } from './access-guard';
import { sendJson, sendText } from './http-utils';
import { handleRestRequest } from './rest-api';
import { serveStatic } from './static-files';
import { attachWsBridge } from './ws-bridge';

export interface WebServerOptions {
  engine: Engine;
  logger: Logger;
  host: string;
  port: number;
  accessToken: string;
  /** Folder of the built renderer; undefined serves a hint instead of the UI. */
  rendererDir: string | undefined;
}

export interface RunningWebServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** The built UI's files: the page, its hashed assets and icon (what a browser loads before it can send the token). */
function isUiFile(path: string): boolean {
  return path === '/' || path === '/index.html' || path === '/favicon.ico' || path.startsWith('/assets/');
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const { engine, logger } = options;
  checkListenPolicy(options.host, options.accessToken);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  attachWsBridge(wss, engine, logger);

  const server = createServer((req, res) => {
    if (!isAuthorized(req, options.accessToken)) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const read = req.method === 'GET' || req.method === 'HEAD';
      // The health check tells nothing but "up", so probes (Kubernetes, a container's HEALTHCHECK) need no
      // token. Nor do the web UI's own files: they hold no data, and a browser opened on /?token=... asks
      // for the page's script and style without it. Everything with data or effects (REST, /api/ws) does.
      if (read && path === '/healthz') sendText(res, 200, 'ok');
      else if (read && isUiFile(path)) serveStatic(options.rendererDir, req, res);
      else sendJson(res, 401, { success: false, error: 'unauthorized', message: 'access token required' });
      return;
    }
    handleRestRequest(engine, req, res)
      .then((handled) => {
        if (!handled) serveStatic(options.rendererDir, req, res);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'request failed');
        if (!res.headersSent)
          sendJson(res, 500, { success: false, error: 'internal', message: 'internal error' });
      });
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/api/ws' || !isAuthorized(req, options.accessToken)) {
      socket.end(
        `HTTP/1.1 ${path === '/api/ws' ? '401 Unauthorized' : '404 Not Found'}\r\nconnection: close\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
