/**
 * Relationships that other objects hold to an object: a ConfigMap used by
 * pods, a ReplicaSet that owns pods, a Service that owns EndpointSlices.
 * Steve keeps a cache of every object and serves these on the referred-to
 * object too (`fromId` for a user, `toId` for what it owns), with the state of
 * the object on the other end. We read the kinds that can refer to the listed
 * type (REFERRERS) from the cluster's API, once per request, and index their
 * outward relationships by target.
 */
import type { ClusterKube } from './cluster-kube';
import type { SteveSchema } from './schema-catalog';
import { steveId, withKind, type Json } from './steve-resource';
import { relatedState, relationships, type SteveRelationship } from './summarize';

const WORKLOADS = [
  'pod',
  'apps.deployment',
  'apps.replicaset',
  'apps.statefulset',
  'apps.daemonset',
  'batch.job',
  'batch.cronjob',
];

/** Which types can hold a relationship to objects of a type (owner references, pod volumes and env, service accounts). */
export const REFERRERS: Record<string, string[]> = {
  configmap: WORKLOADS,
  secret: WORKLOADS,
  serviceaccount: WORKLOADS,
  'apps.deployment': ['apps.replicaset'],
  'apps.replicaset': ['pod'],
  'apps.statefulset': ['pod', 'apps.controllerrevision'],
  'apps.daemonset': ['pod', 'apps.controllerrevision'],
  'batch.job': ['pod'],
  'batch.cronjob': ['batch.job'],
  service: ['discovery.k8s.io.endpointslice'],
  node: ['coordination.k8s.io.lease'],
};

function key(type: string, id: string): string {
  return `${type}|${id}`;
}

/**
 * Inbound relationships of the objects of `target` (in `namespace`, or all),
 * by `type|id`. Types the cluster does not have, or will not list, add nothing.
 */
export async function inboundRelationships(
  kube: ClusterKube,
  schemas: Map<string, SteveSchema>,
  target: SteveSchema,
  namespace: string | undefined,
  schemaIdOf: (apiVersion: string, kind: string) => string | undefined,
): Promise<Map<string, SteveRelationship[]>> {
  const index = new Map<string, SteveRelationship[]>();
  const sources = (REFERRERS[target.id] ?? [])
    .map((id) => schemas.get(id))
    .filter((s): s is SteveSchema => !!s && s.verbs.includes('list'));
  const lists = await Promise.all(
    sources.map(async (s) => {
      const ns = s.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
      const answer = await kube
        .request<{ items?: Json[] }>('GET', `${s.apiPrefix}${ns}/${s.resource}`)
        .catch(() => undefined);
      const items = answer?.status === 200 ? (answer.body.items ?? []) : [];
      return { schema: s, items: items.map((i) => withKind(i, s)) };
    }),
  );
  const now = Date.now();
  for (const { schema, items } of lists) {
    for (const other of items) {
      const otherId = steveId(other);
      let state: ReturnType<typeof relatedState> | undefined;
      for (const rel of relationships(other, schemaIdOf)) {
        // A relationship naming the target: reversed, it names `other` from the target's side.
        const toTarget = rel.toId && rel.toType === target.id;
        const fromTarget = rel.fromId && rel.fromType === target.id;
        if (!toTarget && !fromTarget) continue;
        state ??= relatedState(other, now);
        const reversed: SteveRelationship = toTarget
          ? { fromId: otherId, fromType: schema.id, rel: rel.rel, ...state }
          : { toId: otherId, toType: schema.id, rel: rel.rel, ...state };
        const k = key(target.id, (toTarget ? rel.toId : rel.fromId)!);
        const list = index.get(k);
        if (list) list.push(reversed);
        else index.set(k, [reversed]);
      }
    }
  }
  return index;
}

export function inboundOf(
  index: Map<string, SteveRelationship[]>,
  type: string,
  id: string,
): SteveRelationship[] {
  return index.get(key(type, id)) ?? [];
}
