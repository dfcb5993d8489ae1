/**
 * The HTTP handler of every simulated cluster's API. It authenticates the
 * caller for that cluster, plans the request (vapi-request.ts), forwards it
 * to the main apiserver with the engine's own credentials, and translates
 * bodies and answers; watches are translated event by event as they stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { parse as parseYaml } from 'yaml';
import type { KubeRest } from '../kube/kube-rest';
import { sendInjectedApiError, type InjectedApiError } from '../faults/injected-api-error';
import type { Logger } from '../telemetry/logger';
import type { ClusterCaches } from '../provisioning/cluster-caches';
import { CLUSTER_LABEL } from '../provisioning/main-cluster-names';
import type { ClusterAuthenticator } from './auth/cluster-authenticator';
import { writeObjectAnswer, watchContentType, watchEventBytes, watchFormat } from './answer-writer';
import { sendStatus, statusObject } from './kube-status';
import { bodyFormat, unsupportedBodyMessage } from './media-types';
import { decodeProtobufObject, ProtobufBodyError } from './protobuf/k8s-protobuf';
import type { ApiResources } from './translate/api-resources';
import { ObjectTranslator, type Json } from './translate/object-translator';
import { isBuiltinRbacName, ClusterView } from './translate/cluster-view';
import { callUpstream, getWhole } from './upstream-call';
import { CachedNamespaceReads } from './cached-namespace-read';
import { acceptsGzip, OpenApiDocumentCache } from './openapi-document-cache';
import { planRequest, type Plan } from './vapi-request';

/** Request bodies larger than this are refused (Kubernetes' own limit is 3 MiB per object). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Request headers never forwarded: hop-by-hop, our own auth, and impersonation (forwarded requests run as the engine). */
const DROPPED_HEADERS = new Set([
  'host',
  'authorization',
  'connection',
  'keep-alive',
  'accept-encoding',
  'content-length',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'te',
  'trailer',
]);

export interface VirtualApiDeps {
  rest: KubeRest;
  caches: ClusterCaches;
  authenticator: ClusterAuthenticator;
  resources: ApiResources;
  logger: Logger;
  /** Request counters by verb and code (metrics). */
  onRequest?: (method: string, watch: boolean, code: number, ms: number) => void;
  /** A read answered without the main apiserver (metrics): a namespace from the engine's watch, an OpenAPI document from the shared copy. */
  onCachedRead?: (what: 'namespace' | 'openapi') => void;
  /** An injected error to answer instead (fault injection: api_errors), decided per request. */
  injectError?: (cluster: string) => InjectedApiError | undefined;
}

export class VirtualApiHandler {
  private readonly namespaceReads: CachedNamespaceReads;
  private readonly documents = new OpenApiDocumentCache();

  constructor(private readonly deps: VirtualApiDeps) {
    this.namespaceReads = new CachedNamespaceReads(deps.caches);
  }

  async handle(cluster: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const watch = /[?&]watch=(1|true)\b/.test(req.url ?? '');
    res.once('close', () =>
      this.deps.onRequest?.(req.method ?? 'GET', watch, res.statusCode, performance.now() - started),
    );
    try {
      if (!(await this.deps.authenticator.authenticate(cluster, req.headers.authorization))) {
        sendStatus(res, 401, 'Unauthorized');
        return;
      }
      const injected = this.deps.injectError?.(cluster);
      if (injected) {
        req.resume();
        sendInjectedApiError(res, injected);
        return;
      }
      const url = new URL(req.url ?? '/', 'https://vapi.local');
      const view = new ClusterView(cluster, this.deps.caches);
      const method = req.method ?? 'GET';
      const plan = await planRequest(method, url, view, this.deps.resources);
      if (
        plan.kind === 'translate' &&
        plan.resourceKind === 'Node' &&
        plan.notFoundName !== undefined &&
        method !== 'GET'
      ) {
        // Writes never reach another cluster's node: its answer would come too late to hide.
        const node = this.deps.caches.nodes.get(plan.notFoundName);
        if (node?.metadata.labels?.[CLUSTER_LABEL] !== cluster) {
          req.resume();
          sendStatus(res, 404, `nodes ${JSON.stringify(plan.notFoundName)} not found`, {
            name: plan.notFoundName,
            kind: 'nodes',
          });
          return;
        }
      }
      if (plan.kind === 'refuse') {
        req.resume();
        sendStatus(res, plan.code, plan.message);
        return;
      }
      if (plan.kind === 'translate' && plan.resourceKind === 'Namespace') {
        if (method !== 'GET') this.namespaceReads.wrote(cluster);
        else if (plan.single && plan.notFoundName !== undefined && !watch) {
          const answer = this.namespaceReads.read(view, plan.notFoundName, url, req.headers.accept);
          if (answer) {
            this.deps.onCachedRead?.('namespace');
            req.resume();
            writeObjectAnswer(res, 200, { 'cache-control': 'no-cache, private' }, answer, req.headers.accept);
            return;
          }
        }
      }
      // OpenAPI documents are the same for every cluster: one copy answers them all.
      const documentKey = OpenApiDocumentCache.keyOf(method, url, req.headers.accept);
      if (documentKey) {
        req.resume();
        await this.serveDocument(documentKey, plan.path, req, res);
        return;
      }
      const body = await this.readBody(req, plan, view);
      if (body === false) {
        sendStatus(res, 415, unsupportedBodyMessage());
        return;
      }
      await this.forward(req, res, plan, body, view, url);
    } catch (err) {
      const e = err as Error & { statusCode?: number };
      this.deps.logger.debug({ cluster, err }, 'virtual API request failed');
      if (!res.headersSent)
        sendStatus(res, e.statusCode ?? 502, e.statusCode ? e.message : `main apiserver: ${e.message}`);
      else res.destroy();
    }
  }

