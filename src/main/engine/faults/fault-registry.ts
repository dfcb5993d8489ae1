/**
 * The faults in effect for chosen clusters (latency, bandwidth, API errors,
 * paused heartbeats), each with its target and an optional end. Readers ask
 * per cluster; when several faults of one kind cover a cluster the most
 * severe one applies (the longest delay, the lowest bandwidth, the highest
 * error rate). Expired faults are removed by one timer and announced like a
 * clear, so everything that acts on a change (heartbeats resuming, the UI)
 * sees the end of a fault whichever way it came.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ActiveFault, ApiErrorCode, FaultParameters, TargetedFaultKind } from '../../../shared/faults';

export interface RegisteredFault {
  id: string;
  kind: TargetedFaultKind;
  /** undefined: every cluster. */
  clusters: ReadonlySet<string> | undefined;
  parameters: FaultParameters;
  since: number;
  /** ms since epoch; undefined: until cleared. */
  until: number | undefined;
}

type RegistryEvents = { changed: [] };

export class FaultRegistry extends EventEmitter<RegistryEvents> {
  private readonly faults = new Map<string, RegisteredFault>();
  private expiryTimer: NodeJS.Timeout | undefined;

  add(
    kind: TargetedFaultKind,
    clusters: string[] | undefined,
    parameters: FaultParameters,
    seconds: number | undefined,
  ): RegisteredFault {
    const now = Date.now();
    const fault: RegisteredFault = {
      id: `f-${randomBytes(4).toString('hex')}`,
      kind,
      clusters: clusters ? new Set(clusters) : undefined,
      parameters,
      since: now,
      until: seconds === undefined ? undefined : now + seconds * 1000,
    };
    this.faults.set(fault.id, fault);
    this.armExpiry();
    this.emit('changed');
    return fault;
  }

  get(id: string): RegisteredFault | undefined {
    return this.faults.get(id);
  }

  remove(id: string): RegisteredFault | undefined {
    const fault = this.faults.get(id);
    if (!fault) return undefined;
    this.faults.delete(id);
    this.armExpiry();
    this.emit('changed');
    return fault;
  }

  clear(): RegisteredFault[] {
    const all = [...this.faults.values()];
    this.faults.clear();
    this.armExpiry();
    if (all.length > 0) this.emit('changed');
    return all;
  }

  list(): RegisteredFault[] {
    return [...this.faults.values()];
  }

  /** Faults of a kind that cover a cluster. */
  covering(kind: TargetedFaultKind, cluster: string): RegisteredFault[] {
    const out: RegisteredFault[] = [];
    for (const f of this.faults.values()) {
      if (f.kind === kind && (!f.clusters || f.clusters.has(cluster))) out.push(f);
    }
    return out;
  }

  hasKind(kind: TargetedFaultKind): boolean {
    for (const f of this.faults.values()) if (f.kind === kind) return true;
    return false;
  }

  /** Added delay for a cluster's tunnelled data, ms (0: none). */
  latencyMs(cluster: string): number {
    if (this.faults.size === 0) return 0;
    let ms = 0;
    for (const f of this.covering('latency', cluster)) ms = Math.max(ms, f.parameters.ms ?? 0);
    return ms;
  }

  /** Bandwidth cap for a cluster's tunnelled data, bytes/s (undefined: none). */
  bandwidth(cluster: string): number | undefined {
    if (this.faults.size === 0) return undefined;
    let cap: number | undefined;
    for (const f of this.covering('bandwidth', cluster)) {
      const b = f.parameters.bytesPerSecond;
      if (b !== undefined) cap = cap === undefined ? b : Math.min(cap, b);
    }
    return cap;
  }

  /** The API error fault with the highest rate that covers a cluster. */
  apiErrors(cluster: string): { id: string; rate: number; code: ApiErrorCode } | undefined {
    if (this.faults.size === 0) return undefined;
    let best: { id: string; rate: number; code: ApiErrorCode } | undefined;
    for (const f of this.covering('api_errors', cluster)) {
      const rate = f.parameters.rate ?? 0;
      if (!best || rate > best.rate) best = { id: f.id, rate, code: f.parameters.code ?? 503 };
    }
    return best;
  }

  heartbeatsPaused(cluster: string): boolean {
    return this.faults.size > 0 && this.covering('pause_heartbeats', cluster).length > 0;
  }

  /** Clusters a kind covers now: a count out of `all` clusters. */
  clustersCovered(kind: TargetedFaultKind, all: readonly string[]): number {
    const faults = this.list().filter((f) => f.kind === kind);
    if (faults.length === 0) return 0;
    if (faults.some((f) => !f.clusters)) return all.length;
    return all.filter((name) => faults.some((f) => f.clusters?.has(name))).length;
  }

  stop(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }

  /** One timer, for the soonest end. */
  private armExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    let next = Infinity;
    for (const f of this.faults.values()) if (f.until !== undefined) next = Math.min(next, f.until);
    if (next === Infinity) return;
    this.expiryTimer = setTimeout(() => this.expire(), Math.max(0, next - Date.now()));
    this.expiryTimer.unref();
  }

  private expire(): void {
    const now = Date.now();
    let changed = false;
    for (const [id, f] of this.faults) {
      if (f.until !== undefined && f.until <= now) {
        this.faults.delete(id);
        changed = true;
      }
    }
    this.armExpiry();
    if (changed) this.emit('changed');
  }
}

export function toActiveFault(f: RegisteredFault): ActiveFault {
  return {
    id: f.id,
    kind: f.kind,
    clusters: f.clusters ? [...f.clusters] : 'all',
    parameters: { ...f.parameters },
    since: new Date(f.since).toISOString(),
    until: f.until === undefined ? null : new Date(f.until).toISOString(),
  };
}
