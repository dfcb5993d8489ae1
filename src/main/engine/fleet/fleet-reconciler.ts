/**
 * Keeps the clusters a fleet spec names: at start, whenever the spec file
 * changes, and on a periodic resync (which also retries failed ones and
 * picks up clusters another agent has just released).
 *   - clusters the spec names and this shard owns are created;
 *   - fleet clusters the spec no longer names (or this shard no longer owns)
 *     are deleted;
 *   - clusters made over REST or the UI are never touched, even when the
 *     spec names them (that is reported as a conflict);
 *   - a spec that does not parse is reported and changes nothing: the one
 *     before it stays in force.
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ClusterStatus } from '../../../shared/cluster';
import type { BatchConcurrency } from '../../../shared/cluster-names';
import type { FleetStatus } from '../../../shared/fleet';
import type { ClusterLifecycle } from '../clusters/cluster-lifecycle';
import type { ClusterRegistry } from '../clusters/cluster-registry';
import type { Logger } from '../telemetry/logger';
import { Semaphore } from '../util/semaphore';
import { FleetSpecError, parseFleetSpec, type FleetCluster, type FleetSpec } from './fleet-spec';
import type { ShardAssignment } from './shard';

/** How often the spec is re-applied without a change (retries, released clusters, missed file events). */
const RESYNC_MS = 30_000;
/** File events come in bursts (an editor's write, a ConfigMap's symlink swap): apply once they settle. */
const SETTLE_MS = 300;
/** Conflicts listed in the status (the count of them is what matters beyond that). */
const MAX_LISTED = 50;

/** Fleet removals at once when the spec's concurrency is "auto" (each waits for Rancher's removal). */
const DEFAULT_REMOVALS_AT_ONCE = 8;

export interface FleetReconcilerDeps {
  path: string;
  shard: ShardAssignment;
  registry: ClusterRegistry;
  lifecycle: ClusterLifecycle;
  logger: Logger;
  /** The template a spec entry gets when it names none (the live default). */
  defaultTemplate(): string;
  /** The concurrency a spec gets when it names none. */
  defaultConcurrency(): BatchConcurrency;
  /** Owner (agent id) of each cluster that has objects in the main cluster; waits for the main cluster. */
  presentOwners(): Promise<Map<string, string>>;
  /** Persists the state file at once (created records are acknowledged work). */
  save(): void;
}

