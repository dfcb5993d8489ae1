/**
 * Keeps each simulated node's status what its template promises: capacity,
 * allocatable, addresses and nodeInfo. Anything that drifts (a user's edit,
 * kwok's defaults) is patched back, at most once a second per node.
 */
import { canonicalQuantity } from '../quantity';
import type { KubeRest } from '../../kube/kube-rest';
import type { Logger } from '../../telemetry/logger';
import type { NodeObject, ClusterCaches } from '../cluster-caches';
import { desiredNodeStatus, type NodeStatusFields } from '../cluster-objects';
import type { DesiredClusters } from '../desired-clusters';
import { CLUSTER_LABEL } from '../main-cluster-names';

export class NodeStatusReconciler {
  private readonly lastPatch = new Map<string, number>();
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  patches = 0;
  /** Clusters left alone for now: their heartbeats are paused (fault injection), and a stopped kubelet posts nothing. */
  skipCluster: (cluster: string) => boolean = () => false;

  constructor(
    private readonly rest: KubeRest,
    private readonly caches: ClusterCaches,
    private readonly desired: DesiredClusters,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.caches.nodes.on('added', (n) => this.check(n));
    this.caches.nodes.on('updated', (_old, n) => this.check(n));
    for (const n of this.caches.nodes.list()) this.check(n);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** Re-checks every node of a cluster (after its template is registered). */
  recheckCluster(cluster: string): void {
    for (const n of this.caches.clusterNodes(cluster)) this.check(n);
  }

  private check(node: NodeObject): void {
    const cluster = node.metadata.labels?.[CLUSTER_LABEL];
    if (cluster && this.skipCluster(cluster)) return;
    const want = this.want(node);
    if (!want || sameStatus(node, want)) return;
    const name = node.metadata.name;
    const since = Date.now() - (this.lastPatch.get(name) ?? 0);
    if (since < 1000) {
      this.pending.add(name);
      this.timer ??= setTimeout(() => this.flushPending(), 1000 - since);
      return;
    }
    void this.patch(name, want);
  }

  private want(node: NodeObject): NodeStatusFields | undefined {
    const cluster = node.metadata.labels?.[CLUSTER_LABEL];
    if (!cluster) return undefined;
    const templateNode = this.desired.templateNode(cluster, node.metadata.name);
    return templateNode ? desiredNodeStatus(cluster, templateNode) : undefined;
  }

  private flushPending(): void {
    this.timer = undefined;
    for (const name of this.pending) {
      const node = this.caches.nodes.get(name);
      if (node) this.check(node);
    }
    this.pending.clear();
  }

  private async patch(name: string, want: NodeStatusFields): Promise<void> {
    this.lastPatch.set(name, Date.now());
    try {
      await this.rest.mergePatch(`/api/v1/nodes/${name}/status`, { status: want });
      this.patches++;
      this.logger.debug({ node: name }, `Re-patched drifted status of node/${name}`);
    } catch (err) {
      this.logger.warn({ node: name, err }, `could not re-patch node/${name} status`);
    }
  }
}

function sameList(have: Record<string, string> | undefined, want: Record<string, string>): boolean {
  if (!have) return false;
  const keys = Object.keys(want);
  if (Object.keys(have).length !== keys.length) return false;
  return keys.every((k) => have[k] !== undefined && canonical(have[k]) === canonical(want[k] as string));
}

function canonical(q: string): string {
  try {
    return canonicalQuantity(q);
  } catch {
    return q;
  }
}

function sameStatus(node: NodeObject, want: NodeStatusFields): boolean {
  const s = node.status;
  if (!s) return false;
  if (!sameList(s.capacity, want.capacity) || !sameList(s.allocatable, want.allocatable)) return false;
  const addresses = (s.addresses ?? [])
    .map((a) => `${a.type}=${a.address}`)
    .sort()
    .join(',');
  if (
    addresses !==
    want.addresses
      .map((a) => `${a.type}=${a.address}`)
      .sort()
      .join(',')
  )
    return false;
  const info = (s.nodeInfo ?? {}) as unknown as Record<string, string>;
  return [
    'kubeletVersion',
    'osImage',
    'kernelVersion',
    'containerRuntimeVersion',
    'architecture',
    'operatingSystem',
  ].every((k) => info[k] === want.nodeInfo[k]);
}
