/**
 * Node and pod counts of ready clusters, as the cluster table shows them:
 * taken from the provisioner's shared watches in one pass on the engine's
 * status tick, and written to a record only when they changed (each write is
 * a `clusters.changed` event for every UI).
 */
import type { ClusterRegistry } from './cluster-registry';

export function refreshClusterCounts(
  registry: ClusterRegistry,
  counts: Map<string, { nodes: number; pods: number }>,
): void {
  for (const c of registry.list()) {
    if (c.status !== 'ready') continue;
    const now = counts.get(c.name) ?? { nodes: 0, pods: 0 };
    if (now.nodes !== c.nodeCount || now.pods !== c.podCount)
      registry.update(c.name, { nodeCount: now.nodes, podCount: now.pods });
  }
}
