/**
 * A client of one simulated cluster's API that never leaves the process:
 * an in-memory stream pair, TLS verified against the cluster's CA and
 * advertised name, and a bearer token, exactly the path a tunnelled request
 * from Rancher takes. The import flow uses it to apply Rancher's manifest
 * "as a user would kubectl apply it".
 *
 * Requests share kept-alive connections, as kubectl's do: a TLS handshake
 * costs ten times the CPU of a small request over a connection already open
 * (about 1.7 ms against 0.15 ms here), and an import makes a few dozen
 * requests. A connection left idle closes after a moment, so an idle
 * cluster keeps none.
 */
import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { linkedDuplexPair } from '../util/linked-duplex-pair';
import { advertisedHost } from './pki/cluster-identity';
import type { VirtualApiServer } from './virtual-api-server';

export interface InProcessResponse<T = unknown> {
  status: number;
  body: T;
}

/** How long a connection may sit idle before it closes (the import's requests come back to back). */
export const IDLE_CONNECTION_MS = 2_000;
/** Connections at once per cluster; more requests wait for one. */
const MAX_CONNECTIONS = 4;

export class InProcessKubeClient {
  private readonly agent: Agent;

  constructor(
    private readonly vapi: VirtualApiServer,
    readonly cluster: string,
    private readonly token: string,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: MAX_CONNECTIONS, timeout: IDLE_CONNECTION_MS });
    // The agent's connections are ours, in memory, already TLS.
    this.agent.createConnection = () => this.connect();
  }

  /** Closes the idle connections now (the cluster is being forgotten). */
  close(): void {
    this.agent.destroy();
  }

  /**
   * A long-running GET (a watch): chunks as they come, until close(). onEnd
   * hears the end, whoever caused it (the status is 0 when no answer came).
   */
  stream(
    path: string,
    onChunk: (text: string) => void,
    options: { accept?: string; onEnd?: (status: number) => void } = {},
  ): { close(): void } {
    let status = 0;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      options.onEnd?.(status);
    };
    const req = httpRequest(
      {
        createConnection: () => this.connect(),
        method: 'GET',
        path,
        headers: this.headers(options.accept),
      },
      (res) => {
        status = res.statusCode ?? 0;
        res.on('data', (c: Buffer) => onChunk(c.toString('utf8')));
        res.on('error', end);
        res.on('close', end);
      },
    );
    req.on('error', end);
    req.on('close', () => {
      if (!status) end();
    });
    req.end();
    return { close: () => req.destroy() };
  }

  private headers(accept = 'application/json'): Record<string, string> {
    return {
      host: advertisedHost(this.cluster),
      authorization: `Bearer ${this.token}`,
      accept,
    };
  }

  /** Plain http runs over this socket, which is already TLS (ours, in memory). */
  private connect(): Socket {
    // Linked: the HTTP client destroys its socket after each answer, and the
    // virtual API's end of the pair must close with it, not wait forever.
    const [server, client] = linkedDuplexPair();
    this.vapi.serveStream(this.cluster, server).catch((err: unknown) => client.destroy(err as Error));
    return tlsConnect({
      socket: client as unknown as Socket,
      secureContext: this.vapi.identities.clientContext(),
      servername: advertisedHost(this.cluster),
      ALPNProtocols: ['http/1.1'],
    });
  }

  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    accept?: string,
  ): Promise<InProcessResponse<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = this.headers(accept);
    if (payload !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest({ agent: this.agent, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T });
        });
        res.on('error', reject);
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.once('error', reject);
      req.end(payload);
    });
  }
}
