import { describe, expect, it } from 'vitest';
import type { ClusterCaches } from '../../provisioning/cluster-caches';
import { hostNamespace, CLUSTER_LABEL, CLUSTER_NAMESPACE_LABEL } from '../../provisioning/main-cluster-names';
import { ObjectTranslator } from './object-translator';
import { ClusterView } from './cluster-view';

/** The namespace cache the view reads, holding the cluster's namespaces. */
function cachesWith(cluster: string, namespaces: string[]): ClusterCaches {
  const objects = namespaces.map((ns) => ({
    metadata: {
      name: hostNamespace(cluster, ns),
      labels: { [CLUSTER_LABEL]: cluster, [CLUSTER_NAMESPACE_LABEL]: ns },
    },
  }));
  const byName = new Map(objects.map((o) => [o.metadata.name, o]));
  return {
    namespaces: { get: (n: string) => byName.get(n), list: () => objects },
  } as unknown as ClusterCaches;
}

describe('owner references through the translation', () => {
  const view = () => new ClusterView('t1', cachesWith('t1', ['imp']));

  it("names a cluster-owned ClusterRole owner by its host name, and back by the cluster's", () => {
    const sa = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'cattle-impersonation-u-1',
        namespace: 'imp',
        ownerReferences: [
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRole',
            name: 'cattle-impersonation-u-1',
            uid: 'a',
          },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRole',
            name: 'cluster-admin',
            uid: 'b',
          },
          { apiVersion: 'v1', kind: 'Namespace', name: 'imp', uid: 'c' },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'same-namespace', uid: 'd' },
        ],
      },
    };
    const host = new ObjectTranslator(view()).toHost(structuredClone(sa));
    const refs = (host.metadata as { ownerReferences: Array<{ name: string }> }).ownerReferences;
    expect(refs.map((r) => r.name)).toEqual([
      'sca:t1:cattle-impersonation-u-1',
      'cluster-admin',
      hostNamespace('t1', 'imp'),
      'same-namespace',
    ]);
    const back = new ObjectTranslator(view()).toCluster(host);
    expect(back).toEqual(sa);
  });
});
