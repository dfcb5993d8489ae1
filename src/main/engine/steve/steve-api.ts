/**
 * The Steve v1 API of every simulated cluster, served on its Steve tunnel the
 * way the real cattle-cluster-agent serves it from its embedded Steve:
 *
 *   /v1/schemas[/id]            the cluster's types (schema-catalog.ts)
 *   /v1/schemaDefinitions/id    a type's fields (schema-definitions.ts)
 *   /v1/counts[/count]          objects per type and namespace (counts.ts)
 *   /v1/subscribe               the watch WebSocket (subscribe.ts)
 *   /v1/<type>[/<ns>[/<name>]]  lists, gets and writes (resource-api.ts)
 *
 * Every answer comes from the cluster's own API, so a cluster sees only its
 * own objects by construction. Rancher's Impersonate-* headers are not
 * evaluated against the cluster's RBAC: every request is answered as the
 * cluster's admin would see it (README, "Steve API").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Logger } from '../telemetry/logger';
import type { ClusterKube } from './cluster-kube';
import { countAll, countCollection, countResource, type TypeCount } from './counts';
import { requestBase } from './request-base';
import { inboundOf, inboundRelationships } from './inbound-relationships';
import { getResource, listResources, writeResource } from './resource-api';
import { renderSchema, SchemaCatalog, schemaIdOf, type SteveSchema } from './schema-catalog';
import { SchemaDefinitions } from './schema-definitions';
import { asSteveError, SteveError, writeError, writeJson } from './steve-errors';
import type { FormatContext } from './steve-resource';
import { SubscribeSession } from './subscribe';

export interface SteveApiDeps {
  /** The cluster's own API, in process. */
  kube: (cluster: string) => Promise<ClusterKube>;
  logger: Logger;
  /** Sent in the WebSocket's pings, as Rancher sends its version. */
  version: string;
  pingMs?: number;
  countsEveryMs?: number;
}

/** Bodies larger than this are refused (413), as any API server would. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Counts are cached this long per cluster: the dashboard asks for them with every page. */
const COUNTS_TTL_MS = 2000;
const PROJECT_LABEL = 'field.cattle.io/projectId';

export class SteveApi {
  private readonly catalog = new SchemaCatalog();
  private readonly definitions = new SchemaDefinitions();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly counts = new Map<string, { at: number; value: Promise<Record<string, TypeCount>> }>();

  constructor(private readonly deps: SteveApiDeps) {}

  /** Whether a request path is Steve's (the rest of the tunnel's paths are someone else's). */
  static owns(path: string): boolean {
    return path === '/v1' || path.startsWith('/v1/');
  }

  handle(req: IncomingMessage, res: ServerResponse, cluster: string): void {
    void this.route(req, res, cluster).catch((err: unknown) => {
      if (asSteveError(err).status >= 500)
        this.deps.logger.warn({ cluster, err, path: req.url }, `Cluster ${cluster}: Steve request failed`);
      if (!res.headersSent) writeError(res, err);
      else res.destroy();
    });
  }

