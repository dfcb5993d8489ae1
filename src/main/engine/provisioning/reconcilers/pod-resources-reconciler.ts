/**
 * Does the job of Rancher agent's podresources controller: on every cluster
 * node, the annotations management.cattle.io/pod-requests and pod-limits hold
 * the exact sums of its non-terminated pods' requests and limits. Driven by
 * the shared pod and node watches; changed nodes are recomputed in batches
 * every `flushMs`, and an edit of the annotations is repaired like any change.
 */
import type { KubeRest } from '../../kube/kube-rest';
import type { Logger } from '../../telemetry/logger';
import { CLUSTER_LABEL } from '../main-cluster-names';
import { nodePodRequestsAndLimits, type PodResourcesLike } from '../quantity';
import type { NodeObject, PodObject, ClusterCaches } from '../cluster-caches';

export const POD_REQUESTS_ANNOTATION = 'management.cattle.io/pod-requests';
export const POD_LIMITS_ANNOTATION = 'management.cattle.io/pod-limits';

export class PodResourcesReconciler {
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  patches = 0;

  constructor(
    private readonly rest: KubeRest,
    private readonly caches: ClusterCaches,
    private readonly logger: Logger,
    /** Clusters this agent keeps; other agents' nodes (a shared main cluster) are theirs to annotate. */
    private readonly keeps: (cluster: string) => boolean = () => true,
    private readonly flushMs = 500,
  ) {}

  start(): void {
    const markPod = (p: PodObject): void => {
      if (p.spec?.nodeName) this.mark(p.spec.nodeName);
    };
    this.caches.pods.on('added', markPod);
    this.caches.pods.on('deleted', markPod);
    this.caches.pods.on('updated', (old, p) => {
      markPod(old);
      markPod(p);
    });
    this.caches.nodes.on('added', (n) => this.mark(n.metadata.name));
    this.caches.nodes.on('updated', (old, n) => {
      if (
        old.metadata.annotations?.[POD_REQUESTS_ANNOTATION] !==
          n.metadata.annotations?.[POD_REQUESTS_ANNOTATION] ||
        old.metadata.annotations?.[POD_LIMITS_ANNOTATION] !== n.metadata.annotations?.[POD_LIMITS_ANNOTATION]
      ) {
        this.mark(n.metadata.name);
      }
    });
    for (const n of this.caches.nodes.list()) this.mark(n.metadata.name);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** What the annotations of a node should say now. */
  expected(nodeName: string): { requests: string; limits: string } {
    const pods = this.caches.podsOnNode(nodeName).filter((p) => !p.metadata.deletionTimestamp);
    const sums = nodePodRequestsAndLimits(pods.map(toResourcesLike));
    return { requests: JSON.stringify(sums.requests), limits: JSON.stringify(sums.limits) };
  }

  private mark(nodeName: string): void {
    this.dirty.add(nodeName);
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const names = [...this.dirty];
    this.dirty.clear();
    for (const name of names) {
      const node = this.caches.nodes.get(name);
      if (node) await this.reconcile(node);
    }
  }

  private async reconcile(node: NodeObject): Promise<void> {
    const cluster = node.metadata.labels?.[CLUSTER_LABEL];
    if (!cluster || !this.keeps(cluster)) return;
    const want = this.expected(node.metadata.name);
    const have = node.metadata.annotations ?? {};
    if (have[POD_REQUESTS_ANNOTATION] === want.requests && have[POD_LIMITS_ANNOTATION] === want.limits)
      return;
    try {
      await this.rest.mergePatch(`/api/v1/nodes/${node.metadata.name}`, {
        metadata: {
          annotations: { [POD_REQUESTS_ANNOTATION]: want.requests, [POD_LIMITS_ANNOTATION]: want.limits },
        },
      });
      this.patches++;
    } catch (err) {
      this.logger.warn(
        { node: node.metadata.name, err },
        'could not update pod-requests/pod-limits annotations',
      );
      this.mark(node.metadata.name);
    }
  }
}

function toResourcesLike(p: PodObject): PodResourcesLike {
  return {
    phase: p.status?.phase,
    containers: (p.spec?.containers ?? []).map((c) => ({
      resources: { requests: c.resources?.requests, limits: c.resources?.limits },
    })),
    initContainers: (p.spec?.initContainers ?? []).map((c) => ({
      resources: { requests: c.resources?.requests, limits: c.resources?.limits },
    })),
    overhead: p.spec?.overhead,
  };
}
