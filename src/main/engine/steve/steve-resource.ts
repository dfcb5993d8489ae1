/**
 * One Kubernetes object as Steve serves it: `id` (`ns/name`, or `name` when
 * cluster-scoped), `type` (the schema id), `links`, then the object's own
 * fields, with Steve's additions in metadata: `state` (its summary),
 * `relationships`, and `fields` (the kubectl table cells of its row, which
 * the schema's columns point at). Keys Steve reserves for itself (`id`,
 * `type`, `links`, `actions`) move to `_id`, `_type`... as Steve moves them, so
 * a Secret's or an Event's `type` is `_type`.
 */
import type { SteveSchema } from './schema-catalog';
import {
  podStateName,
  relationships,
  summarize,
  withNormalisedConditions,
  type SteveRelationship,
} from './summarize';

export type Json = Record<string, unknown>;

const RESERVED = ['id', 'type', 'links', 'actions'];

export interface FormatContext {
  /** Scheme, host and Rancher's prefix: every link starts with it. */
  base: string;
  schema: SteveSchema;
  schemaIdOf: (apiVersion: string, kind: string) => string | undefined;
  /** Dotted paths the client asked to leave out (`exclude=metadata.managedFields`). */
  exclude: string[];
  /** What other objects hold to this one (inbound-relationships.ts), when the caller read them. */
  inbound?: (type: string, id: string) => SteveRelationship[];
}

export function steveId(obj: Json): string {
  const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
  return meta.namespace ? `${meta.namespace}/${meta.name ?? ''}` : (meta.name ?? '');
}

/**
 * A list item with its apiVersion and kind: Kubernetes leaves them out of the
 * items of a List, and the summaries and relationships depend on the kind.
 */
export function withKind(item: Json, schema: SteveSchema): Json {
  if (item.kind && item.apiVersion) return item;
  const apiVersion = schema.group ? `${schema.group}/${schema.version}` : schema.version;
  return { apiVersion, kind: schema.kind, ...item };
}

/** The object's URL in Steve (`<base>/v1/pods/ns/name`). */
export function selfLink(base: string, schema: SteveSchema, id: string): string {
  return `${base}/v1/${schema.pluralName}/${id}`;
}

/** The object's path in the cluster's Kubernetes API. */
export function kubePath(schema: SteveSchema, namespace: string | undefined, name?: string): string {
  const ns = schema.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${schema.apiPrefix}${ns}/${schema.resource}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}`;
}

function links(ctx: FormatContext, obj: Json, id: string): Record<string, string> {
  const { schema, base } = ctx;
  const self = selfLink(base, schema, id);
  const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
  // Go marshals maps in key order; so do we, for answers that compare equal.
  const out: Record<string, string> = {};
  if (schema.verbs.includes('patch')) out.patch = self;
  if (schema.verbs.includes('delete')) out.remove = self;
  out.self = self;
  if (schema.verbs.includes('update')) out.update = self;
  out.view = `${base}${kubePath(schema, meta.namespace, meta.name ?? '')}`;
  return out;
}

/** Formats one object; `cells` is its Table row when the list came as a Table. */
export function formatResource(raw: Json, cells: unknown[] | undefined, ctx: FormatContext): Json {
  const obj = withNormalisedConditions(raw);
  const id = steveId(obj);
  const out: Json = { id, type: ctx.schema.id, links: links(ctx, obj, id) };
  for (const [k, v] of Object.entries(obj)) out[RESERVED.includes(k) ? `_${k}` : k] = v;
  const state = summarize(raw);
  // A pod's state name is its kubectl STATUS (crashLoopBackOff, containerCreating), as Steve's pod formatter sets it.
  if (ctx.schema.id === 'pod' && cells) state.name = podStateName(cells[2]) ?? state.name;
  const related = [...relationships(raw, ctx.schemaIdOf), ...(ctx.inbound?.(ctx.schema.id, id) ?? [])];
  const metadata: Json = {
    ...((obj.metadata ?? {}) as Json),
    ...(cells ? { fields: cells } : {}),
    // Steve serves null, not [], for an object related to nothing.
    relationships: related.length > 0 ? related : null,
    state,
  };
  out.metadata = metadata;
  for (const path of ctx.exclude) removePath(out, path.split('.'));
  return out;
}

/** Steve's fields back into a Kubernetes object, for writes (create, update). */
export function toKubeObject(body: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(body)) {
    if (RESERVED.includes(k)) continue;
    const original = k.startsWith('_') && RESERVED.includes(k.slice(1)) ? k.slice(1) : k;
    out[original] = v;
  }
  if (typeof out.metadata === 'object' && out.metadata !== null) {
    const meta = { ...(out.metadata as Json) };
    delete meta.state;
    delete meta.relationships;
    delete meta.fields;
    out.metadata = meta;
  }
  return out;
}

function removePath(obj: Json, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || typeof obj !== 'object' || obj === null) return;
  if (rest.length === 0) {
    delete obj[head];
    return;
  }
  const next = obj[head];
  if (typeof next !== 'object' || next === null || Array.isArray(next)) return;
  // A copy along the path: the formatted object may share parts with the object it came from.
  const copy = { ...(next as Json) };
  obj[head] = copy;
  removePath(copy, rest);
}