  /** An OpenAPI document from the copy every cluster shares (openapi-document-cache.ts). */
  private async serveDocument(
    key: string,
    path: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const accept = req.headers.accept ?? 'application/json';
    const { doc, hit } = await this.documents.get(key, () => getWhole(this.deps.rest, path, { accept }));
    if (hit) this.deps.onCachedRead?.('openapi');
    const headers = { ...doc.headers };
    let body = doc.body;
    if (body.length > 0 && acceptsGzip(req.headers['accept-encoding'])) {
      body = await this.documents.gzipped(doc);
      headers['content-encoding'] = 'gzip';
      headers.vary = headers.vary ? `${headers.vary}, Accept-Encoding` : 'Accept-Encoding';
    }
    res.writeHead(doc.status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
  }

  /**
   * Reads and translates the request body; false for a Content-Type the
   * apiserver refuses. A protobuf body is decoded and goes on as JSON (the
   * translation works on objects), with its Content-Type changed to match.
   */
  private async readBody(
    req: IncomingMessage,
    plan: Exclude<Plan, { kind: 'refuse' }>,
    view: ClusterView,
  ): Promise<{ bytes: Buffer; contentType?: string } | undefined | false> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES)
        throw Object.assign(new Error(`request body larger than ${MAX_BODY_BYTES} bytes`), {
          statusCode: 413,
        });
      chunks.push(chunk as Buffer);
    }
    if (size === 0) return undefined;
    const raw = Buffer.concat(chunks);
    if (plan.kind === 'raw') return { bytes: raw };
    const format = bodyFormat(req.headers['content-type']);
    if (format === undefined) return false;
    if (format === 'json-patch') return { bytes: raw };
    let doc: unknown;
    try {
      if (format === 'protobuf') doc = decodeProtobufObject(raw);
      else doc = format === 'yaml' ? parseYaml(raw.toString('utf8')) : JSON.parse(raw.toString('utf8'));
    } catch (err) {
      const what = format === 'protobuf' ? 'protobuf' : format === 'yaml' ? 'YAML' : 'JSON';
      const reason = err instanceof ProtobufBodyError ? err.message : (err as Error).message;
      throw Object.assign(new Error(`request body is not valid ${what}: ${view.scrubMessage(reason)}`), {
        statusCode: 400,
      });
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { bytes: raw };
    const o = doc as Json;
    const contentType = format === 'protobuf' ? 'application/json' : undefined;
    if (
      plan.resourceKind &&
      (plan.resourceKind === 'ClusterRole' || plan.resourceKind === 'ClusterRoleBinding')
    ) {
      const name = (o.metadata as Json | undefined)?.name;
      if (typeof name === 'string' && isBuiltinRbacName(name)) {
        throw Object.assign(
          new Error(
            `${plan.resourceLabel} ${JSON.stringify(name)} is a built-in name shared by all simulated clusters and is read-only`,
          ),
          { statusCode: 403 },
        );
      }
    }
    const bytes = Buffer.from(JSON.stringify(new ObjectTranslator(view, plan.resourceKind).toHost(o)));
    return { bytes, contentType };
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    plan: Exclude<Plan, { kind: 'refuse' }>,
    read: { bytes: Buffer; contentType?: string } | undefined,
    view: ClusterView,
    url: URL,
  ): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || DROPPED_HEADERS.has(k) || k.startsWith('impersonate-')) continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const clientAccept = headers.accept;
    // Answers must be JSON to be translated.
    if (plan.kind === 'translate') headers.accept = jsonOnly(headers.accept);
    const body = read?.bytes;
    if (read?.contentType) headers['content-type'] = read.contentType;
    if (body) headers['content-length'] = String(body.length);
    const watching = /^(1|true)$/.test(url.searchParams.get('watch') ?? '') || Boolean(req.headers.upgrade);

    return new Promise<void>((resolve, reject) => {
      const call = callUpstream(this.deps.rest, req.method ?? 'GET', plan.path, headers, body, watching);
      // A client that goes away (a watch closed) ends the upstream request.
      res.once('close', () => call.cancel());
      call.answer.then((answer) => {
        const up = answer.body;
        // The client going away aborts the upstream answer: end quietly.
        up.on('error', () => {
          if (!res.writableEnded) res.destroy();
          resolve();
        });
        // An answer cut short without an error (an HTTP/2 stream the server
        // cancelled) must not leave the client waiting for the rest.
        up.once('close', () => {
          if (up.readableEnded) return;
          if (!res.writableEnded) res.destroy();
          resolve();
        });
        const status = answer.status;
        const outHeaders: Record<string, string> = {};
        for (const [k, v] of Object.entries(answer.headers)) {
          if (v === undefined || k === 'content-length' || k === 'transfer-encoding' || k === 'connection')
            continue;
          outHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        if (plan.kind === 'raw') {
          const length = answer.headers['content-length'];
          res.writeHead(status, {
            ...outHeaders,
            ...(typeof length === 'string' ? { 'content-length': length } : {}),
          });
          if (watching) res.flushHeaders();
          up.pipe(res);
          up.once('end', resolve);
          return;
        }
        const translator = new ObjectTranslator(view, plan.resourceKind);
        if (watching && status === 200 && plan.kind === 'translate') {
          const format = watchFormat(clientAccept);
          res.writeHead(200, { ...outHeaders, 'content-type': watchContentType(format) });
          // A watch may be quiet for a long time: the client needs the headers now.
          res.flushHeaders();
          const lines = createInterface({ input: up, crlfDelay: Infinity });
          lines.on('line', (line) => {
            if (!line.trim()) return;
            const event = JSON.parse(line) as { type: string; object: Json };
            if (event.type === 'ERROR') event.object = translator.toCluster(event.object) ?? event.object;
            else if (event.type !== 'BOOKMARK') {
              const t = translator.toCluster(event.object);
              if (!t) return;
              if (t.kind === 'Table' && Array.isArray(t.rows) && t.rows.length === 0) return;
              event.object = t;
            }
            const bytes = watchEventBytes(format, event);
            // A protobuf-only client cannot be given this object: end the watch, it will relist.
            if (bytes === undefined) res.destroy();
            else res.write(bytes);
          });
          // readline re-emits its input's errors (an aborted upstream): the watch just ends.
          lines.on('error', () => res.destroy());
          lines.once('close', () => {
            res.end();
            resolve();
          });
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let code = status;
          if (String(answer.headers['content-type'] ?? '').includes('json') && text) {
            const parsed = JSON.parse(text) as Json;
            const rowsBefore = Array.isArray(parsed.rows) ? parsed.rows.length : 0;
            let t = translator.toCluster(parsed);
            // A single object asked for as a Table (kubectl get NAME): no row left means not the cluster's.
            if (
              plan.single &&
              t?.kind === 'Table' &&
              rowsBefore > 0 &&
              Array.isArray(t.rows) &&
              t.rows.length === 0
            )
              t = undefined;
            if (t === undefined) {
              code = 404;
              t = statusObject(
                404,
                `${plan.resourceLabel} ${JSON.stringify(plan.notFoundName ?? '')} not found`,
                {
                  name: plan.notFoundName,
                  kind: plan.resourceLabel,
                },
              );
            }
            writeObjectAnswer(res, code, outHeaders, t, clientAccept);
          } else {
            res.writeHead(code, { ...outHeaders, 'content-length': Buffer.byteLength(text) });
            res.end(text);
          }
          resolve();
        });
      }, reject);
    });
  }
}

/**
 * The client's Accept with every protobuf entry asked as JSON instead, its
 * parameters kept: a protobuf-only `as=Table` request still gets a Table
 * upstream (and then the apiserver's 406, as Tables have no protobuf form).
 */
function jsonOnly(accept: string | undefined): string {
  if (!accept) return 'application/json';
  const asJson = accept
    .split(',')
    .map((s) => s.trim().replace(/^application\/vnd\.kubernetes\.protobuf/i, 'application/json'))
    .filter(Boolean);
  return [...new Set(asJson)].join(', ') || 'application/json';
}
