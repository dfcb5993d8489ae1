/**
 * The engine's fault injection for chosen clusters: the registry of faults
 * in effect and the three places they act: tunnelled connections (latency,
 * bandwidth: shapeTunnel wraps what a tunnel dials), the virtual API
 * (api_errors: apiError decides each request) and node heartbeats
 * (pause_heartbeats: the pauser follows the registry). Dropping tunnels,
 * refusing connects and the reconnect storm act on the tunnels themselves
 * and stay with the engine.
 */
import type { Duplex } from 'node:stream';
import type {
  ActiveFault,
  ApiErrorCode,
  InjectFaultRequest,
  TargetedFaultKind,
} from '../../../shared/faults';
import { TARGETED_FAULT_KINDS } from '../../../shared/faults';
import type { KubeRest } from '../kube/kube-rest';
import type { Logger } from '../telemetry/logger';
import type { ClusterCaches } from '../provisioning/cluster-caches';
import { FaultRegistry, toActiveFault } from './fault-registry';
import { HeartbeatPauser } from './heartbeat-pauser';
import { decideApiError, type InjectedApiError } from './injected-api-error';
import { LinkBudget } from './link-budget';
import { ShapingDuplex, type ShapingPolicy } from './shaping-duplex';

export interface FaultInjectionDeps {
  logger: Logger;
  provisioner: () => Promise<{ rest: KubeRest; caches: ClusterCaches }>;
  /** Paused clusters' nodes were resumed. */
  onHeartbeatsResumed: (cluster: string) => void;
  /** The fault list changed (injected, cleared, expired). */
  onChanged: () => void;
  onApiError?: (code: ApiErrorCode) => void;
  onShaped?: (kind: 'latency' | 'bandwidth', bytes: number) => void;
}

type TargetedRequest = Extract<InjectFaultRequest, { kind: TargetedFaultKind }>;

export class FaultInjection {
  readonly registry = new FaultRegistry();
  readonly heartbeats: HeartbeatPauser;
  private readonly budgets = new Map<string, { in: LinkBudget; out: LinkBudget }>();

  constructor(private readonly deps: FaultInjectionDeps) {
    this.heartbeats = new HeartbeatPauser({
      provisioner: deps.provisioner,
      paused: (cluster) => this.registry.heartbeatsPaused(cluster),
      anyPaused: () => this.registry.hasKind('pause_heartbeats'),
      onResumed: deps.onHeartbeatsResumed,
      logger: deps.logger,
    });
    this.registry.on('changed', () => {
      if (!this.registry.hasKind('bandwidth')) this.budgets.clear();
      void this.heartbeats.sync();
      deps.onChanged();
    });
  }

  static isTargeted(request: InjectFaultRequest): request is TargetedRequest {
    return (TARGETED_FAULT_KINDS as readonly string[]).includes(request.kind);
  }

  /** Puts a validated fault in effect (the clusters it names exist: the engine checked). */
  inject(request: TargetedRequest): ActiveFault {
    const clusters = request.clusters ? [...new Set(request.clusters)] : undefined;
    const parameters =
      request.kind === 'latency'
        ? { ms: request.ms }
        : request.kind === 'bandwidth'
          ? { bytesPerSecond: request.bytesPerSecond }
          : request.kind === 'api_errors'
            ? { rate: request.rate, code: request.code ?? 503 }
            : {};
    const fault = toActiveFault(this.registry.add(request.kind, clusters, parameters, request.seconds));
    this.deps.logger.warn(
      { fault: fault.id, kind: fault.kind, clusters: clusters?.length ?? 'all', ...parameters },
      `Fault injection: ${fault.kind} ${fault.id} for ${clusters ? `${clusters.length} clusters` : 'all clusters'}${
        request.seconds ? ` for ${request.seconds} s` : ' until cleared'
      }`,
    );
    return fault;
  }

  list(): ActiveFault[] {
    return this.registry.list().map(toActiveFault);
  }

  has(id: string): boolean {
    return this.registry.get(id) !== undefined;
  }

  remove(id: string): ActiveFault | undefined {
    const removed = this.registry.remove(id);
    if (removed) this.deps.logger.info({ fault: id }, `Fault injection: ${removed.kind} ${id} cleared`);
    return removed && toActiveFault(removed);
  }

  clear(): ActiveFault[] {
    const cleared = this.registry.clear();
    if (cleared.length > 0) this.deps.logger.info(`Fault injection: ${cleared.length} faults cleared`);
    return cleared.map(toActiveFault);
  }

  /** Faults in effect per kind (metrics). */
  activeByKind(): Record<TargetedFaultKind, number> {
    const counts = Object.fromEntries(TARGETED_FAULT_KINDS.map((k) => [k, 0])) as Record<
      TargetedFaultKind,
      number
    >;
    for (const f of this.registry.list()) counts[f.kind]++;
    return counts;
  }

  /** The local end of a tunnelled connection, wrapped so latency and bandwidth faults apply to it. */
  shapeTunnel(cluster: string, stream: Duplex): Duplex {
    return new ShapingDuplex(stream, this.policy(cluster));
  }

  /** An injected error for one virtual API request of a cluster, or undefined to answer normally. */
  apiError(cluster: string): InjectedApiError | undefined {
    const error = decideApiError(this.registry.apiErrors(cluster));
    if (error) this.deps.onApiError?.(error.code);
    return error;
  }

  /**
   * Ends every fault at shutdown: paused nodes get their heartbeats back
   * (waited for up to `waitMs`; kwok also takes them back by itself once the
   * leases lapse), then the timers stop.
   */
  async shutdown(waitMs = 5000): Promise<void> {
    const hadPause = this.heartbeats.pausedNodes > 0;
    this.registry.clear();
    if (hadPause) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.heartbeats.sync(), new Promise((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
    }
    this.registry.stop();
    this.heartbeats.stop();
  }

  private policy(cluster: string): ShapingPolicy {
    return {
      latencyMs: () => this.registry.latencyMs(cluster),
      capped: () => this.registry.bandwidth(cluster) !== undefined,
      reserve: (direction, bytes) => {
        const cap = this.registry.bandwidth(cluster);
        if (cap === undefined) return 0;
        let budget = this.budgets.get(cluster);
        if (!budget) this.budgets.set(cluster, (budget = { in: new LinkBudget(), out: new LinkBudget() }));
        return budget[direction].reserve(bytes, cap);
      },
      onShaped: this.deps.onShaped,
    };
  }
}
