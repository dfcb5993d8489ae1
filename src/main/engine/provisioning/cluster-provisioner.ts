/**
 * Owns every simulated cluster's presence in the main cluster: provisioning,
 * deletion, and the reconcilers that keep clusters looking real (node status,
 * pod-requests/pod-limits annotations, binding of controller-made pods).
 */
import type { ClusterNode } from '../../../shared/cluster-nodes';
import { clusterNodeDetails } from './cluster-node-details';
import type { KubeRest } from '../kube/kube-rest';
import type { Logger } from '../telemetry/logger';
import { deleteClusterObjects } from './delete-cluster-objects';
import { DesiredClusters } from './desired-clusters';
import { provisionCluster, type ProvisionOptions } from './provision-cluster';
import { NodeStatusReconciler } from './reconcilers/node-status-reconciler';
import { PodResourcesReconciler } from './reconcilers/pod-resources-reconciler';
import { ClusterPodBinder } from './reconcilers/cluster-pod-binder';
import { ClusterCaches } from './cluster-caches';
import { EngineError } from '../../../shared/errors';
import { AGENT_LABEL, anchorNamespace, CLUSTER_LABEL } from './main-cluster-names';
import type { ClusterTemplate } from './template/cluster-template';

export interface ClusterCounts {
  nodes: number;
  pods: number;
}

export class ClusterProvisioner {
  readonly caches: ClusterCaches;
  readonly desired = new DesiredClusters();
  readonly nodeStatus: NodeStatusReconciler;
  readonly podResources: PodResourcesReconciler;
  readonly binder: ClusterPodBinder;
  private started = false;

  /**
   * `owner` is this agent's id, written on each cluster's anchor namespace.
   * Agents sharing a main cluster (shards) act only on their own clusters:
   * the reconcilers skip clusters this provisioner does not keep.
   */
  constructor(
    readonly rest: KubeRest,
    private readonly logger: Logger,
    readonly owner = 'agent',
  ) {
    this.caches = new ClusterCaches(rest, logger);
    const keeps = (cluster: string): boolean => this.desired.get(cluster) !== undefined;
    this.nodeStatus = new NodeStatusReconciler(rest, this.caches, this.desired, logger);
    this.podResources = new PodResourcesReconciler(rest, this.caches, logger, keeps);
    this.binder = new ClusterPodBinder(rest, this.caches, logger, keeps);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.caches.start();
    this.nodeStatus.start();
    this.podResources.start();
    this.binder.start();
  }

  stop(): void {
    this.nodeStatus.stop();
    this.podResources.stop();
    this.binder.stop();
    this.caches.stop();
  }

  /** Clusters that have objects in the main cluster (from the namespace watch). */
  clustersPresent(): Set<string> {
    const clusters = new Set<string>();
    for (const ns of this.caches.namespaces.list()) {
      const t = ns.metadata.labels?.[CLUSTER_LABEL];
      if (t) clusters.add(t);
    }
    return clusters;
  }

  /** The owning agent of each cluster with an anchor namespace ('' for clusters made before owners were written). */
  clusterOwners(): Map<string, string> {
    const owners = new Map<string, string>();
    for (const ns of this.caches.namespaces.list()) {
      const labels = ns.metadata.labels ?? {};
      const cluster = labels[CLUSTER_LABEL];
      if (cluster && ns.metadata.name === anchorNamespace(cluster))
        owners.set(cluster, labels[AGENT_LABEL] ?? '');
    }
    return owners;
  }

  /** Registers the template the reconcilers hold a cluster to (also after a restart). */
  keep(cluster: string, template: ClusterTemplate): void {
    this.desired.set(cluster, template);
    this.nodeStatus.recheckCluster(cluster);
  }

  /** Makes (or re-converges) a cluster's objects; refuses a cluster another agent owns in a shared main cluster. */
  async provision(cluster: string, template: ClusterTemplate, options?: ProvisionOptions): Promise<void> {
    const anchor = this.caches.namespaces.get(anchorNamespace(cluster));
    const owner = anchor?.metadata.labels?.[AGENT_LABEL];
    if (owner && owner !== this.owner)
      throw new EngineError(
        'conflict',
        `cluster ${cluster} already exists in the main cluster and belongs to ${owner}; this agent is ${this.owner}`,
      );
    this.keep(cluster, template);
    await provisionCluster(this.rest, this.logger, cluster, template, { ...options, owner: this.owner });
  }

  async delete(cluster: string): Promise<void> {
    this.desired.forget(cluster);
    await deleteClusterObjects(this.rest, this.logger, cluster);
  }

  /** The cluster's nodes with capacity and what their pods request, from the caches. */
  nodeDetails(cluster: string): ClusterNode[] {
    return clusterNodeDetails(this.caches, this.podResources, cluster);
  }

  counts(cluster: string): ClusterCounts {
    return this.allCounts().get(cluster) ?? { nodes: 0, pods: 0 };
  }

  /** Node and pod counts of every cluster, in one pass over the caches. */
  allCounts(): Map<string, ClusterCounts> {
    const counts = new Map<string, ClusterCounts>();
    const entry = (t: string): ClusterCounts => {
      let c = counts.get(t);
      if (!c) counts.set(t, (c = { nodes: 0, pods: 0 }));
      return c;
    };
    for (const n of this.caches.nodes.list()) {
      const t = n.metadata.labels?.[CLUSTER_LABEL];
      if (t) entry(t).nodes++;
    }
    for (const p of this.caches.pods.list()) {
      const t = this.caches.clusterOfNamespace(p.metadata.namespace);
      if (t) entry(t).pods++;
    }
    return counts;
  }
}
