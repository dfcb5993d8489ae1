/**
 * Removes everything a simulated cluster owns in the main cluster, found by
 * its cluster label (so a half-created cluster is removed just the same), and
 * waits until it is gone.
 */
import { isNotFound } from '../kube/kube-api-error';
import type { KubeList, KubeObject } from '../kube/kube-object';
import type { KubeRest } from '../kube/kube-rest';
import type { Logger } from '../telemetry/logger';
import { mapConcurrent } from '../util/map-concurrent';
import { clusterSelector } from './main-cluster-names';

/** Cluster-scoped kinds a cluster may own (created through its virtual API). */
const CLUSTER_CLUSTER_SCOPED = [
  '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
];

/** Workload controllers that would re-create pods while a namespace is being emptied (ReplicaSets last). */
const POD_CONTROLLERS = [
  '/apis/apps/v1/namespaces/{ns}/deployments',
  '/apis/apps/v1/namespaces/{ns}/statefulsets',
  '/apis/apps/v1/namespaces/{ns}/daemonsets',
  '/apis/batch/v1/namespaces/{ns}/jobs',
  '/apis/apps/v1/namespaces/{ns}/replicasets',
];

export async function deleteClusterObjects(
  rest: KubeRest,
  logger: Logger,
  cluster: string,
  timeoutMs = 120_000,
): Promise<void> {
  const selector = clusterSelector(cluster);
  const namespaces = await rest.get<KubeList<KubeObject>>('/api/v1/namespaces', { labelSelector: selector });
  // Controllers first, then pods with no grace: KWOK pods have no process
  // to stop. Left to the namespace controller, a Deployment's pods come back
  // and are then deleted with their 30 s grace period, which it waits out.
  await mapConcurrent(namespaces.items, 8, async (ns) => {
    for (const collection of POD_CONTROLLERS) {
      await ignoreNotFound(rest.request('DELETE', collection.replace('{ns}', ns.metadata.name)));
    }
    await ignoreNotFound(
      rest.request('DELETE', `/api/v1/namespaces/${ns.metadata.name}/pods`, {
        query: { gracePeriodSeconds: 0 },
      }),
    );
    await ignoreNotFound(rest.request('DELETE', `/api/v1/namespaces/${ns.metadata.name}`));
  });
  await ignoreNotFound(rest.request('DELETE', '/api/v1/nodes', { query: { labelSelector: selector } }));
  for (const path of CLUSTER_CLUSTER_SCOPED) {
    await ignoreNotFound(rest.request('DELETE', path, { query: { labelSelector: selector } }));
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [ns, nodes] = await Promise.all([
      rest.get<KubeList<KubeObject>>('/api/v1/namespaces', { labelSelector: selector, limit: 1 }),
      rest.get<KubeList<KubeObject>>('/api/v1/nodes', { labelSelector: selector, limit: 1 }),
    ]);
    if (ns.items.length === 0 && nodes.items.length === 0) break;
    if (Date.now() > deadline) {
      throw new Error(
        `cluster ${cluster} still has objects after ${timeoutMs / 1000}s (namespaces: ${ns.items.map((n) => n.metadata.name).join(', ') || 'none'})`,
      );
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  logger.info({ cluster }, `Removed all main-cluster objects of ${cluster}`);
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
