/**
 * Nothing is deleted on a guess. A refused tunnel (main 400, Steve 401) or
 * a cluster missing from Rancher's cluster list is only a suspicion: Rancher
 * gives the same answers while it restarts, or while a cache is cold. Each
 * suspicion starts one check, `GET /v3/clusters/<id>`, and only Rancher's
 * own word confirms a deletion: 404, or the cluster in state `removing`.
 * Until then the cluster says why it is suspected and what the check found
 * (a note shown in the UI and REST); if Rancher cannot be asked (unreachable,
 * 5xx, a refused API token) nothing is deleted and a later suspicion asks
 * again. The note goes away once every source of the suspicion is cleared
 * (the tunnel connected again, the list shows the cluster again).
 */
import type { Logger } from '../telemetry/logger';
import type { RancherCluster } from './rancher-client';
import { RancherError } from './rancher-errors';

/** What raised the suspicion: one of the tunnels, or the deletion watcher's list. */
export type SuspicionSource = 'main' | 'steve' | 'list';

export type PresenceVerdict =
  | { kind: 'gone'; why: string }
  | { kind: 'removing'; why: string }
  | { kind: 'present'; state: string }
  | { kind: 'unknown'; why: string };

/** Asks Rancher about one cluster by id and says what the answer proves. */
export async function askRancher(
  getCluster: (id: string) => Promise<RancherCluster | undefined>,
  rancherId: string,
): Promise<PresenceVerdict> {
  try {
    const cluster = await getCluster(rancherId);
    if (!cluster) return { kind: 'gone', why: `GET /v3/clusters/${rancherId} answered 404` };
    const state = cluster.state ?? '';
    if (state === 'removing')
      return { kind: 'removing', why: `Rancher shows ${rancherId} in state removing` };
    return { kind: 'present', state: state || 'unknown' };
  } catch (err) {
    const why = err instanceof RancherError || err instanceof Error ? err.message : String(err);
    return { kind: 'unknown', why };
  }
}

export interface DeletionConfirmerDeps {
  ask: (rancherId: string) => Promise<PresenceVerdict>;
  /** The cluster's Rancher id, or undefined when it has none (never imported, forgotten). */
  rancherIdOf: (name: string) => string | undefined;
  /** Clusters whose removal is under way already: suspicions about them are ignored. */
  isBeingRemoved: (name: string) => boolean;
  /** Sets (or, with undefined, clears) the note the cluster shows. */
  onNote: (name: string, note: string | undefined) => void;
  /** Rancher confirmed the deletion. */
  onConfirmed: (name: string, verdict: Extract<PresenceVerdict, { kind: 'gone' | 'removing' }>) => void;
  logger: Logger;
  /** A cluster is asked about at most this often (refusals repeat under backoff). */
  minIntervalMs?: number;
  now?: () => number;
}

interface Suspicion {
  sources: Map<SuspicionSource, string>;
  checking: boolean;
  lastAskedAt: number;
  lastVerdict?: PresenceVerdict;
}

export class DeletionConfirmer {
  private readonly suspicions = new Map<string, Suspicion>();
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  /** Checks in flight, so a test (or a shutdown) can wait for them. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: DeletionConfirmerDeps) {
    this.minIntervalMs = deps.minIntervalMs ?? 5000;
    this.now = deps.now ?? Date.now;
  }

  /** Something suggests Rancher no longer has the cluster; `reason` says what, for people. */
  suspect(name: string, source: SuspicionSource, reason: string): void {
    if (this.deps.isBeingRemoved(name)) return;
    const rancherId = this.deps.rancherIdOf(name);
    if (!rancherId) return;
    let s = this.suspicions.get(name);
    if (!s) {
      s = { sources: new Map(), checking: false, lastAskedAt: 0 };
      this.suspicions.set(name, s);
    }
    s.sources.set(source, reason);
    if (s.checking) return;
    if (s.lastVerdict && this.now() - s.lastAskedAt < this.minIntervalMs) {
      this.note(name, s, s.lastVerdict, rancherId);
      return;
    }
    s.checking = true;
    s.lastAskedAt = this.now();
    this.deps.onNote(name, `${this.reasons(s)}; confirming with Rancher`);
    const check = this.deps
      .ask(rancherId)
      .then((verdict) => this.decide(name, s, rancherId, verdict))
      .finally(() => {
        s.checking = false;
        this.inFlight.delete(check);
      });
    this.inFlight.add(check);
  }

  /** A source no longer suggests deletion (its tunnel connected, the list has the cluster again). */
  cleared(name: string, source: SuspicionSource): void {
    const s = this.suspicions.get(name);
    if (!s || !s.sources.delete(source)) return;
    if (s.sources.size > 0) return;
    this.suspicions.delete(name);
    if (!s.checking) this.deps.onNote(name, undefined);
  }

  /** The cluster is gone or being removed: nothing more to confirm. */
  forget(name: string): void {
    this.suspicions.delete(name);
  }

  isSuspected(name: string): boolean {
    return this.suspicions.has(name);
  }

  /** Resolves when the checks started so far have finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private decide(name: string, s: Suspicion, rancherId: string, verdict: PresenceVerdict): void {
    const current = this.suspicions.get(name);
    if (verdict.kind === 'gone' || verdict.kind === 'removing') {
      // Rancher's word counts even if a tunnel came back meanwhile.
      this.suspicions.delete(name);
      if (this.deps.isBeingRemoved(name)) return;
      this.deps.logger.warn(
        { cluster: name, rancherId },
        `Cluster ${name}: ${this.reasons(s)}; Rancher confirms the deletion (${verdict.why})`,
      );
      this.deps.onConfirmed(name, verdict);
      return;
    }
    s.lastVerdict = verdict;
    if (current !== s) {
      // Every source cleared while Rancher was being asked: the cluster is fine.
      this.deps.onNote(name, undefined);
      return;
    }
    this.note(name, s, verdict, rancherId);
    this.deps.logger.warn(
      { cluster: name, rancherId, verdict: verdict.kind },
      `Cluster ${name}: ${this.noteText(s, verdict, rancherId)}`,
    );
  }

  private note(name: string, s: Suspicion, verdict: PresenceVerdict, rancherId: string): void {
    this.deps.onNote(name, this.noteText(s, verdict, rancherId));
  }

  private noteText(s: Suspicion, verdict: PresenceVerdict, rancherId: string): string {
    const reasons = this.reasons(s);
    // A refused tunnel goes on reconnecting; a cluster missing from the list has nothing to reconnect.
    const refused = s.sources.has('main') || s.sources.has('steve');
    if (verdict.kind === 'present')
      return `${reasons}, but Rancher still has ${rancherId} (state ${verdict.state}): keeping the cluster${refused ? ' and reconnecting' : ''}`;
    if (verdict.kind === 'unknown')
      return `${reasons}; cannot confirm with Rancher (${verdict.why}): nothing is deleted${refused ? ', reconnecting' : ''}`;
    return `${reasons}; ${verdict.why}`;
  }

  private reasons(s: Suspicion): string {
    return [...s.sources.values()].join('; ');
  }
}
