/**
 * Every fault kind behind one surface (faults.* channels, /faults): the
 * targeted faults of FaultInjection and the tunnel faults of TunnelFaults,
 * listed, injected and cleared together, with one debounced "changed" for
 * the UIs.
 */
import { EngineError } from '../../../shared/errors';
import type {
  ActiveFault,
  ClearFaultsResponse,
  FaultKind,
  InjectFaultRequest,
  InjectFaultResponse,
} from '../../../shared/faults';
import { FaultInjection, type FaultInjectionDeps } from './fault-injection';
import { TunnelFaults, type TunnelFaultsDeps, type TunnelFaultsSummary } from './tunnel-faults';

export type FaultsDeps = Omit<FaultInjectionDeps, 'onChanged'> &
  Omit<TunnelFaultsDeps, 'onChanged'> & {
    /** The list after a change, at most once per tick however many changes come together. */
    onChanged: (faults: ActiveFault[]) => void;
  };

/** GET /faults: the tunnel faults' summary and every fault in effect. */
export type FaultsSummary = TunnelFaultsSummary & { active: ActiveFault[] };

export class Faults {
  /** Latency, bandwidth, API errors and paused heartbeats for chosen clusters. */
  readonly targeted: FaultInjection;
  /** Dropped sessions, refused connects and the reconnect storm, for every cluster. */
  readonly tunnels: TunnelFaults;
  private changedTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: FaultsDeps) {
    const onChanged = (): void => this.changed();
    this.targeted = new FaultInjection({ ...deps, onChanged });
    this.tunnels = new TunnelFaults({ ...deps, onChanged });
  }

  /** Every fault in effect: the targeted ones, then refused connects and the storm. */
  list(): ActiveFault[] {
    return [...this.targeted.list(), ...this.tunnels.active()];
  }

  summary(): FaultsSummary {
    return { ...this.tunnels.summary(), active: this.list() };
  }

  /** Puts a validated fault in effect; the clusters it names must exist. */
  inject(request: InjectFaultRequest): InjectFaultResponse {
    for (const name of ('clusters' in request ? request.clusters : undefined) ?? [])
      this.deps.requireCluster(name);
    if (FaultInjection.isTargeted(request)) return { fault: this.targeted.inject(request) };
    switch (request.kind) {
      case 'drop_tunnels':
        return { fault: null, ...this.tunnels.dropTunnels(request) };
      case 'refuse_connects':
        this.tunnels.refuseConnects(request);
        return { fault: this.find('refuse_connects') };
      case 'storm':
        this.tunnels.startStorm(request);
        return { fault: this.find('storm') };
    }
    throw new EngineError('invalid', 'unknown fault kind');
  }

  /** The old REST routes /faults/drop-tunnels, /refuse-connects and /storm, answering as they always did. */
  legacy(
    kind: Extract<FaultKind, 'drop_tunnels' | 'refuse_connects' | 'storm'>,
    body: Record<string, unknown>,
  ): unknown {
    if (kind === 'drop_tunnels') return this.tunnels.dropTunnels(body);
    if (kind === 'refuse_connects') return this.tunnels.refuseConnects(body);
    this.tunnels.startStorm(body);
    return this.summary();
  }

  /** Clears one fault by id, or all of them. */
  clear(id: string | undefined): ClearFaultsResponse {
    if (id === undefined) {
      const cleared = this.list();
      this.clearAll();
      return { cleared };
    }
    const fault = this.find(id);
    if (!fault) throw new EngineError('not_found', `no fault ${JSON.stringify(id)} is in effect`);
    if (!this.tunnels.clear(id)) this.targeted.remove(id);
    return { cleared: [fault] };
  }

  clearAll(): FaultsSummary {
    this.tunnels.clearAll();
    this.targeted.clear();
    return this.summary();
  }

  /** Faults in effect per kind (metrics). */
  activeByKind(): Record<string, number> {
    return { ...this.targeted.activeByKind(), ...this.tunnels.inEffect() };
  }

  async shutdown(): Promise<void> {
    this.tunnels.shutdown();
    await this.targeted.shutdown();
    if (this.changedTimer) clearTimeout(this.changedTimer);
  }

  private find(id: string): ActiveFault | null {
    return this.list().find((f) => f.id === id) ?? null;
  }

  private changed(): void {
    if (this.changedTimer) return;
    this.changedTimer = setTimeout(() => {
      this.changedTimer = undefined;
      this.deps.onChanged(this.list());
    }, 0);
  }
}
