/**
 * The clusters' scheduler. The main cluster runs no kube-scheduler (template
 * pods are pinned by nodeName), but pods made by controllers (a Deployment's
 * replicas, Rancher's cattle-cluster-agent) arrive unbound. A shared
 * scheduler would also place one cluster's pod on another cluster's node; this
 * binder places each pod on its own cluster's least-loaded Ready node.
 */
import { isNotFound } from '../../kube/kube-api-error';
import type { KubeRest } from '../../kube/kube-rest';
import type { Logger } from '../../telemetry/logger';
import type { PodObject, ClusterCaches } from '../cluster-caches';

export class ClusterPodBinder {
  private readonly inFlight = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  bindings = 0;

  constructor(
    private readonly rest: KubeRest,
    private readonly caches: ClusterCaches,
    private readonly logger: Logger,
    /** Clusters this agent keeps; pods of other agents' clusters (a shared main cluster) are theirs to place. */
    private readonly keeps: (cluster: string) => boolean = () => true,
  ) {}

  start(): void {
    this.caches.pods.on('added', (p) => this.consider(p));
    this.caches.pods.on('updated', (_old, p) => this.consider(p));
    // A pod that arrived before its cluster had nodes waits for them.
    this.caches.nodes.on('added', () => this.retryUnbound());
    this.retryUnbound();
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private retryUnbound(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      for (const p of this.caches.pods.list()) this.consider(p);
    }, 200);
  }

  private consider(pod: PodObject): void {
    if (pod.spec?.nodeName || pod.metadata.deletionTimestamp) return;
    const cluster = this.caches.clusterOfNamespace(pod.metadata.namespace);
    if (!cluster || !this.keeps(cluster)) return;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (this.inFlight.has(key)) return;
    const node = this.pickNode(cluster);
    if (!node) return;
    this.inFlight.add(key);
    void this.bind(pod, node).finally(() => this.inFlight.delete(key));
  }

  private pickNode(cluster: string): string | undefined {
    let best: { name: string; load: number } | undefined;
    for (const n of this.caches.clusterNodes(cluster)) {
      const ready = n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (!ready || n.spec?.unschedulable) continue;
      const load = this.caches.podsOnNode(n.metadata.name).length;
      if (!best || load < best.load) best = { name: n.metadata.name, load };
    }
    return best?.name;
  }

  private async bind(pod: PodObject, node: string): Promise<void> {
    const { namespace, name } = pod.metadata;
    try {
      await this.rest.request('POST', `/api/v1/namespaces/${namespace}/pods/${name}/binding`, {
        body: {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace },
          target: { apiVersion: 'v1', kind: 'Node', name: node },
        },
        attempts: 2,
      });
      this.bindings++;
    } catch (err) {
      if (!isNotFound(err)) this.logger.debug({ pod: `${namespace}/${name}`, err }, 'pod binding failed');
    }
  }
}
