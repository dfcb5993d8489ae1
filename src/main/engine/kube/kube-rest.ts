/**
 * A thin JSON client for the main apiserver, on the credentials of a
 * @kubernetes/client-node KubeConfig. The generated client cannot choose
 * patch types per call or stream a watch without buffering, and the virtual
 * API needs raw forwarding anyway, so the engine speaks HTTP itself here:
 * keep-alive sockets with a bound, retries with backoff on conflicts,
 * throttling and server errors, and server-side apply for idempotent writes.
 */
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { createSecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { Http2StreamPool } from './http2-stream-pool';
import { isRetryable, KubeApiError } from './kube-api-error';

export const FIELD_MANAGER = 'scale-cluster-agent';

export interface KubeRequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Attempts in all, for retryable failures (default 5; 1 means no retry). */
  attempts?: number;
  timeoutMs?: number;
}

export interface KubeTlsMaterial {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  headers: Record<string, string>;
  rejectUnauthorized: boolean;
}

/** Counters of the engine's calls to the main apiserver (benchmarks and metrics read them). */
export interface KubeRestStats {
  requests: number;
  errors: number;
  retries: number;
  /** Answers that were 429 Too Many Requests (the apiserver throttled us). */
  throttled: number;
  /** Sum of request durations, ms (concurrent requests overlap). */
  totalMs: number;
}

export class KubeRest {
  readonly agent: Agent;
  /**
   * Watches hold a connection for minutes: they get their own unpooled
   * agent, so they can never starve ordinary requests of pooled sockets.
   */
  readonly watchAgent: Agent;
  /**
   * Watches forwarded for simulated clusters' clients, as HTTP/2 streams
   * sharing a few connections (https apiservers only; see http2-stream-pool.ts).
   */
  readonly watchStreams: Http2StreamPool | undefined;
  readonly stats: KubeRestStats = { requests: 0, errors: 0, retries: 0, throttled: 0, totalMs: 0 };

  constructor(
    readonly server: URL,
    readonly tls: KubeTlsMaterial,
    maxSockets = 32,
  ) {
    // One context for every connection: given bare ca/cert/key, each new
    // connection would parse them into a context (and OpenSSL state) of its own.
    const tlsOptions = {
      secureContext: createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key }),
      rejectUnauthorized: tls.rejectUnauthorized,
    };
    this.agent = new Agent({ keepAlive: true, maxSockets, ...tlsOptions });
    this.watchAgent = new Agent({ keepAlive: false, ...tlsOptions });
    this.watchStreams =
      server.protocol === 'https:' ? new Http2StreamPool({ origin: server, ...tlsOptions }) : undefined;
  }

  static async fromKubeConfig(kc: KubeConfig, maxSockets?: number): Promise<KubeRest> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    const tls: KubeTlsMaterial = {
      ca: opts.ca as string | Buffer | undefined,
      cert: opts.cert as string | Buffer | undefined,
      key: opts.key as string | Buffer | undefined,
      headers,
      rejectUnauthorized: !cluster.skipTLSVerify,
    };
    return new KubeRest(new URL(cluster.server), tls, maxSockets);
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
    this.watchStreams?.close();
  }

  /** Options for a raw request to the apiserver with the engine's credentials. */
  requestOptions(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    longRunning = false,
  ): RequestOptions {
    return {
      protocol: this.server.protocol,
      hostname: this.server.hostname,
      port: this.server.port,
      method,
      path,
      agent: longRunning ? this.watchAgent : this.agent,
      headers: { ...this.tls.headers, ...headers },
    };
  }

  async request<T = unknown>(method: string, path: string, options: KubeRequestOptions = {}): Promise<T> {
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      this.stats.requests++;
      try {
        return await this.once<T>(method, withQuery(path, options.query), options);
      } catch (err) {
        this.stats.errors++;
        if (err instanceof KubeApiError && err.status === 429) this.stats.throttled++;
        if (attempt >= attempts || !isRetryable(err)) throw err;
        this.stats.retries++;
        // Exponential backoff with full jitter: 100 ms, 200 ms, 400 ms, ... capped.
        const cap = Math.min(5000, 100 * 2 ** (attempt - 1));
        await new Promise((r) => setTimeout(r, Math.random() * cap));
      } finally {
        this.stats.totalMs += performance.now() - started;
      }
    }
  }

  get<T = unknown>(path: string, query?: KubeRequestOptions['query']): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  /**
   * Server-side apply: creates or converges the object to exactly these
   * fields under our field manager; running it twice changes nothing.
   */
  apply<T = unknown>(path: string, object: unknown): Promise<T> {
    return this.request<T>('PATCH', path, {
      body: object,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: FIELD_MANAGER, force: true },
    });
  }

  mergePatch<T = unknown>(path: string, patch: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body: patch, contentType: 'application/merge-patch+json' });
  }

  /** Opens a streaming GET (a watch); the caller reads the response. */
  stream(path: string, query: KubeRequestOptions['query'], signal?: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest({
        ...this.requestOptions('GET', withQuery(path, query), { accept: 'application/json' }),
        signal,
      });
      req.once('response', (res) => {
        if ((res.statusCode ?? 500) >= 400) {
          readAll(res).then((text) => reject(toApiError(res.statusCode ?? 500, text)), reject);
          return;
        }
        resolve(res);
      });
      req.once('error', reject);
      req.end();
    });
  }

  private once<T>(method: string, path: string, options: KubeRequestOptions): Promise<T> {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise<T>((resolve, reject) => {
      const req = httpsRequest(this.requestOptions(method, path, headers));
      req.setTimeout(options.timeoutMs ?? 30_000, () =>
        req.destroy(Object.assign(new Error(`${method} ${path} timed out`), { code: 'ETIMEDOUT' })),
      );
      req.once('response', (res) => {
        readAll(res).then((text) => {
          const status = res.statusCode ?? 500;
          if (status >= 400) return reject(toApiError(status, text));
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch {
            reject(new KubeApiError(status, 'BadResponse', `${method} ${path}: answer is not JSON`));
          }
        }, reject);
      });
      req.once('error', reject);
      req.end(body);
    });
  }
}

function withQuery(path: string, query: KubeRequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
  });
}

function toApiError(status: number, text: string): KubeApiError {
  try {
    const s = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(status, s.reason ?? '', s.message ?? text);
  } catch {
    return new KubeApiError(status, '', text.slice(0, 300) || `HTTP ${status}`);
  }
}
