/**
 * Each simulated cluster's life: a state machine over the seed's status words
 * (creating_backing, populating_template, ..., ready, failed) plus deleting.
 * Every step is logged and timed in the record; a failure keeps its reason
 * until the user retries. Steps are idempotent, so a retry (or a restart)
 * resumes by running them again.
 */
import type { ClusterRecord, TemplateSpec } from '../../../shared/cluster';
import { EngineError } from '../../../shared/errors';
import type { Logger } from '../telemetry/logger';
import type { ClusterTemplate } from '../provisioning/template/cluster-template';
import type { RancherIntegration } from '../rancher/rancher-integration';
import type { ClusterProvisioner } from '../provisioning/cluster-provisioner';
import { MAX_BATCH_CONCURRENCY } from '../../../shared/cluster-names';
import { Semaphore } from '../util/semaphore';
import { AdaptiveConcurrency, type ApiserverCounters } from './adaptive-concurrency';
import type { ClusterRegistry } from './cluster-registry';
import { resolveTemplateSpec } from './resolve-template-spec';

/** What a deletion tells its caller: a note when the agent had to finish without Rancher. */
export interface DeleteResult {
  note?: string;
}

export interface LifecycleDeps {
  registry: ClusterRegistry;
  logger: Logger;
  /** The provisioner, once the main cluster is up (waits for it). */
  provisioner(): Promise<ClusterProvisioner>;
  /** The Rancher integration, when a Rancher is configured; without one clusters stay local. */
  rancher(): RancherIntegration | undefined;
  /** Forgets a deleted cluster's API identity (certificate, tokens, local endpoint). */
  forgetApi?(name: string): Promise<void>;
  /** Clusters provisioned at once across all requests and batches, whatever they ask for (default 64). */
  maxConcurrent?: number;
  /**
   * The engine's counters of its main-apiserver calls: given, the limit of
   * "auto" work (clusters whose batch names no number) adapts to the
   * apiserver (grows while its latency holds, shrinks on 429s or slowdown);
   * without, it stays at 8.
   */
  apiserverCounters?: () => ApiserverCounters | undefined;
}

/** Where the "auto" limit starts (and stays, without apiserver counters). */
const AUTO_START = 8;

/** How often the adaptive limit looks at the apiserver's latency while clusters are being made. */
const ADAPT_EVERY_MS = 1000;

