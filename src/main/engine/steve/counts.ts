/**
 * `/v1/counts`: how many objects of each type the cluster has, in total and
 * per namespace, with the summary states the dashboard colours by (only
 * `error` and `in-progress` are recorded, as Steve records them). Every type
 * that can be listed and watched is counted.
 */
import type { ClusterKube } from './cluster-kube';
import type { SteveSchema } from './schema-catalog';
import { withKind } from './steve-resource';
import { summarize } from './summarize';

export interface CountSummary {
  count?: number;
  states?: Record<string, number>;
  errors?: number;
  transitioning?: number;
}
export interface TypeCount {
  summary: CountSummary;
  namespaces?: Record<string, CountSummary>;
}

function add(into: CountSummary, state: { error: boolean; transitioning: boolean }): void {
  into.count = (into.count ?? 0) + 1;
  const simple = state.error ? 'error' : state.transitioning ? 'in-progress' : undefined;
  if (simple) (into.states ??= {})[simple] = (into.states[simple] ?? 0) + 1;
  if (state.error) into.errors = (into.errors ?? 0) + 1;
  if (state.transitioning) into.transitioning = (into.transitioning ?? 0) + 1;
}

/** Counts of every listable and watchable type, 8 types at a time. */
export async function countAll(
  kube: ClusterKube,
  schemas: SteveSchema[],
): Promise<Record<string, TypeCount>> {
  const countable = schemas.filter(
    (s) => !s.steveOwn && s.verbs.includes('list') && s.verbs.includes('watch'),
  );
  const counts: Record<string, TypeCount> = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < countable.length) {
      const s = countable[next++]!;
      const answer = await kube
        .request<{ items?: Record<string, unknown>[] }>('GET', `${s.apiPrefix}/${s.resource}`)
        .catch(() => undefined);
      // A type the cluster's API will not list (refused kinds) is left out, as Steve leaves out what it cannot watch.
      if (answer?.status !== 200) continue;
      const entry: TypeCount = { summary: {} };
      for (const item of answer.body.items ?? []) {
        const state = summarize(withKind(item, s));
        add(entry.summary, state);
        const ns = (item.metadata as { namespace?: string } | undefined)?.namespace;
        if (s.namespaced && ns) add(((entry.namespaces ??= {})[ns] ??= {}), state);
      }
      counts[s.id] = entry;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return Object.fromEntries(
    Object.keys(counts)
      .sort()
      .map((k) => [k, counts[k]!]),
  );
}

/** The single `count` resource, as `/v1/counts/count` and the collection's one item. */
export function countResource(base: string, counts: Record<string, TypeCount>): Record<string, unknown> {
  return { id: 'count', type: 'count', links: { self: `${base}/v1/counts/count` }, counts };
}

export function countCollection(base: string, counts: Record<string, TypeCount>): Record<string, unknown> {
  return {
    type: 'collection',
    links: { self: `${base}/v1/counts` },
    actions: {},
    resourceType: 'count',
    data: [countResource(base, counts)],
  };
}