  /** `/v1/subscribe` upgrades to a WebSocket; anything else upgrading is refused. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cluster: string): void {
    const path = new URL(req.url ?? '/', 'http://steve').pathname;
    if (path !== '/v1/subscribe') {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    void this.deps.kube(cluster).then(
      (kube) =>
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          const base = requestBase(req.headers);
          new SubscribeSession(ws, {
            kube,
            schema: (id) => this.catalog.find(kube, id),
            formatContext: (schema) => this.formatContext(base, schema, []),
            counts: () => this.countsOf(cluster, kube),
            version: this.deps.version,
            logger: this.deps.logger,
            ...(this.deps.pingMs ? { pingMs: this.deps.pingMs } : {}),
            ...(this.deps.countsEveryMs ? { countsEveryMs: this.deps.countsEveryMs } : {}),
          });
        }),
      () => socket.end('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'),
    );
  }

  forget(cluster: string): void {
    this.counts.delete(cluster);
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private formatContext(base: string, schema: SteveSchema, exclude: string[]): FormatContext {
    return {
      base,
      schema,
      exclude,
      schemaIdOf: (apiVersion, kind) => {
        const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
        return schemaIdOf(group, kind);
      },
    };
  }

  private countsOf(cluster: string, kube: ClusterKube): Promise<Record<string, TypeCount>> {
    const cached = this.counts.get(cluster);
    if (cached && Date.now() - cached.at < COUNTS_TTL_MS) return cached.value;
    const value = this.catalog.all(kube).then((all) => countAll(kube, [...all.values()]));
    value.catch(() => this.counts.delete(cluster));
    this.counts.set(cluster, { at: Date.now(), value });
    return value;
  }

  private async route(req: IncomingMessage, res: ServerResponse, cluster: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://steve');
    const base = requestBase(req.headers);
    // Steve's collection links name the path alone; paging links add their query (resource-api.ts).
    const selfUrl = `${base}${url.pathname}`;
    const schemasUrl = `${base}/v1/schemas`;
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent); // after "v1"
    const kube = await this.deps.kube(cluster);
    const reply = (status: number, body: unknown): void => writeJson(res, status, body, schemasUrl);
    const readOnly = (): void => {
      if (method !== 'GET')
        throw new SteveError(405, 'MethodNotAllowed', `${method} is not allowed on ${url.pathname}`);
    };

    if (parts.length === 0 || parts[0] === 'schemas') {
      readOnly();
      const all = await this.catalog.all(kube);
      if (parts.length === 2) {
        const s = all.get(parts[1]!);
        if (!s) throw new SteveError(404, 'NotFound', 'no such schema');
        return reply(200, renderSchema(s, base));
      }
      if (parts.length > 2) throw new SteveError(404, 'NotFound', `${url.pathname} is not a Steve path`);
      const data = [...all.values()]
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((s) => renderSchema(s, base));
      return reply(200, {
        type: 'collection',
        links: { self: selfUrl },
        actions: {},
        resourceType: 'schema',
        data,
      });
    }
    if (parts[0] === 'schemaDefinitions') {
      readOnly();
      const s = parts.length === 2 ? await this.catalog.find(kube, parts[1]!) : undefined;
      if (!s) throw new SteveError(404, 'NotFound', 'no such schema');
      return reply(200, await this.definitions.render(kube, s, base));
    }
    if (parts[0] === 'counts') {
      readOnly();
      const counts = await this.countsOf(cluster, kube);
      if (parts.length === 1) return reply(200, countCollection(base, counts));
      if (parts.length === 2 && parts[1] === 'count') return reply(200, countResource(base, counts));
      throw new SteveError(404, 'NotFound', `${url.pathname} is not a Steve path`);
    }
    if (parts[0] === 'subscribe')
      throw new SteveError(
        400,
        'BadRequest',
        '/v1/subscribe is a WebSocket: connect with an Upgrade request',
      );

    const schema = await this.catalog.find(kube, parts[0]!);
    if (!schema || schema.steveOwn) throw new SteveError(404, 'NotFound', `unknown type ${parts[0]}`);
    if (parts.length > 3) throw new SteveError(404, 'NotFound', `${url.pathname} is not a Steve path`);
    const exclude = url.searchParams
      .getAll('exclude')
      .flatMap((e) => e.split(','))
      .filter(Boolean);
    const ctx = this.formatContext(base, schema, exclude);
    const withInbound = async (ns: string | undefined): Promise<FormatContext> => {
      const index = await inboundRelationships(
        kube,
        await this.catalog.all(kube),
        schema,
        ns,
        ctx.schemaIdOf,
      );
      return { ...ctx, inbound: (type, id) => inboundOf(index, type, id) };
    };
    // /v1/pods/ns is a namespace's list; /v1/nodes/name is one cluster-scoped object.
    const namespace = schema.namespaced ? parts[1] : undefined;
    const name = schema.namespaced ? parts[2] : parts[1];
    if (!schema.namespaced && parts.length > 2)
      throw new SteveError(404, 'NotFound', `${schema.id} is not namespaced: ${url.pathname} names nothing`);

    if (name === undefined) {
      if (method === 'GET') {
        const projectOf = await this.projects(kube);
        return reply(
          200,
          await listResources(
            kube,
            await withInbound(namespace),
            namespace,
            url.searchParams,
            selfUrl,
            projectOf,
          ),
        );
      }
      if (method === 'POST') {
        const written = await writeResource(
          kube,
          ctx,
          'POST',
          namespace,
          undefined,
          await readBody(req),
          undefined,
        );
        return reply(written.status, written.body);
      }
      throw new SteveError(405, 'MethodNotAllowed', `${method} is not allowed on a collection`);
    }
    if (method === 'GET')
      return reply(200, await getResource(kube, await withInbound(namespace), namespace, name));
    if (method === 'PUT' || method === 'PATCH' || method === 'DELETE') {
      const body = method === 'DELETE' ? undefined : await readBody(req, method === 'PATCH');
      const written = await writeResource(
        kube,
        ctx,
        method,
        namespace,
        name,
        body,
        req.headers['content-type'],
      );
      return reply(written.status, written.body);
    }
    throw new SteveError(405, 'MethodNotAllowed', `${method} is not allowed on an object`);
  }

  /** Project of each namespace (Rancher's label), for `projectsornamespaces`. */
  private async projects(kube: ClusterKube): Promise<(namespace: string) => string | undefined> {
    const answer = await kube
      .request<{ items?: { metadata: { name: string; labels?: Record<string, string> } }[] }>(
        'GET',
        `/api/v1/namespaces?labelSelector=${encodeURIComponent(PROJECT_LABEL)}`,
      )
      .catch(() => undefined);
    const map = new Map<string, string>();
    for (const ns of answer?.status === 200 ? (answer.body.items ?? []) : []) {
      const p = ns.metadata.labels?.[PROJECT_LABEL];
      if (p) map.set(ns.metadata.name, p.includes(':') ? p.split(':')[1]! : p);
    }
    return (namespace) => map.get(namespace);
  }
}

/** The request's JSON body (a JSON patch may be an array). */
function readBody(req: IncomingMessage, arrayAllowed = false): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new SteveError(413, 'RequestEntityTooLarge', `the body is larger than ${MAX_BODY_BYTES} bytes`),
        );
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        const body = JSON.parse(text) as unknown;
        if (Array.isArray(body) && !arrayAllowed)
          return reject(new SteveError(422, 'InvalidBodyContent', 'the body must be a JSON object'));
        resolve(body);
      } catch (err) {
        reject(new SteveError(422, 'InvalidBodyContent', `the body is not JSON: ${(err as Error).message}`));
      }
    });
    req.on('error', reject);
  });
}
