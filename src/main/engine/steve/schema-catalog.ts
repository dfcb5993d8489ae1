/**
 * Steve's schemas for a cluster, built from its API discovery: one schema per
 * resource kind at its group's preferred version, with Steve's ids (`pod`,
 * `apps.deployment`, `rbac.authorization.k8s.io.role`), plural names
 * (`pods`, `apps.deployments`), methods from the API's verbs, and the
 * dashboard's list columns from a one-row Table of the type. Steve's own
 * types (schema, count, subscribe, schemaDefinition) are listed too.
 *
 * Discovery is the main apiserver's, passed through by every cluster's API,
 * so one catalog serves all clusters; it is refreshed at most once a minute.
 */
import type { ClusterKube } from './cluster-kube';
import { TABLE_ACCEPT } from './cluster-kube';

export interface SteveColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
  field: string;
}

export interface SteveSchema {
  id: string;
  pluralName: string;
  group: string;
  version: string;
  kind: string;
  /** The Kubernetes resource (`pods`); empty for Steve's own types. */
  resource: string;
  namespaced: boolean;
  verbs: string[];
  /** `/api/v1` or `/apis/<group>/<version>`; empty for Steve's own types. */
  apiPrefix: string;
  columns: SteveColumn[];
  /** Served by Steve itself (schemas, counts, subscribe), not by Kubernetes. */
  steveOwn?: true;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

/** Steve's type id: the lower-case kind, prefixed by the group when there is one. */
export function schemaIdOf(group: string, kind: string): string {
  return group ? `${group}.${kind.toLowerCase()}` : kind.toLowerCase();
}

/** Steve's types, besides Kubernetes': what the dashboard fetches and watches by name. */
function steveOwnSchemas(): SteveSchema[] {
  const own = (id: string, pluralName: string, verbs: string[]): SteveSchema => ({
    id,
    pluralName,
    group: '',
    version: '',
    kind: '',
    resource: '',
    namespaced: false,
    verbs,
    apiPrefix: '',
    columns: [],
    steveOwn: true,
  });
  return [
    own('schema', 'schemas', ['get', 'list', 'watch']),
    own('count', 'counts', ['get', 'list', 'watch']),
    own('subscribe', 'subscribe', ['list']),
    own('schemaDefinition', 'schemaDefinitions', ['get']),
  ];
}

/** Columns when a type gives no Table (as Steve's defaults). */
const DEFAULT_COLUMNS: SteveColumn[] = [
  {
    name: 'Name',
    type: 'string',
    format: 'name',
    description: 'Name',
    priority: 0,
    field: '$.metadata.name',
  },
  {
    name: 'Created',
    type: 'date',
    format: '',
    description: 'Created',
    priority: 0,
    field: '$.metadata.creationTimestamp',
  },
];

const REFRESH_MS = 60_000;

export class SchemaCatalog {
  private schemas: Promise<Map<string, SteveSchema>> | undefined;
  private fetchedAt = 0;

  /** All schemas by id; `kube` is any cluster's API (discovery is the same for all). */
  async all(kube: ClusterKube): Promise<Map<string, SteveSchema>> {
    if (!this.schemas || Date.now() - this.fetchedAt > REFRESH_MS) {
      this.fetchedAt = Date.now();
      const next = this.discover(kube);
      // A failed discovery is not kept: the next request tries again.
      next.catch(() => {
        if (this.schemas === next) this.schemas = undefined;
      });
      this.schemas = next;
    }
    return this.schemas;
  }

  /** One schema by id, or by its plural name (what list URLs carry). */
  async find(kube: ClusterKube, idOrPlural: string): Promise<SteveSchema | undefined> {
    const all = await this.all(kube);
    const byId = all.get(idOrPlural);
    if (byId) return byId;
    for (const s of all.values()) if (s.pluralName === idOrPlural) return s;
    return undefined;
  }

