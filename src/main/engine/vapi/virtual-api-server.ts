/**
 * Serves every simulated cluster's API in-process. A tunnelled connection
 * (any Duplex: what a remotedialer Connect yields) or a local TCP socket is
 * wrapped in TLS with that cluster's certificate and handed to one shared
 * HTTP/1.1 server, which knows the cluster from the socket. No loopback hop
 * and no port per cluster on Rancher's path; a local port per cluster is
 * optional, for kubectl, Lens or k9s.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { stringify as toYaml } from 'yaml';
import type { Logger } from '../telemetry/logger';
import { statusBody } from './kube-status';
import { ClusterIdentities } from './pki/cluster-identity';
import type { VirtualApiHandler } from './vapi-handler';
import type { ClusterAuthenticator } from './auth/cluster-authenticator';
import { InProcessKubeClient } from './in-process-client';

/** Sees each request served on one stream (the tunnel inspector's view inside the TLS). */
export type StreamRequestObserver = (req: IncomingMessage, res: ServerResponse) => void;

export interface LocalEndpoint {
  port: number;
  close(): Promise<void>;
}

export class VirtualApiServer {
  private readonly http: Server;
  private readonly clusterOf = new WeakMap<object, string>();
  private readonly observerOf = new WeakMap<object, StreamRequestObserver>();
  private readonly listeners = new Map<string, { server: NetServer; port: number; closing: boolean }>();
  private readonly sockets = new Set<TLSSocket>();
  private readonly internalClients = new Map<string, InProcessKubeClient>();
  private served = 0;

