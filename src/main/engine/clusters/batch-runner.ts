/**
 * Batch creation: N clusters from a name pattern and a template, with a
 * concurrency limit, per-cluster progress, cancel and retry. All names and
 * the template are checked before anything is created; a bad batch creates
 * nothing. Cancel keeps finished clusters, removes those not yet started,
 * and cleans up those caught half-way, so nothing is left unaccounted.
 */
import { randomBytes } from 'node:crypto';
import type { BatchStatus, ClusterStatus, CreateBatchRequest } from '../../../shared/cluster';
import {
  concurrencyProblem,
  DEFAULT_BATCH_CONCURRENCY,
  type BatchConcurrency,
} from '../../../shared/cluster-names';
import { EngineError } from '../../../shared/errors';
import type { Logger } from '../telemetry/logger';
import { mapConcurrent } from '../util/map-concurrent';
import { Semaphore } from '../util/semaphore';
import type { ClusterLifecycle } from './cluster-lifecycle';
import type { ClusterRegistry } from './cluster-registry';
import { expandBatchNames } from './batch-names';
import { resolveTemplateSpec } from './resolve-template-spec';

interface Batch {
  id: string;
  names: string[];
  template: string;
  concurrency: BatchConcurrency;
  state: BatchStatus['state'];
  cancelled: string[];
  createdAt: number;
  updatedAt: number;
}

const DONE: ReadonlySet<ClusterStatus> = new Set(['ready', 'failed']);

export class BatchRunner {
  private readonly batches = new Map<string, Batch>();

  constructor(
    private readonly registry: ClusterRegistry,
    private readonly lifecycle: ClusterLifecycle,
    private readonly logger: Logger,
  ) {}

  create(req: CreateBatchRequest): BatchStatus {
    if (typeof req !== 'object' || req === null)
      throw new EngineError('invalid', 'batch request must be an object');
    const names = expandBatchNames(req);
    // The channel handler fills in the live DefaultConcurrency; this covers direct callers.
    const concurrency = req.concurrency ?? DEFAULT_BATCH_CONCURRENCY;
    const concurrencyError = concurrencyProblem(concurrency);
    if (concurrencyError) throw new EngineError('invalid', concurrencyError);
    const { label } = resolveTemplateSpec(req.template);
    const problems: string[] = [];
    for (const name of names) {
      try {
        this.registry.checkNewName(name);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    if (problems.length > 0) {
      throw new EngineError(
        problems.some((p) => p.includes('already exists')) ? 'conflict' : 'invalid',
        `batch refused, nothing created: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
      );
    }
    const id = `b-${randomBytes(4).toString('hex')}`;
    const batch: Batch = {
      id,
      names,
      template: label,
      concurrency,
      state: 'running',
      cancelled: [],
      createdAt: Date.now(),
      updatedAt: Date.now(),
    };
    this.batches.set(id, batch);
    this.logger.info(
      { batch: id, count: names.length, template: label, concurrency },
      `Batch ${id}: creating ${names.length} clusters`,
    );
    void this.run(batch, req);
    return this.status(id);
  }

  status(id: string): BatchStatus {
    const batch = this.batches.get(id);
    if (!batch) throw new EngineError('not_found', `batch ${JSON.stringify(id)} not found`);
    const byStatus: Partial<Record<ClusterStatus, number>> = {};
    const failures: BatchStatus['failures'] = [];
    let done = 0;
    for (const name of batch.names) {
      if (!this.registry.has(name)) continue;
      const c = this.registry.get(name);
      byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
      if (DONE.has(c.status)) done++;
      if (c.status === 'failed') failures.push({ name, error: c.error ?? 'failed' });
    }
    const elapsed = Math.max(0.001, (Date.now() - batch.createdAt) / 1000);
    const rate = done / elapsed;
    const left = batch.names.length - batch.cancelled.length - done;
    return {
      id,
      state: batch.state,
      template: batch.template,
      concurrency: batch.concurrency,
      total: batch.names.length,
      byStatus,
      failures,
      cancelled: [...batch.cancelled],
      names: [...batch.names],
      createdAt: new Date(batch.createdAt).toISOString(),
      updatedAt: new Date(batch.updatedAt).toISOString(),
      ratePerSecond: Math.round(rate * 100) / 100,
      ...(rate > 0 && batch.state === 'running' ? { etaSeconds: Math.round(left / rate) } : {}),
    };
  }

  list(): BatchStatus[] {
    return [...this.batches.keys()].map((id) => this.status(id));
  }

  /** Stops the batch: unstarted clusters are removed, half-made ones cleaned up, finished ones kept. */
  async cancel(id: string): Promise<BatchStatus> {
    const batch = this.batches.get(id);
    if (!batch) throw new EngineError('not_found', `batch ${JSON.stringify(id)} not found`);
    if (batch.state !== 'running') return this.status(id);
    batch.state = 'cancelling';
    this.touch(batch);
    this.logger.info({ batch: id }, `Batch ${id}: cancelling`);
    await mapConcurrent(batch.names, 8, async (name) => {
      if (!this.registry.has(name)) return;
      const c = this.registry.get(name);
      if (DONE.has(c.status)) return;
      await this.lifecycle.cancel(name);
      try {
        await this.lifecycle.delete(name);
        batch.cancelled.push(name);
      } catch (err) {
        this.logger.warn({ cluster: name, err }, `Batch ${id}: could not clean up ${name}`);
      }
    });
    batch.state = 'cancelled';
    this.touch(batch);
    return this.status(id);
  }

  /** Retries every failed cluster of the batch. */
  retry(id: string): BatchStatus {
    const batch = this.batches.get(id);
    if (!batch) throw new EngineError('not_found', `batch ${JSON.stringify(id)} not found`);
    for (const name of batch.names) {
      if (this.registry.has(name) && this.registry.get(name).status === 'failed') this.lifecycle.retry(name);
    }
    if (batch.state === 'completed') batch.state = 'running';
    this.touch(batch);
    void this.watchUntilDone(batch);
    return this.status(id);
  }

  private async run(batch: Batch, req: CreateBatchRequest): Promise<void> {
    // Records are made at once (every name acknowledged); the batch's
    // concurrency and the lifecycle's global limit bound the work ("auto":
    // the lifecycle's shared limit, which adapts to the main apiserver).
    const slots = batch.concurrency === 'auto' ? undefined : new Semaphore(batch.concurrency);
    for (const name of batch.names) {
      if (batch.state !== 'running') break;
      try {
        this.lifecycle.create(name, req.template, {
          batchId: batch.id,
          batchSlots: slots,
          importToRancher: req.importToRancher,
        });
      } catch (err) {
        this.logger.warn({ batch: batch.id, cluster: name, err }, 'batch member not created');
      }
    }
    await this.watchUntilDone(batch);
  }

  private async watchUntilDone(batch: Batch): Promise<void> {
    while (batch.state === 'running') {
      const pending = batch.names.some((n) => this.registry.has(n) && !DONE.has(this.registry.get(n).status));
      if (!pending) {
        batch.state = 'completed';
        this.touch(batch);
        const s = this.status(batch.id);
        this.logger.info({ batch: batch.id, byStatus: s.byStatus }, `Batch ${batch.id}: completed`);
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private touch(batch: Batch): void {
    batch.updatedAt = Date.now();
  }
}
