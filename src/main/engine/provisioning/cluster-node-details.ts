/**
 * A cluster's nodes with what they hold, for the details pane: read from the
 * shared watch caches (no apiserver call), with requests and limits summed
 * the way the pod-resources reconciler writes them onto the node.
 */
import type { ClusterNode } from '../../../shared/cluster-nodes';
import type { PodResourcesReconciler } from './reconcilers/pod-resources-reconciler';
import type { ClusterCaches } from './cluster-caches';

const ROLE_PREFIX = 'node-role.kubernetes.io/';

export function clusterNodeDetails(
  caches: ClusterCaches,
  podResources: PodResourcesReconciler,
  cluster: string,
): ClusterNode[] {
  return caches
    .clusterNodes(cluster)
    .map((node) => {
      const name = node.metadata.name;
      const expected = podResources.expected(name);
      return {
        name,
        ready: node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown',
        roles: Object.keys(node.metadata.labels ?? {})
          .filter((l) => l.startsWith(ROLE_PREFIX))
          .map((l) => l.slice(ROLE_PREFIX.length)),
        capacity: { ...(node.status?.capacity ?? {}) },
        allocatable: { ...(node.status?.allocatable ?? {}) },
        requested: JSON.parse(expected.requests) as Record<string, string>,
        limits: JSON.parse(expected.limits) as Record<string, string>,
        pods: caches.podsOnNode(name).filter((p) => !p.metadata.deletionTimestamp).length,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}