  private async discover(kube: ClusterKube): Promise<Map<string, SteveSchema>> {
    const groups = await kube.request<{
      groups?: { name: string; preferredVersion?: { version: string } }[];
    }>('GET', '/apis');
    if (groups.status !== 200) throw new Error(`API discovery (/apis) answered ${groups.status}`);
    const prefixes: { group: string; version: string; prefix: string }[] = [
      { group: '', version: 'v1', prefix: '/api/v1' },
    ];
    for (const g of groups.body.groups ?? []) {
      const version = g.preferredVersion?.version;
      if (version) prefixes.push({ group: g.name, version, prefix: `/apis/${g.name}/${version}` });
    }
    const out = new Map<string, SteveSchema>();
    const lists = await Promise.all(
      prefixes.map(async (p) => ({
        ...p,
        list: await kube.request<{ resources?: ApiResource[] }>('GET', p.prefix),
      })),
    );
    for (const { group, version, prefix, list } of lists) {
      if (list.status !== 200) continue;
      for (const r of list.body.resources ?? []) {
        if (r.name.includes('/')) continue; // subresources are not types
        const id = schemaIdOf(group, r.kind);
        if (out.has(id)) continue;
        out.set(id, {
          id,
          pluralName: group ? `${group}.${r.name}` : r.name,
          group,
          version,
          kind: r.kind,
          resource: r.name,
          namespaced: r.namespaced,
          verbs: [...(r.verbs ?? [])].sort(),
          apiPrefix: prefix,
          columns: DEFAULT_COLUMNS,
        });
      }
    }
    await this.fillColumns(kube, [...out.values()]);
    for (const s of steveOwnSchemas()) out.set(s.id, s);
    return out;
  }

  /** The dashboard's list columns: the Table column definitions of each listable type, 8 types at a time. */
  private async fillColumns(kube: ClusterKube, schemas: SteveSchema[]): Promise<void> {
    const listable = schemas.filter((s) => s.verbs.includes('list'));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < listable.length) {
        const s = listable[next++]!;
        try {
          const answer = await kube.request<{
            kind?: string;
            columnDefinitions?: Omit<SteveColumn, 'field'>[];
          }>('GET', `${s.apiPrefix}/${s.resource}?limit=1`, undefined, undefined, TABLE_ACCEPT);
          const defs =
            answer.status === 200 && answer.body.kind === 'Table' ? answer.body.columnDefinitions : undefined;
          if (defs?.length)
            s.columns = defs.map((d, i) => ({
              name: d.name,
              type: d.type,
              format: d.format,
              description: d.description,
              priority: d.priority,
              field: `$.metadata.fields[${i}]`,
            }));
        } catch {
          // Default columns stay: a type whose Table fails is still listed.
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }
}

/** Methods on one object, from the API's verbs (Steve's access rules, admin-equivalent). */
export function resourceMethods(s: SteveSchema): string[] {
  const m: string[] = [];
  if (s.verbs.includes('get')) m.push('GET');
  if (s.verbs.includes('delete')) m.push('DELETE');
  if (s.verbs.includes('update')) m.push('PUT');
  if (s.verbs.includes('patch')) m.push('PATCH');
  return m;
}

/** Methods on the collection. */
export function collectionMethods(s: SteveSchema): string[] {
  const m: string[] = [];
  if (s.verbs.includes('list')) m.push('GET');
  if (s.verbs.includes('create')) m.push('POST');
  return m;
}

/** A schema as `/v1/schemas` lists it. */
export function renderSchema(s: SteveSchema, base: string): Record<string, unknown> {
  const collection = collectionMethods(s);
  const links: Record<string, string> = { self: `${base}/v1/schemas/${s.id}` };
  if (collection.length > 0) links.collection = `${base}/v1/${s.pluralName}`;
  return {
    id: s.id,
    type: 'schema',
    links,
    pluralName: s.pluralName,
    resourceMethods: resourceMethods(s),
    resourceFields: null,
    collectionMethods: collection,
    attributes: s.steveOwn
      ? { verbs: s.verbs }
      : {
          group: s.group,
          version: s.version,
          kind: s.kind,
          resource: s.resource,
          namespaced: s.namespaced,
          verbs: s.verbs,
          columns: s.columns,
        },
  };
}