  constructor(
    private readonly handler: VirtualApiHandler,
    readonly identities: ClusterIdentities,
    readonly authenticator: ClusterAuthenticator,
    private readonly logger: Logger,
  ) {
    // Watches are long: no request timeout; idle keep-alive sockets close.
    this.http = createHttpServer(
      { requestTimeout: 0, headersTimeout: 30_000, keepAliveTimeout: 60_000 },
      (req, res) => {
        const cluster = this.clusterOf.get(req.socket);
        if (!cluster) {
          res.writeHead(500).end();
          return;
        }
        try {
          this.observerOf.get(req.socket)?.(req, res);
        } catch {
          // An inspector bug must never break a request.
        }
        void this.handler.handle(cluster, req, res);
      },
    );
    // exec, attach and port-forward upgrade the connection; simulated pods have nothing behind them.
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      const body = statusBody(
        400,
        'exec, attach and port-forward are not supported by simulated clusters: their pods have no processes',
      );
      socket.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      void req;
    });
  }

  /** Serves one connection for `cluster` (TLS is terminated here); `observe` sees its requests. */
  async serveStream(cluster: string, stream: Duplex, observe?: StreamRequestObserver): Promise<void> {
    const secureContext = await this.identities.secureContext(cluster);
    const tls = new TLSSocket(stream as Socket, {
      isServer: true,
      secureContext,
      ALPNProtocols: ['http/1.1'],
    });
    this.served++;
    this.clusterOf.set(tls, cluster);
    if (observe) this.observerOf.set(tls, observe);
    this.sockets.add(tls);
    tls.once('close', () => this.sockets.delete(tls));
    tls.on('error', (err) => {
      this.logger.debug({ cluster, err }, 'virtual API connection error');
      tls.destroy();
    });
    this.http.emit('connection', tls);
  }

  /** A local TCP endpoint for `cluster` on 127.0.0.1 (port 0: any free one, so no race). */
  /**
   * A local TCP endpoint for `cluster` on 127.0.0.1 (port 0: any free one, so
   * no race). A listener that dies unasked is started again on the same port
   * (or a new one if that is taken), and `onLocalPort` reports the port so it
   * is recorded.
   */
  async listenLocal(cluster: string, port = 0): Promise<LocalEndpoint> {
    const existing = this.listeners.get(cluster);
    if (existing) return { port: existing.port, close: () => this.closeLocal(cluster) };
    const server = createNetServer(
      (socket) => void this.serveStream(cluster, socket).catch(() => socket.destroy()),
    );
    const bound = await listenOn(server, port).catch((err: NodeJS.ErrnoException) => {
      if (port !== 0 && err.code === 'EADDRINUSE') return listenOn(server, 0);
      throw err;
    });
    const entry = { server, port: bound, closing: false };
    this.listeners.set(cluster, entry);
    server.on('error', (err) => this.logger.warn({ cluster, err }, 'local API endpoint failed'));
    server.once('close', () => {
      if (entry.closing || this.listeners.get(cluster) !== entry) return;
      this.listeners.delete(cluster);
      this.logger.warn(
        { cluster, port: bound },
        `Local API endpoint of ${cluster} stopped unexpectedly: starting it again`,
      );
      setTimeout(() => {
        this.listenLocal(cluster, bound).catch((err: unknown) =>
          this.logger.error({ cluster, err }, `could not restart the local API endpoint of ${cluster}`),
        );
      }, 200);
    });
    this.logger.info(
      { cluster, port: bound },
      `Starting local API endpoint for cluster ${cluster} on 127.0.0.1:${bound}`,
    );
    this.onLocalPort?.(cluster, bound);
    return { port: bound, close: () => this.closeLocal(cluster) };
  }

  /** Reports the port of a (re)started local endpoint, to be recorded in state. */
  onLocalPort: ((cluster: string, port: number) => void) | undefined;

  /** Fault injection: the listener dies as if from outside (it is restarted). */
  killLocalListener(cluster: string): boolean {
    const entry = this.listeners.get(cluster);
    entry?.server.close();
    return entry !== undefined;
  }

  /** TLS connections the virtual API is serving now, all clusters (a leak shows here first). */
  /** TLS connections served since start (tunnelled, local and the engine's own). */
  get connectionsServed(): number {
    return this.served;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  localPort(cluster: string): number | undefined {
    return this.listeners.get(cluster)?.port;
  }

  async closeLocal(cluster: string): Promise<void> {
    const l = this.listeners.get(cluster);
    if (!l) return;
    l.closing = true;
    this.listeners.delete(cluster);
    await new Promise<void>((resolve) => l.server.close(() => resolve()));
  }

  /** The engine's own client of a cluster's API (in memory, TLS verified, its own token, never persisted). */
  internalClient(cluster: string): InProcessKubeClient {
    let client = this.internalClients.get(cluster);
    if (!client) {
      client = new InProcessKubeClient(this, cluster, this.authenticator.mintToken(cluster, false));
      this.internalClients.set(cluster, client);
    }
    return client;
  }

  /** Forgets a deleted cluster: its certificate, tokens and endpoint. */
  async forgetCluster(cluster: string): Promise<void> {
    this.internalClients.get(cluster)?.close();
    this.internalClients.delete(cluster);
    this.authenticator.revokeCluster(cluster);
    this.identities.forget(cluster);
    await this.closeLocal(cluster);
  }

  /** A kubeconfig for the cluster's local endpoint, with a token minted for it. */
  async kubeconfig(cluster: string): Promise<string> {
    const { port } = await this.listenLocal(cluster);
    const token = this.authenticator.mintToken(cluster);
    return toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: cluster,
          cluster: {
            server: `https://127.0.0.1:${port}`,
            'certificate-authority-data': Buffer.from(this.identities.caPem).toString('base64'),
          },
        },
      ],
      users: [{ name: `${cluster}-admin`, user: { token } }],
      contexts: [{ name: cluster, context: { cluster, user: `${cluster}-admin` } }],
      'current-context': cluster,
    });
  }

  async close(): Promise<void> {
    for (const cluster of [...this.listeners.keys()]) await this.closeLocal(cluster);
    for (const s of this.sockets) s.destroy();
    this.http.close();
  }
}

function listenOn(server: NetServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}
