/**
 * The engine's record of every simulated cluster it has acknowledged.
 * Changes are coalesced and published at most every `flushMs`, so a batch of
 * a thousand creations is a handful of UI updates, not a thousand.
 */
import { EventEmitter } from 'node:events';
import type { ClusterRecord, ClustersChange, ClusterStatus } from '../../../shared/cluster';
import { EngineError } from '../../../shared/errors';
import { clusterNameProblem } from './cluster-name';
import { maskSecrets } from '../telemetry/logger';

export interface ClusterRegistryEvents {
  changed: [ClustersChange];
}

export class ClusterRegistry extends EventEmitter<ClusterRegistryEvents> {
  private readonly clusters = new Map<string, ClusterRecord>();
  private pendingUpserts = new Set<string>();
  private pendingRemovals = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly flushMs = 100) {
    super();
  }

  list(): ClusterRecord[] {
    return [...this.clusters.values()].map((c) => ({ ...c }));
  }

  get size(): number {
    return this.clusters.size;
  }

  names(): string[] {
    return [...this.clusters.keys()];
  }

  get(name: string): ClusterRecord {
    const found = this.clusters.get(name);
    if (!found) throw new EngineError('not_found', `cluster ${JSON.stringify(name)} not found`);
    return { ...found };
  }

  has(name: string): boolean {
    return this.clusters.has(name);
  }

  /** Throws what would make `add` refuse the name, without adding it. */
  checkNewName(name: unknown): string {
    const problem = clusterNameProblem(name);
    if (problem) throw new EngineError('invalid', problem);
    const validName = name as string;
    if (this.clusters.has(validName)) {
      throw new EngineError('conflict', `cluster ${JSON.stringify(validName)} already exists`);
    }
    return validName;
  }

  /** Adds a new cluster; a bad name is `invalid`, a taken one `conflict`. */
  add(
    name: unknown,
    init: { template?: string; batchId?: string; localOnly?: boolean; fleet?: boolean } = {},
  ): ClusterRecord {
    const validName = this.checkNewName(name);
    const now = new Date().toISOString();
    const record: ClusterRecord = {
      name: validName,
      status: 'pending',
      rancherId: '',
      template: init.template ?? 'default',
      nodeCount: 0,
      podCount: 0,
      steps: [{ status: 'pending', startedAt: now }],
      createdAt: now,
      updatedAt: now,
    };
    if (init.batchId) record.batchId = init.batchId;
    if (init.localOnly) record.localOnly = true;
    if (init.fleet) record.fleet = true;
    this.clusters.set(validName, record);
    this.touch(validName);
    return { ...record };
  }

  /** Puts back a cluster known from the state file, as it was. */
  restore(record: ClusterRecord): void {
    this.clusters.set(record.name, { ...record });
    this.touch(record.name);
  }

  /**
   * Moves a cluster to a new status, closing the step it was in and opening
   * one for the new status (the details timeline).
   */
  setStatus(name: string, status: ClusterStatus, reason?: string): ClusterRecord {
    // The reason is shown, saved and sent to every UI: a secret inside a raw error must not go with it.
    const error = reason === undefined ? undefined : maskSecrets(reason);
    const current = this.get(name);
    const now = new Date().toISOString();
    const steps = current.steps.map((s) => ({ ...s }));
    const open = steps.at(-1);
    if (open && !open.endedAt) {
      open.endedAt = now;
      if (status === 'failed' && error) open.error = error;
    }
    if (status !== 'failed') steps.push({ status, startedAt: now });
    // Bound the timeline: retries and reconnects must not grow it forever.
    const trimmed = steps.slice(-50);
    return this.update(name, { status, steps: trimmed, error: status === 'failed' ? error : undefined });
  }

  /** Progress inside the current step, e.g. "12/20 objects". */
  setStepProgress(name: string, progress: string): void {
    const current = this.clusters.get(name);
    const open = current?.steps.at(-1);
    if (!current || !open || open.endedAt) return;
    const steps = [...current.steps.slice(0, -1), { ...open, progress }];
    this.update(name, { steps });
  }

  update(name: string, patch: Partial<Omit<ClusterRecord, 'name' | 'createdAt'>>): ClusterRecord {
    const current = this.clusters.get(name);
    if (!current) throw new EngineError('not_found', `cluster ${JSON.stringify(name)} not found`);
    const next: ClusterRecord = { ...current, ...patch, updatedAt: new Date().toISOString() };
    if (next.error === undefined) delete next.error;
    this.clusters.set(name, next);
    this.touch(name);
    return { ...next };
  }

  remove(name: string): void {
    if (!this.clusters.delete(name))
      throw new EngineError('not_found', `cluster ${JSON.stringify(name)} not found`);
    this.pendingUpserts.delete(name);
    this.pendingRemovals.add(name);
    this.scheduleFlush();
  }

  /** Publishes pending changes now (also used on shutdown). */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingUpserts.size === 0 && this.pendingRemovals.size === 0) return;
    const change: ClustersChange = {
      upserted: [...this.pendingUpserts].flatMap((n) => {
        const c = this.clusters.get(n);
        return c ? [{ ...c }] : [];
      }),
      removed: [...this.pendingRemovals],
    };
    this.pendingUpserts = new Set();
    this.pendingRemovals = new Set();
    this.emit('changed', change);
  }

  private touch(name: string): void {
    this.pendingRemovals.delete(name);
    this.pendingUpserts.add(name);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flush(), this.flushMs);
    this.flushTimer.unref();
  }
}
