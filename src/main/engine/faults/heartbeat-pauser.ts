/**
 * Pauses and resumes the heartbeats of simulated nodes, so they go NotReady
 * the way a node whose kubelet stopped does, and stay so.
 *
 * kwok (with kwokctl's node leases) heartbeats a node only while it holds the
 * node's Lease in kube-node-lease; a node whose lease another holder has not
 * let expire is read-only to it (kwok's node controller: "Skip node, reason
 * read only"). So a pause takes the lease over and writes what the node
 * lifecycle controller writes after missed heartbeats (Ready and the
 * pressure conditions Unknown, NodeStatusUnknown); the controller then
 * taints the node unreachable by itself. The lease keeps its renew time
 * (no heartbeat) while its duration is stretched every KEEP_MS, so kwok, which
 * retries when the lease expires, is never more than WINDOW_S away from
 * taking it back: resume lets the lease expire and posts Ready at once, and
 * kwok resumes heartbeating within WINDOW_S, well inside the controller's
 * grace period. If the agent dies during a pause the lease lapses and kwok
 * heals the nodes by itself. The node-status reconciler leaves paused
 * clusters alone (a stopped kubelet posts nothing).
 */
import { isNotFound } from '../kube/kube-api-error';
import type { KubeRest } from '../kube/kube-rest';
import type { Logger } from '../telemetry/logger';
import type { NodeObject, ClusterCaches } from '../provisioning/cluster-caches';
import { CLUSTER_LABEL } from '../provisioning/main-cluster-names';
import { mapConcurrent } from '../util/map-concurrent';
import { notReadyStatusPatch, readyStatus, readyStatusPatch } from './node-heartbeat-conditions';

export const PAUSE_HOLDER = 'scale-cluster-agent/heartbeats-paused';
/** How far ahead the taken-over lease expires; kwok takes it back at most this long after a resume. */
const WINDOW_S = 30;
const KEEP_MS = 10_000;
/** Node writes in flight at once (a pause of every cluster touches every node). */
const CONCURRENCY = 16;
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';

export interface HeartbeatPauserDeps {
  /** The provisioner's client and caches; only asked while something is or was paused. */
  provisioner: () => Promise<{ rest: KubeRest; caches: ClusterCaches }>;
  paused: (cluster: string) => boolean;
  /** Any pause in effect at all. */
  anyPaused: () => boolean;
  /** A cluster's nodes were resumed (the node-status reconciler looks at them again). */
  onResumed: (cluster: string) => void;
  logger: Logger;
}

interface PausedNode {
  cluster: string;
  since: Date;
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class HeartbeatPauser {
  private readonly paused = new Map<string, PausedNode>();
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: HeartbeatPauserDeps) {}

  /** Nodes held NotReady now. */
  get pausedNodes(): number {
    return this.paused.size;
  }

  isPausedNode(name: string): boolean {
    return this.paused.has(name);
  }