export class ClusterLifecycle {
  private readonly templates = new Map<string, ClusterTemplate>();
  /** What each cluster was created from, as given (kept in the state file). */
  private readonly specs = new Map<string, TemplateSpec>();
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  /** Clusters whose steps are executing now (they hold a slot), as opposed to waiting for one. */
  private readonly inFlight = new Set<string>();
  private shuttingDown = false;
  /** Clusters that may have objects in the main cluster (provisioning began, or adopted). */
  private readonly touched = new Set<string>();
  /** A batch's own fixed concurrency limit, for its clusters (also on retry); the others share autoSlots. */
  private readonly groupSlots = new Map<string, Semaphore>();
  /** Removals under way (asked for here, or confirmed in Rancher), so a second request joins the first. */
  private readonly removals = new Map<string, Promise<DeleteResult>>();
  /** The hard cap over everything being made. */
  private readonly slots: Semaphore;
  /** Clusters made with concurrency "auto" (and single creates, restarts, retries of those). */
  private readonly autoSlots = new Semaphore(AUTO_START);
  private readonly adaptive: AdaptiveConcurrency | undefined;
  private adaptTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: LifecycleDeps) {
    this.slots = new Semaphore(deps.maxConcurrent ?? MAX_BATCH_CONCURRENCY);
    const counters = deps.apiserverCounters;
    if (counters) {
      this.adaptive = new AdaptiveConcurrency({
        slots: this.autoSlots,
        counters,
        min: 2,
        max: MAX_BATCH_CONCURRENCY,
        initial: AUTO_START,
        onChange: (limit, why, grew) =>
          deps.logger[grew ? 'debug' : 'info'](
            { limit },
            `Clusters made at once: now up to ${limit} (${why})`,
          ),
      });
    }
  }

  /** How many "auto" clusters are made at once, now (it adapts when the engine gave apiserver counters). */
  get concurrencyLimit(): number {
    return this.adaptive?.limit ?? AUTO_START;
  }

  /** The adaptive limit looks at the apiserver only while something is being made. */
  private adaptWhileBusy(): void {
    if (!this.adaptive) return;
    if (this.running.size === 0 || this.shuttingDown) {
      clearInterval(this.adaptTimer);
      this.adaptTimer = undefined;
    } else if (!this.adaptTimer) {
      this.adaptTimer = setInterval(() => this.adaptive?.tick(), ADAPT_EVERY_MS);
      this.adaptTimer.unref();
    }
  }

  /** Validates name and template, records the cluster, and starts making it. */
  create(
    name: unknown,
    spec: TemplateSpec | undefined,
    options: { batchId?: string; batchSlots?: Semaphore; importToRancher?: boolean; fleet?: boolean } = {},
  ): ClusterRecord {
    const { batchId, batchSlots, fleet } = options;
    const validName = this.deps.registry.checkNewName(name);
    const { template, label } = resolveTemplateSpec(spec);
    const localOnly = options.importToRancher === false;
    const record = this.deps.registry.add(validName, { template: label, batchId, localOnly, fleet });
    this.templates.set(validName, template);
    this.specs.set(validName, spec ?? 'default');
    if (batchSlots) this.groupSlots.set(validName, batchSlots);
    this.start(validName);
    return record;
  }

  /** The template a cluster was made from. */
  template(name: string): ClusterTemplate | undefined {
    return this.templates.get(name);
  }

  templateSpec(name: string): TemplateSpec {
    return this.specs.get(name) ?? 'default';
  }

  /** Re-adopts a cluster known from before (restart path): keeps its template. */
  adopt(name: string, spec: TemplateSpec): void {
    this.templates.set(name, resolveTemplateSpec(spec).template);
    this.specs.set(name, spec);
    this.touched.add(name);
  }

  /**
   * Brings a ready cluster back after a restart: its cluster objects are
   * re-applied (missing ones re-created; idempotent) and its tunnels resumed.
   */
  resumeReady(name: string): void {
    if (this.running.has(name)) return;
    const abort = new AbortController();
    const work = (async () => {
      const release = await this.acquireSlots(name, abort.signal);
      try {
        const template = this.templates.get(name);
        const provisioner = await abortable(this.deps.provisioner(), abort.signal);
        if (template) await provisioner.provision(name, template, { signal: abort.signal });
        await this.deps.rancher()?.resumeTunnels(name);
      } catch (err) {
        if (!abort.signal.aborted)
          this.deps.logger.warn(
            { cluster: name, err },
            `Cluster ${name}: resume after restart incomplete: ${(err as Error).message}`,
          );
      } finally {
        release();
      }
    })();
    this.track(name, abort, work);
  }

  isRunning(name: string): boolean {
    return this.running.has(name);
  }

  /** Starts (or restarts) the steps of a cluster in the background. */
  start(name: string): void {
    // While shutting down nothing new starts; the cluster keeps its status and resumes on the next start.
    if (this.running.has(name) || this.shuttingDown) return;
    const abort = new AbortController();
    this.track(name, abort, this.run(name, abort.signal));
  }

  /** Keeps a cluster's background work in `running`, and the adaptive limit looking while there is any. */
  private track(name: string, abort: AbortController, work: Promise<void>): void {
    const done = work.finally(() => {
      this.running.delete(name);
      this.adaptWhileBusy();
    });
    this.running.set(name, { abort, done });
    this.adaptWhileBusy();
  }

  /**
   * Holds the cluster's group slot (its batch's fixed limit, else the shared
   * "auto" one), then one of the hard cap; the returned function frees both.
   */
  private async acquireSlots(name: string, signal: AbortSignal): Promise<() => void> {
    const releaseGroup = await (this.groupSlots.get(name) ?? this.autoSlots).acquire(signal);
    try {
      const release = await this.slots.acquire(signal);
      return () => {
        release();
        releaseGroup();
      };
    } catch (err) {
      releaseGroup();
      throw err;
    }
  }

  /** Imports a ready local-only cluster into the configured Rancher (one action, later). */
  async importLater(name: string): Promise<ClusterRecord> {
    const record = this.deps.registry.get(name);
    if (!this.deps.rancher())
      throw new EngineError('invalid', 'no Rancher is configured (RancherURL and RANCHER_TOKEN)');
    if (record.status !== 'ready' || record.rancherId) {
      throw new EngineError(
        'conflict',
        `cluster ${name} is ${record.status}${record.rancherId ? ` and already in Rancher as ${record.rancherId}` : ''}`,
      );
    }
    // A resume after restart may still be re-converging it: import after that.
    await this.running.get(name)?.done;
    this.deps.registry.update(name, { localOnly: undefined });
    this.deps.registry.setStatus(name, 'pending');
    this.start(name);
    return this.deps.registry.get(name);
  }

  /**
   * Rancher confirmed the cluster is deleted there (404, or `removing`):
   * remove it here too. While Rancher is still removing it, its tunnels stay
   * up for Rancher's cleanup (within RancherRemovalWaitSeconds).
   */
  async removeGone(name: string, why: string, rancherRemoving = false): Promise<void> {
    if (!this.deps.registry.has(name) || this.removals.has(name)) return;
    if (this.deps.registry.get(name).status === 'deleting') return;
    const run = this.runRemoveGone(name, why, rancherRemoving).finally(() => this.removals.delete(name));
    this.removals.set(
      name,
      run.then(() => ({})),
    );
    await run;
  }

  private async runRemoveGone(name: string, why: string, rancherRemoving: boolean): Promise<void> {
    const { registry, logger } = this.deps;
    const rancherId = registry.get(name).rancherId;
    logger.warn(
      { cluster: name, rancherId },
      `Cluster ${name} was deleted in Rancher (${why}): removing it here`,
    );
    registry.setStatus(name, 'deleting');
    this.note(
      name,
      rancherRemoving
        ? `deleted in Rancher: ${why}; its tunnels stay up until Rancher has finished`
        : `deleted in Rancher: ${why}; removing it here`,
    );
    await this.cancel(name);
    const rancher = this.deps.rancher();
    if (rancher && rancherRemoving && rancherId) {
      try {
        const outcome = await rancher.awaitRancherRemoval(name, rancherId, (text) => this.note(name, text));
        if (outcome.note) this.note(name, outcome.note);
      } catch (err) {
        // Only a shutdown ends the wait early; the cluster stays "deleting" and the next start finishes it.
        logger.info(
          { cluster: name, err },
          `Cluster ${name}: removal interrupted by the shutdown; it resumes at the next start`,
        );
        return;
      }
    }
    await rancher?.stopTunnels(name);
    rancher?.forget(name);
    try {
      await (await this.deps.provisioner()).delete(name);
      await this.deps.forgetApi?.(name);
      this.templates.delete(name);
      this.touched.delete(name);
      this.groupSlots.delete(name);
      registry.remove(name);
    } catch (err) {
      registry.setStatus(
        name,
        'failed',
        `cleanup after deletion in Rancher failed: ${(err as Error).message}`,
      );
    }
  }

  /** The note a cluster shows in the UI and REST (why it is suspected, where its removal is). */
  note(name: string, note: string | undefined): void {
    if (!this.deps.registry.has(name) || this.deps.registry.get(name).message === note) return;
    this.deps.registry.update(name, { message: note });
  }

  retry(name: string): ClusterRecord {
    const record = this.deps.registry.get(name);
    if (record.status !== 'failed') {
      throw new EngineError(
        'conflict',
        `cluster ${name} is ${record.status}; only a failed cluster can be retried`,
      );
    }
    this.deps.logger.info({ cluster: name }, `Retrying cluster ${name}`);
    this.deps.registry.setStatus(name, 'pending');
    this.start(name);
    return this.deps.registry.get(name);
  }

  /** Stops a cluster's steps (cancel); resolves when they have stopped. */
  /**
   * Graceful shutdown: nothing new starts, clusters still waiting for a slot
   * stop at once, and steps in flight get `graceMs` to finish before they are
   * aborted. An aborted cluster keeps the status of the step it was at (the
   * state file is its checkpoint) and resumes from there on the next start;
   * it is never marked failed by the shutdown.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.shuttingDown = true;
    this.adaptWhileBusy();
    const reason = new EngineError('unavailable', 'the agent is shutting down');
    for (const [name, run] of this.running) if (!this.inFlight.has(name)) run.abort.abort(reason);
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      all.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.deps.logger.warn(
        { clusters: [...this.inFlight] },
        `Shutdown: ${this.inFlight.size} clusters still mid-step after ${graceMs / 1000}s; they resume from their current step on the next start`,
      );
      for (const run of this.running.values()) run.abort.abort(reason);
      await Promise.all([...this.running.values()].map((r) => r.done));
    }
  }

  async cancel(name: string): Promise<void> {
    const run = this.running.get(name);
    if (!run) return;
    run.abort.abort(new EngineError('conflict', 'cancelled'));
    await run.done;
  }

  /**
   * Removes everything the cluster made, then the record. Works half-way
   * through creation too. In Rancher's order: Rancher is asked to remove the
   * cluster and gets to run its removal through the cluster's tunnels; then
   * the tunnels close and the cluster's objects go. A second request while
   * one runs joins it.
   */
  async delete(name: string): Promise<DeleteResult> {
    const running = this.removals.get(name);
    if (running) return running;
    this.deps.registry.get(name);
    const run = this.runDelete(name).finally(() => this.removals.delete(name));
    this.removals.set(name, run);
    return run;
  }

  private async runDelete(name: string): Promise<DeleteResult> {
    const { registry, logger } = this.deps;
    registry.setStatus(name, 'deleting');
    this.note(name, undefined);
    logger.info({ cluster: name }, `Deleting cluster ${name}`);
    await this.cancel(name);
    let result: DeleteResult = {};
    try {
      const rancher = this.deps.rancher();
      const rancherId = registry.get(name).rancherId;
      if (rancher) {
        const outcome = await rancher.removeFromRancher(name, rancherId, (text) => this.note(name, text));
        if (outcome?.note) {
          result = { note: outcome.note };
          this.note(name, outcome.note);
        }
      }
      // A cluster that never reached provisioning has nothing to remove.
      if (this.touched.has(name)) {
        const provisioner = await this.deps.provisioner();
        await provisioner.delete(name);
      }
    } catch (err) {
      if (this.shuttingDown) {
        // Still "deleting" in the state file: the next start finishes it.
        logger.info(
          { cluster: name },
          `Cluster ${name}: deletion interrupted by the shutdown; it resumes at the next start`,
        );
        throw new EngineError(
          'unavailable',
          `cluster ${name}: the agent is shutting down; its deletion resumes at the next start`,
        );
      }
      const message = `delete failed: ${(err as Error).message}`;
      this.note(name, undefined);
      registry.setStatus(name, 'failed', message);
      throw new EngineError('unavailable', `cluster ${name}: ${message}`);
    }
    await this.deps.forgetApi?.(name);
    this.templates.delete(name);
    this.specs.delete(name);
    this.touched.delete(name);
    this.groupSlots.delete(name);
    registry.remove(name);
    logger.info({ cluster: name }, `Cluster ${name} deleted${result.note ? ` (${result.note})` : ''}`);
    return result;
  }

  private async run(name: string, signal: AbortSignal): Promise<void> {
    const { registry, logger } = this.deps;
    let release: (() => void) | undefined;
    try {
      release = await this.acquireSlots(name, signal);
      this.inFlight.add(name);
      const template = this.templates.get(name);
      if (!template) throw new Error('no template recorded for this cluster');

      registry.setStatus(name, 'creating_backing');
      const provisioner = await abortable(this.deps.provisioner(), signal);

      registry.setStatus(name, 'populating_template');
      this.touched.add(name);
      await provisioner.provision(name, template, {
        signal,
        onProgress: (p) => registry.setStepProgress(name, `${p.done}/${p.total} objects`),
      });
      signal.throwIfAborted();

      // A cluster made with import off stays out of Rancher until `importLater`.
      const rancher = registry.get(name).localOnly ? undefined : this.deps.rancher();
      if (rancher && !rancher.hasTunnels(name)) {
        const rancherId = await rancher.importCluster(
          name,
          (s) => registry.setStatus(name, s),
          signal,
          (text) => registry.setStepProgress(name, text),
        );
        registry.update(name, { rancherId });
      }
      signal.throwIfAborted();

      registry.setStatus(name, 'ready');
      const counts = provisioner.counts(name);
      registry.update(name, {
        nodeCount: counts.nodes || template.nodes.length,
        podCount: counts.pods,
        message: rancher ? undefined : localOnlyReason(this.deps.rancher()),
      });
      logger.info(
        { cluster: name },
        `Cluster ${name} is ready${rancher ? ', connecting to Rancher' : ` (${localOnlyReason(this.deps.rancher())})`}`,
      );
    } catch (err) {
      if (signal.aborted) return; // cancel or delete owns what happens next
      const message = (err as Error).message;
      logger.error({ cluster: name, err }, `Cluster ${name} failed: ${message}`);
      if (registry.has(name)) registry.setStatus(name, 'failed', message);
    } finally {
      this.inFlight.delete(name);
      release?.();
    }
  }
}

/** Waits for `work`, or rejects as soon as `signal` aborts (the work itself goes on). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function localOnlyReason(rancher: RancherIntegration | undefined): string {
  return rancher ? 'local only: Rancher import was turned off' : 'local only: no Rancher configured';
}