export class FleetReconciler {
  private spec: FleetSpec | undefined;
  /** The spec's clusters this shard owns, derived once per spec (hashing every name per shard is not free). */
  private owned = new Map<string, FleetCluster>();
  private appliedAt: string | undefined;
  private error: string | undefined;
  private conflicts: { name: string; reason: string }[] = [];
  private drifted: string[] = [];
  private readonly removing = new Set<string>();
  private readonly slots = new Semaphore(DEFAULT_REMOVALS_AT_ONCE);
  private watcher: FSWatcher | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: FleetReconcilerDeps) {}

  /**
   * Reads and checks the spec; a bad one throws FleetSpecError (the
   * agent refuses to start on it rather than act on half a fleet).
   */
  load(): void {
    this.adopt(this.read());
  }

  start(): void {
    if (!this.spec) this.load();
    this.watchFile();
    this.resyncTimer = setInterval(() => this.reread(), RESYNC_MS);
    this.resyncTimer.unref();
    this.trigger();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    if (this.settleTimer) clearTimeout(this.settleTimer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await this.running;
  }

  /** Re-reads the file and applies it now (POST /fleet/reconcile). */
  async reconcileNow(): Promise<FleetStatus> {
    this.reread();
    await this.running;
    return this.status();
  }

  status(): FleetStatus {
    const { shard, registry } = this.deps;
    const byStatus: Partial<Record<ClusterStatus, number>> = {};
    for (const c of registry.list()) if (c.fleet) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    return {
      configured: true,
      path: this.deps.path,
      shard: { index: shard.index, count: shard.count, agentId: shard.agentId },
      specClusters: this.spec?.clusters.length ?? 0,
      owned: this.owned.size,
      byStatus,
      removing: this.removing.size,
      conflicts: this.conflicts.slice(0, MAX_LISTED),
      drifted: this.drifted.slice(0, MAX_LISTED),
      appliedAt: this.appliedAt,
      error: this.error,
    };
  }

  /** Puts a spec in force, with this shard's share of it. */
  private adopt(spec: FleetSpec): void {
    this.spec = spec;
    this.owned = new Map(spec.clusters.filter((c) => this.deps.shard.owns(c.name)).map((c) => [c.name, c]));
  }

  private read(): FleetSpec {
    let text: string;
    try {
      text = readFileSync(this.deps.path, 'utf8');
    } catch (err) {
      throw new FleetSpecError(
        `cannot read ${this.deps.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    try {
      return parseFleetSpec(text, this.deps.defaultTemplate());
    } catch (err) {
      throw new FleetSpecError(`${this.deps.path}: ${(err as Error).message}`);
    }
  }

  /** Reads the file again; a changed, valid spec replaces the one in force. */
  private reread(): void {
    if (this.stopped) return;
    try {
      const spec = this.read();
      if (this.error) this.deps.logger.info(`Fleet spec ${this.deps.path} is valid again`);
      this.error = undefined;
      if (spec.hash !== this.spec?.hash) {
        this.deps.logger.info(
          { clusters: spec.clusters.length },
          `Fleet spec ${this.deps.path} changed: ${spec.clusters.length} clusters`,
        );
        this.adopt(spec);
      }
    } catch (err) {
      const message = (err as Error).message;
      if (message !== this.error)
        this.deps.logger.error(
          `Fleet spec refused, nothing changed (the spec before it stays in force): ${message}`,
        );
      this.error = message;
    }
    this.trigger();
  }

  /** The spec's folder is watched, not the file: editors and ConfigMap mounts replace the file. */
  private watchFile(): void {
    try {
      this.watcher = watch(dirname(this.deps.path), (_event, file) => {
        const name = file?.toString();
        if (name && name !== basename(this.deps.path) && !name.startsWith('..')) return;
        if (this.settleTimer) clearTimeout(this.settleTimer);
        this.settleTimer = setTimeout(() => this.reread(), SETTLE_MS);
      });
      this.watcher.on('error', (err) =>
        this.deps.logger.warn(
          { err },
          'Fleet spec: watching the file failed; the periodic resync still applies it',
        ),
      );
    } catch (err) {
      this.deps.logger.warn(
        { err },
        'Fleet spec: cannot watch the file; the periodic resync applies changes',
      );
    }
  }

  /** Runs one pass, or one more after the current pass when asked during it. */
  private trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((err: unknown) =>
        this.deps.logger.warn({ err }, `Fleet reconcile failed: ${(err as Error).message}`),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.trigger();
        }
      });
  }

  private async pass(): Promise<void> {
    const spec = this.spec;
    if (!spec) return;
    const wanted = this.owned;
    const { shard, registry, lifecycle, logger } = this.deps;
    const owners = await this.deps.presentOwners();
    if (this.stopped) return;
    // "auto": creations share the lifecycle's adaptive limit; removals still go a few at a time.
    const concurrency = spec.concurrency ?? this.deps.defaultConcurrency();
    const fixed = concurrency !== 'auto';
    this.slots.setLimit(fixed ? concurrency : DEFAULT_REMOVALS_AT_ONCE);

    // Fleet clusters no longer wanted here go, a few at a time (each waits for Rancher's removal).
    for (const record of registry.list()) {
      if (!record.fleet || wanted.has(record.name) || record.status === 'deleting') continue;
      if (this.removing.has(record.name)) continue;
      this.remove(record.name);
    }

    const conflicts: { name: string; reason: string }[] = [];
    const drifted: string[] = [];
    let created = 0;
    let retried = 0;
    for (const c of wanted.values()) {
      if (registry.has(c.name)) {
        const record = registry.get(c.name);
        if (!record.fleet) {
          conflicts.push({
            name: c.name,
            reason: 'a cluster of this name was made over REST or the UI; the fleet leaves it alone',
          });
        } else if (record.status === 'failed' && !lifecycle.isRunning(c.name)) {
          lifecycle.retry(c.name);
          retried++;
        } else if (JSON.stringify(lifecycle.templateSpec(c.name)) !== JSON.stringify(c.template)) {
          drifted.push(c.name);
        }
        continue;
      }
      const owner = owners.get(c.name);
      if (owner !== undefined && owner !== shard.agentId) {
        conflicts.push({
          name: c.name,
          reason: `its objects in the main cluster belong to ${owner}; it is made here once ${owner} has removed them`,
        });
        continue;
      }
      lifecycle.create(c.name, c.template, {
        importToRancher: c.importToRancher,
        fleet: true,
        ...(fixed ? { batchSlots: this.slots } : {}),
      });
      created++;
    }
    this.conflicts = conflicts;
    this.drifted = drifted;
    this.appliedAt = new Date().toISOString();
    if (created > 0) this.deps.save();
    if (created || retried || this.removing.size)
      logger.info(
        { created, retried, removing: this.removing.size, conflicts: conflicts.length },
        `Fleet: ${wanted.size} clusters owned by ${shard.agentId}; creating ${created}, retrying ${retried}, removing ${this.removing.size}`,
      );
  }

  private remove(name: string): void {
    this.removing.add(name);
    void (async () => {
      const release = await this.slots.acquire();
      try {
        this.deps.logger.info(
          { cluster: name },
          `Fleet: deleting ${name}: the spec no longer names it for ${this.deps.shard.agentId}`,
        );
        await this.deps.lifecycle.delete(name);
      } catch (err) {
        this.deps.logger.warn(
          { cluster: name, err },
          `Fleet: deleting ${name} failed: ${(err as Error).message}`,
        );
      } finally {
        release();
        this.removing.delete(name);
      }
    })();
  }
}
