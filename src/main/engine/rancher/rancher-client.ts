/**
 * Rancher's v3 API, as the agent needs it: create (or adopt) an imported
 * cluster, find clusters by name through every page, get a registration
 * token and wait for its manifest URL, download the manifest, delete.
 * Authenticates with the API token (`Bearer token-xxxxx:secret`), verifies
 * Rancher's certificate against the system roots or a configured CA (an
 * explicit insecure mode exists, off by default), retries 5xx and network
 * failures with backoff, and says clearly what a 401, 403 or 404 means.
 */
import { Agent, request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { abortableSleep as sleep } from './abortable-sleep';
import { describeNetworkError, RancherError } from './rancher-errors';
import { userAgent } from './user-agent';

export interface RancherClientOptions {
  url: string;
  token: string;
  /** PEM of the CA that signs Rancher's certificate (added to the system roots). */
  caPem?: string;
  insecure?: boolean;
  timeoutMs?: number;
  attempts?: number;
}

export interface RancherCluster {
  id: string;
  name: string;
  state?: string;
  [field: string]: unknown;
}

export interface RegistrationToken {
  id: string;
  token: string;
  clusterId: string;
  manifestUrl: string;
}

export interface RegistrationTokenOptions {
  /**
   * How long POST /v3/clusterregistrationtokens is retried while Rancher
   * answers 404 for the cluster's namespace, which it creates asynchronously
   * after POST /v3/clusters returned.
   */
  namespaceWaitMs?: number;
  /** How long to wait for Rancher to fill the token's manifestUrl. */
  manifestWaitMs?: number;
  /** Where waiting for the namespace is reported (the import step's progress). */
  onProgress?: (text: string) => void;
  signal?: AbortSignal;
  /** Delay before POST attempt `attempt + 1` (tests shorten it). */
  retryDelayMs?: (attempt: number) => number;
}

/** Backoff between registration-token POSTs: 0.5, 1, 2, 4 s, then 5 s, each 50-100 % of that. */
function namespaceRetryDelay(attempt: number): number {
  return Math.min(5000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
}

/**
 * Rancher's answer while a new cluster's namespace does not exist yet
 * (`namespaces "c-xxxxx" not found`, HTTP 404): the cluster is fine, its
 * namespace is still being made.
 */
export function isNamespaceMissing(err: unknown, clusterId: string): boolean {
  if (!(err instanceof RancherError) || err.status !== 404) return false;
  const id = clusterId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`namespaces(\\.[a-z.]+)? "?${id}"? not found`, 'i').test(err.rancherMessage);
}

interface Collection<T> {
  data: T[];
  pagination?: { next?: string };
}

export class RancherClient {
  readonly baseUrl: URL;
  private readonly agent: Agent | undefined;
  /** What Rancher's certificate is verified against (https only). */
  private readonly secureContext: SecureContext | undefined;

  constructor(private readonly options: RancherClientOptions) {
    this.baseUrl = new URL(options.url);
    if (this.baseUrl.protocol === 'https:') {
      // Node's default roots plus the configured CA, in one context made once
      // and shared by every connection, the tunnels' included: given as \`ca\`,
      // each connection would parse ~150 PEM roots into a context of its own.
      this.secureContext = createSecureContext(
        options.caPem ? { ca: [...rootCertificateList(), options.caPem] } : {},
      );
      this.agent = new Agent({
        keepAlive: true,
        maxSockets: 16,
        secureContext: this.secureContext,
        rejectUnauthorized: !options.insecure,
      });
    }
  }

  /** TLS options for the tunnels' WebSockets, the same trust as the API's. */
  tlsOptions(): { secureContext?: SecureContext; rejectUnauthorized: boolean } {
    return {
      ...(this.secureContext ? { secureContext: this.secureContext } : {}),
      rejectUnauthorized: !this.options.insecure,
    };
  }

  /** wss://host[:port] of Rancher: tunnels drop any path in the server URL. */
  websocketBase(): string {
    return `${this.baseUrl.protocol === 'https:' ? 'wss' : 'ws'}://${this.baseUrl.host}`;
  }

  async createCluster(name: string): Promise<RancherCluster> {
    try {
      return await this.call<RancherCluster>('POST', '/v3/clusters', { type: 'cluster', name });
    } catch (err) {
      if (err instanceof RancherError && err.status === 422 && err.rancherCode === 'NotUnique') {
        const existing = await this.findClusterByName(name);
        if (existing) return existing;
      }
      throw err;
    }
  }

  async findClusterByName(name: string): Promise<RancherCluster | undefined> {
    const all = await this.listAll<RancherCluster>(`/v3/clusters?name=${encodeURIComponent(name)}`);
    return all.find((c) => c.name === name);
  }

  /** Every cluster, following pagination to the end (the seed read only the first page). */
  listClusters(): Promise<RancherCluster[]> {
    return this.listAll<RancherCluster>('/v3/clusters?limit=1000');
  }

  async getCluster(id: string): Promise<RancherCluster | undefined> {
    try {
      return await this.call<RancherCluster>('GET', `/v3/clusters/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err instanceof RancherError && err.status === 404) return undefined;
      throw err;
    }
  }

  async deleteCluster(id: string): Promise<void> {
    try {
      await this.call('DELETE', `/v3/clusters/${encodeURIComponent(id)}`);
    } catch (err) {
      if (!(err instanceof RancherError && err.status === 404)) throw err;
    }
  }

  /**
   * The cluster's registration token once Rancher has filled its manifest
   * URL: one Rancher already has for the cluster (made by an earlier attempt
   * or by Rancher itself) is reused, otherwise one is made. A new cluster's
   * namespace appears a moment after POST /v3/clusters returns; until it
   * does Rancher answers the token POST with 404 `namespaces "c-xxxxx" not
   * found`, which is retried with backoff for `namespaceWaitMs`.
   */
  async registrationToken(
    clusterId: string,
    options: RegistrationTokenOptions = {},
  ): Promise<RegistrationToken> {
    const { signal, onProgress } = options;
    const namespaceWaitMs = options.namespaceWaitMs ?? 60_000;
    const manifestWaitMs = options.manifestWaitMs ?? 60_000;
    const retryDelay = options.retryDelayMs ?? namespaceRetryDelay;
    const path = `/v3/clusterregistrationtokens?clusterId=${encodeURIComponent(clusterId)}`;
    const list = async (): Promise<RegistrationToken[]> => {
      try {
        return await this.listAll<RegistrationToken>(path);
      } catch (err) {
        if (isNamespaceMissing(err, clusterId)) return [];
        throw err;
      }
    };
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      if ((await list()).some((t) => t.token)) break;
      signal?.throwIfAborted();
      try {
        await this.call('POST', '/v3/clusterregistrationtokens', {
          type: 'clusterRegistrationToken',
          clusterId,
        });
        break;
      } catch (err) {
        if (!isNamespaceMissing(err, clusterId)) throw err;
        const waited = Date.now() - started;
        const delay = Math.min(retryDelay(attempt), Math.max(0, namespaceWaitMs - waited));
        if (waited >= namespaceWaitMs) {
          throw new RancherError(
            `Rancher did not create the namespace of cluster ${clusterId} within ${seconds(namespaceWaitMs)}: ` +
              `POST /v3/clusterregistrationtokens answered 404 (${(err as RancherError).rancherMessage}) ${attempt} times. ` +
              'Rancher may be overloaded; RancherNamespaceWaitSeconds sets how long to wait',
            404,
            (err as RancherError).rancherCode,
            (err as RancherError).rancherMessage,
          );
        }
        onProgress?.(
          `waiting for Rancher to create namespace ${clusterId} (POST /v3/clusterregistrationtokens: 404, ` +
            `attempt ${attempt}, ${seconds(waited)} of ${seconds(namespaceWaitMs)})`,
        );
        await sleep(delay, signal);
      }
    }
    const deadline = Date.now() + manifestWaitMs;
    for (;;) {
      const ready = (await list()).find((t) => t.token && t.manifestUrl);
      if (ready) return ready;
      if (Date.now() > deadline) {
        throw new RancherError(
          `Rancher has not filled the registration token's manifestUrl for ${clusterId} after ${seconds(manifestWaitMs)}: ` +
            "is Rancher's server-url setting set?",
        );
      }
      signal?.throwIfAborted();
      await sleep(500, signal);
    }
  }

  /** The import manifest: from Rancher itself, with the same TLS trust (no credentials needed). */
  async downloadManifest(manifestUrl: string): Promise<string> {
    const url = new URL(manifestUrl);
    // Rancher builds the URL from its server-url setting; fetch it from the server we talk to.
    const path = url.pathname + url.search;
    const { status, body } = await this.send('GET', path, undefined, false);
    // The URL embeds the registration token: errors name it without the token.
    const shown = `${url.origin}${url.pathname.replace(/\/import\/[^/]*_/, '/import/[token]_')}`;
    if (status === 404)
      throw new RancherError(
        `Rancher no longer has the import manifest ${shown} (404): the cluster or its registration token is gone`,
        404,
      );
    if (status >= 400)
      throw new RancherError(`downloading the import manifest ${shown} failed with HTTP ${status}`, status);
    return body;
  }

  async caCerts(): Promise<string> {
    const s = await this.call<{ value?: string }>('GET', '/v3/settings/cacerts', undefined, false);
    return s.value ?? '';
  }

  /**
   * One authenticated GET, not retried, answering Rancher's raw status and
   * body and throwing the raw network or TLS error: for "test connection",
   * where exactly what failed is the answer.
   */
  probe(path: string): Promise<{ status: number; body: string }> {
    return this.send('GET', path, undefined, true);
  }

  /** Closes the kept-alive sockets (a client made for one check). */
  close(): void {
    this.agent?.destroy();
  }

  private async listAll<T>(first: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = first;
    for (let page = 0; next && page < 10_000; page++) {
      const c: Collection<T> = await this.call<Collection<T>>('GET', next);
      items.push(...(c.data ?? []));
      next = c.pagination?.next ? pathOf(c.pagination.next) : undefined;
    }
    return items;
  }

  private async call<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
    const attempts = this.options.attempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      try {
        const { status, body: text } = await this.send(method, path, body, auth);
        if (status >= 400) throw this.httpError(method, path, status, text);
        return (text ? JSON.parse(text) : {}) as T;
      } catch (err) {
        const e = err instanceof RancherError ? err : describeNetworkError(this.options.url, err);
        if (attempt >= attempts || !e.retryable || e.message.includes('certificate')) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(8000, 500 * 2 ** attempt)));
      }
    }
  }

  private httpError(method: string, path: string, status: number, text: string): RancherError {
    let code = '';
    let message = text.slice(0, 300);
    try {
      const j = JSON.parse(text) as { code?: string; message?: string };
      code = j.code ?? '';
      message = j.message ?? message;
    } catch {
      // not JSON
    }
    const where = `${method} ${path.split('?')[0]}`;
    if (status === 401)
      return new RancherError(
        `Rancher refused the API token (401 on ${where}): check BearerToken / RANCHER_TOKEN`,
        status,
        code,
        message,
      );
    if (status === 403)
      return new RancherError(
        `the API token may not do this in Rancher (403 on ${where}): it needs rights to create clusters`,
        status,
        code,
        message,
      );
    if (status === 404)
      return new RancherError(
        `not found in Rancher (404 on ${where})${message ? `: ${message}` : ''}`,
        status,
        code,
        message,
      );
    return new RancherError(
      `Rancher answered ${status} on ${where}${code ? ` (${code})` : ''}: ${message}`,
      status,
      code,
      message,
    );
  }

  private send(
    method: string,
    path: string,
    body: unknown,
    auth: boolean,
  ): Promise<{ status: number; body: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': userAgent() };
    if (auth) headers.authorization = `Bearer ${this.options.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const send = this.baseUrl.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        {
          protocol: this.baseUrl.protocol,
          hostname: this.baseUrl.hostname,
          port: this.baseUrl.port,
          method,
          path,
          headers,
          agent: this.agent,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.once('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.once('error', reject);
        },
      );
      req.setTimeout(this.options.timeoutMs ?? 30_000, () =>
        req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
      );
      req.once('error', reject);
      req.end(payload);
    });
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function pathOf(next: string): string {
  const u = new URL(next);
  return u.pathname + u.search;
}

/** Node's bundled root CAs, so a configured CA adds to them rather than replacing them. */
function rootCertificateList(): string[] {
  return [...rootCertificates];
}
