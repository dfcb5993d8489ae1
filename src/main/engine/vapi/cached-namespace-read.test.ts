/**
 * The namespace reads answered from the engine's watch: the answer is the
 * cluster's own view, follows every change the watch brings, never touches
 * the cache's object, and steps aside for a cluster's own recent writes.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterCaches } from '../provisioning/cluster-caches';
import { hostNamespace, CLUSTER_LABEL, CLUSTER_NAMESPACE_LABEL } from '../provisioning/main-cluster-names';
import { CachedNamespaceReads } from './cached-namespace-read';
import { ClusterView } from './translate/cluster-view';

const CLUSTER = 'c1';
const HOST = hostNamespace(CLUSTER, 'kube-system');

/** A synced namespace watch holding one object, which a test can replace as a watch event would. */
function watchWith(labels: Record<string, string>) {
  const byName = new Map<string, unknown>();
  const put = (extra: Record<string, string>) =>
    byName.set(HOST, {
      metadata: {
        name: HOST,
        uid: 'u1',
        labels: { [CLUSTER_LABEL]: CLUSTER, [CLUSTER_NAMESPACE_LABEL]: 'kube-system', ...extra },
      },
    });
  put(labels);
  const caches = {
    namespaces: { synced: true, get: (n: string) => byName.get(n), list: () => [...byName.values()] },
  } as unknown as ClusterCaches;
  return { caches, put, object: () => byName.get(HOST) };
}

const HEALTH_CHECK = new URL('https://api/api/v1/namespaces/kube-system?timeout=45s');
type Answer = { metadata: { name: string; labels: Record<string, string> } } | undefined;

describe('CachedNamespaceReads', () => {
  it("answers in the cluster's names, the same answer while nothing changed, a new one after a change", () => {
    const watch = watchWith({ team: 'a' });
    const reads = new CachedNamespaceReads(watch.caches);
    const view = new ClusterView(CLUSTER, watch.caches);
    const before = structuredClone(watch.object());

    const first = reads.read(view, 'kube-system', HEALTH_CHECK, 'application/json') as Answer;
    expect(first).toMatchObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
    expect(first?.metadata.labels.team).toBe('a');
    expect(reads.read(view, 'kube-system', HEALTH_CHECK, undefined)).toEqual(first);
    // The cache's own object is left as it was.
    expect(watch.object()).toEqual(before);

    watch.put({ team: 'b' });
    const changed = reads.read(view, 'kube-system', HEALTH_CHECK, undefined) as Answer;
    expect(changed?.metadata.labels.team).toBe('b');
  });

  it('sends a cluster that just wrote a namespace, a Table or any other query to the apiserver', () => {
    const watch = watchWith({});
    const reads = new CachedNamespaceReads(watch.caches);
    const view = new ClusterView(CLUSTER, watch.caches);
    expect(
      reads.read(view, 'kube-system', HEALTH_CHECK, 'application/json;as=Table;v=v1;g=meta.k8s.io'),
    ).toBe(undefined);
    expect(reads.read(view, 'kube-system', new URL('https://api/x?resourceVersion=5'), undefined)).toBe(
      undefined,
    );
    expect(reads.read(view, 'absent', HEALTH_CHECK, undefined)).toBe(undefined);
    reads.wrote(CLUSTER);
    expect(reads.read(view, 'kube-system', HEALTH_CHECK, undefined)).toBe(undefined);
  });
});