  /** Brings the nodes in line with the faults; runs one at a time, again if asked meanwhile. */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.syncOnce();
        } catch (err) {
          this.deps.logger.warn({ err }, `heartbeat pause: ${(err as Error).message}`);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
      this.arm();
    });
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** While anything is paused, look again every KEEP_MS (new nodes, stretched leases, repairs). */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || this.paused.size === 0) return;
    this.timer = setTimeout(() => void this.sync(), KEEP_MS);
    this.timer.unref();
  }

  private async syncOnce(): Promise<void> {
    if (this.stopped) return;
    if (!this.deps.anyPaused() && this.paused.size === 0) return;
    const { rest, caches } = await this.deps.provisioner();
    const nodes = new Map<string, NodeObject>();
    for (const n of caches.nodes.list()) nodes.set(n.metadata.name, n);

    const toPause: NodeObject[] = [];
    const toKeep: NodeObject[] = [];
    for (const node of nodes.values()) {
      const cluster = node.metadata.labels?.[CLUSTER_LABEL];
      if (!cluster || !this.deps.paused(cluster) || node.metadata.deletionTimestamp) continue;
      (this.paused.has(node.metadata.name) ? toKeep : toPause).push(node);
    }
    const toResume = [...this.paused].filter(([name]) => {
      const node = nodes.get(name);
      const cluster = node?.metadata.labels?.[CLUSTER_LABEL];
      return !node || !cluster || !this.deps.paused(cluster);
    });

    await mapConcurrent(toPause, CONCURRENCY, (node) => this.pause(rest, node));
    await mapConcurrent(toKeep, CONCURRENCY, (node) => this.keep(rest, node));
    await mapConcurrent(toResume, CONCURRENCY, ([name, entry]) =>
      this.resume(rest, name, entry, nodes.has(name)),
    );
    const resumedClusters = new Set(toResume.map(([, e]) => e.cluster));
    for (const cluster of resumedClusters) this.deps.onResumed(cluster);
    if (toPause.length > 0 || toResume.length > 0) {
      this.deps.logger.info(
        { paused: toPause.length, resumed: toResume.length, held: this.paused.size },
        `Fault injection: heartbeats paused on ${toPause.length} nodes, resumed on ${toResume.length}; ${this.paused.size} nodes held NotReady`,
      );
    }
  }

  private async pause(rest: KubeRest, node: NodeObject): Promise<void> {
    const name = node.metadata.name;
    const cluster = node.metadata.labels?.[CLUSTER_LABEL] ?? '';
    const since = new Date();
    try {
      await this.holdLease(rest, node, since, WINDOW_S);
      await this.patchStatus(rest, name, notReadyStatusPatch(node.status?.conditions, since));
      this.paused.set(name, { cluster, since });
    } catch (err) {
      if (isNotFound(err)) return; // the node went away meanwhile
      this.deps.logger.warn({ node: name, err }, `could not pause the heartbeats of node/${name}`);
    }
  }

  /** Stretches the lease (its renew time stays: no heartbeat) and undoes any repair. */
  private async keep(rest: KubeRest, node: NodeObject): Promise<void> {
    const name = node.metadata.name;
    const entry = this.paused.get(name);
    if (!entry) return;
    const held = Math.ceil((Date.now() - entry.since.getTime()) / 1000);
    try {
      await this.holdLease(rest, node, entry.since, held + WINDOW_S);
      if (readyStatus(node.status?.conditions) === 'True') {
        this.deps.logger.debug(
          { node: name },
          `node/${name} was marked Ready during a heartbeat pause; undone`,
        );
        await this.patchStatus(rest, name, notReadyStatusPatch(node.status?.conditions));
      }
    } catch (err) {
      if (isNotFound(err)) return;
      this.deps.logger.warn({ node: name, err }, `could not keep node/${name} paused`);
    }
  }

  private async resume(rest: KubeRest, name: string, entry: PausedNode, exists: boolean): Promise<void> {
    this.paused.delete(name);
    if (!exists) return;
    try {
      // Expired: kwok takes the lease back at its next try (at most WINDOW_S away).
      await rest
        .mergePatch(`${LEASES}/${name}`, { spec: { leaseDurationSeconds: 1 } })
        .catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      await this.patchStatus(rest, name, readyStatusPatch());
    } catch (err) {
      if (isNotFound(err)) return;
      this.deps.logger.warn(
        { node: name, cluster: entry.cluster, err },
        `could not resume the heartbeats of node/${name}; kwok takes it back within ${WINDOW_S} s`,
      );
    }
  }

  private async holdLease(
    rest: KubeRest,
    node: NodeObject,
    since: Date,
    durationSeconds: number,
  ): Promise<void> {
    const name = node.metadata.name;
    const spec = {
      holderIdentity: PAUSE_HOLDER,
      leaseDurationSeconds: durationSeconds,
      renewTime: microTime(since),
    };
    try {
      await rest.mergePatch(`${LEASES}/${name}`, { spec });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // No lease yet (kwok has not got to the node): ours, owned by the node so it goes with it.
      await rest.request('POST', LEASES, {
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name,
            namespace: 'kube-node-lease',
            ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }],
          },
          spec,
        },
      });
    }
  }

  private patchStatus(rest: KubeRest, name: string, patch: object): Promise<unknown> {
    return rest.request('PATCH', `/api/v1/nodes/${name}/status`, {
      body: patch,
      contentType: 'application/strategic-merge-patch+json',
    });
  }
}
