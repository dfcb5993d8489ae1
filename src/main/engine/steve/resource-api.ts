/**
 * Steve's resource routes for one Kubernetes type: list (a Steve collection,
 * with the dashboard's filters, sorting and paging), get, create, update,
 * patch and delete, each passed to the cluster's own API. Lists are read as
 * Tables with the objects inside, as Steve reads them, so every row carries
 * the cells its schema's columns point at.
 */
import type { ClusterKube } from './cluster-kube';
import { TABLE_ACCEPT } from './cluster-kube';
import { applyListQuery, parseListQuery } from './list-query';
import { SteveError } from './steve-errors';
import type { SteveSchema } from './schema-catalog';
import {
  formatResource,
  kubePath,
  toKubeObject,
  withKind,
  type FormatContext,
  type Json,
} from './steve-resource';

interface TableRow {
  cells?: unknown[];
  object?: Json;
}
interface KubeListAnswer {
  kind?: string;
  items?: Json[];
  rows?: TableRow[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** Objects of a Table or a List answer, with their cells when there are any. */
export function rowsOf(body: KubeListAnswer, schema: SteveSchema): { object: Json; cells?: unknown[] }[] {
  if (body.kind === 'Table')
    return (body.rows ?? [])
      .filter((r): r is TableRow & { object: Json } => typeof r.object === 'object' && r.object !== null)
      .map((r) => ({ object: withKind(r.object, schema), ...(r.cells ? { cells: r.cells } : {}) }));
  return (body.items ?? []).map((object) => ({ object: withKind(object, schema) }));
}

/** Selectors the cluster's API applies itself (Steve's non-SQL store passes them on; a bad one is Kubernetes' 400). */
function upstreamQuery(params: URLSearchParams): string {
  const q = new URLSearchParams({ includeObject: 'Object' });
  for (const key of ['labelSelector', 'fieldSelector']) {
    const v = params.get(key);
    if (v) q.set(key, v);
  }
  return q.toString();
}

export async function listResources(
  kube: ClusterKube,
  ctx: FormatContext,
  namespace: string | undefined,
  params: URLSearchParams,
  selfUrl: string,
  projectOf: (namespace: string) => string | undefined,
): Promise<Json> {
  const { schema } = ctx;
  if (!schema.verbs.includes('list'))
    throw new SteveError(405, 'MethodNotAllowed', `${schema.id} cannot be listed`);
  const query = parseListQuery(params, {
    schemaId: schema.id,
    namespaced: schema.namespaced,
    columnCount: schema.columns.length,
    columns: schema.columns,
  });
  const answer = await kube.request<KubeListAnswer>(
    'GET',
    `${kubePath(schema, namespace)}?${upstreamQuery(params)}`,
    undefined,
    undefined,
    TABLE_ACCEPT,
  );
  if (answer.status !== 200) throw SteveError.fromKube(answer.status, answer.body);
  const revision = answer.body.metadata?.resourceVersion ?? '';
  if (query.revision !== undefined && revision && Number(query.revision) > Number(revision))
    throw new SteveError(
      400,
      'unknown revision',
      `revision ${query.revision} is newer than the latest ${revision}`,
    );
  const items = rowsOf(answer.body, schema).map((r) => formatResource(r.object, r.cells, ctx));
  const page = applyListQuery(items, query, { namespaced: schema.namespaced, projectOf });
  const collection: Json = {
    type: 'collection',
    links: { self: selfUrl },
    ...(schema.verbs.includes('create')
      ? { createTypes: { [schema.id]: `${ctx.base}/v1/${schema.pluralName}` } }
      : {}),
    actions: {},
    resourceType: schema.id,
  };
  if (page.continue) {
    // As Steve links pages: the request's own query, with the continue token first for the next one.
    const rest = new URLSearchParams(params);
    rest.delete('continue');
    const first = rest.toString();
    const next = new URLSearchParams({ continue: page.continue });
    for (const [k, v] of rest) next.append(k, v);
    collection.pagination = {
      first: first ? `${selfUrl}?${first}` : selfUrl,
      next: `${selfUrl}?${next.toString()}`,
      partial: true,
    };
  }
  if (revision) collection.revision = revision;
  if (page.continue) collection.continue = page.continue;
  if (page.count) collection.count = page.count;
  collection.data = page.data;
  if (page.summary) collection.summary = page.summary;
  return collection;
}

export async function getResource(
  kube: ClusterKube,
  ctx: FormatContext,
  namespace: string | undefined,
  name: string,
): Promise<Json> {
  const answer = await kube.request<KubeListAnswer & Json>(
    'GET',
    `${kubePath(ctx.schema, namespace, name)}?includeObject=Object`,
    undefined,
    undefined,
    TABLE_ACCEPT,
  );
  if (answer.status !== 200) throw SteveError.fromKube(answer.status, answer.body);
  const [row] = rowsOf(answer.body.kind === 'Table' ? answer.body : { items: [answer.body] }, ctx.schema);
  if (!row) throw new SteveError(404, 'NotFound', `${ctx.schema.resource} "${name}" not found`);
  return formatResource(row.object, row.cells, ctx);
}

/** Create, update, patch or delete: the cluster's API decides, Steve formats what it answers. */
export async function writeResource(
  kube: ClusterKube,
  ctx: FormatContext,
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  namespace: string | undefined,
  name: string | undefined,
  body: unknown,
  contentType: string | undefined,
): Promise<{ status: number; body: Json }> {
  const { schema } = ctx;
  let payload: unknown = body;
  let ns = namespace;
  if (method === 'POST' || method === 'PUT') {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new SteveError(422, 'InvalidBodyContent', `a ${schema.id} must be a JSON object`);
    const obj = toKubeObject(body as Json);
    const meta = (obj.metadata ?? {}) as { namespace?: string; name?: string };
    ns ??= meta.namespace;
    if (schema.namespaced && !ns)
      throw new SteveError(422, 'InvalidBodyContent', `metadata.namespace is required for a ${schema.id}`);
    payload = obj;
  }
  const path = kubePath(schema, ns, method === 'POST' ? undefined : name);
  const type =
    method === 'PATCH'
      ? (contentType?.split(';')[0]?.trim() ?? 'application/merge-patch+json')
      : 'application/json';
  const answer = await kube.request<Json>(method, path, payload, type);
  if (answer.status >= 300) throw SteveError.fromKube(answer.status, answer.body);
  if (method === 'DELETE' && answer.body.kind === 'Status')
    return { status: answer.status, body: answer.body };
  return { status: answer.status, body: formatResource(answer.body, undefined, ctx) };
}
