/**
 * The shared watches every cluster reconciler reads: cluster nodes, cluster
 * namespaces, and all pods (controller-made pods carry no label of ours,
 * so pods are watched whole and filtered by namespace). Three upstream
 * watches in all, whatever the number of clusters.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/kube-object';
import type { KubeRest } from '../kube/kube-rest';
import { WatchCache } from '../kube/watch-cache';
import type { Logger } from '../telemetry/logger';
import { CLUSTER_LABEL } from './main-cluster-names';

export type NodeObject = V1Node & KubeObject;
export type PodObject = V1Pod & KubeObject;

export class ClusterCaches {
  readonly nodes: WatchCache<NodeObject>;
  readonly namespaces: WatchCache<KubeObject>;
  readonly pods: WatchCache<PodObject>;
  /** nodeName -> keys of pods bound to it, kept from pod events. */
  private readonly podsByNode = new Map<string, Set<string>>();

  constructor(rest: KubeRest, logger: Logger) {
    this.nodes = new WatchCache<NodeObject>(rest, '/api/v1/nodes', logger, { labelSelector: CLUSTER_LABEL });
    this.namespaces = new WatchCache<KubeObject>(rest, '/api/v1/namespaces', logger, {
      labelSelector: CLUSTER_LABEL,
    });
    this.pods = new WatchCache<PodObject>(rest, '/api/v1/pods', logger);
    this.pods.on('added', (p) => this.indexPod(undefined, p));
    this.pods.on('updated', (old, p) => this.indexPod(old, p));
    this.pods.on('deleted', (p) => this.indexPod(p, undefined));
  }

  async start(): Promise<void> {
    await Promise.all([this.nodes.start(), this.namespaces.start(), this.pods.start()]);
  }

  stop(): void {
    this.nodes.stop();
    this.namespaces.stop();
    this.pods.stop();
  }

  /** Cluster that owns a host namespace, if any. */
  clusterOfNamespace(namespace: string | undefined): string | undefined {
    if (!namespace) return undefined;
    return this.namespaces.get(namespace)?.metadata.labels?.[CLUSTER_LABEL];
  }

  podsOnNode(nodeName: string): PodObject[] {
    const keys = this.podsByNode.get(nodeName);
    if (!keys) return [];
    return [...keys].flatMap((k) => {
      const p = this.pods.get(k);
      return p ? [p] : [];
    });
  }

  clusterNodes(cluster: string): NodeObject[] {
    return this.nodes.list().filter((n) => n.metadata.labels?.[CLUSTER_LABEL] === cluster);
  }

  private indexPod(old: PodObject | undefined, pod: PodObject | undefined): void {
    const key = (p: PodObject): string => `${p.metadata.namespace}/${p.metadata.name}`;
    const oldNode = old?.spec?.nodeName;
    const newNode = pod?.spec?.nodeName;
    if (old && oldNode && oldNode !== newNode) this.podsByNode.get(oldNode)?.delete(key(old));
    if (pod && newNode) {
      let set = this.podsByNode.get(newNode);
      if (!set) this.podsByNode.set(newNode, (set = new Set()));
      set.add(key(pod));
    }
  }
}
