/**
 * Waiting for Rancher to finish removing a cluster, as its removal needs:
 * while the cluster is `removing`, Rancher's Remove lifecycle reaches the
 * cluster through its tunnel (it creates the `cattle-cleanup-*` Job in
 * `default`), so the tunnels stay up until `GET /v3/clusters/<id>` answers
 * 404. A removal Rancher does not finish within the bound is finished by the
 * agent, and the outcome says so.
 */
import { abortableSleep } from './abortable-sleep';
import type { RancherCluster } from './rancher-client';

export interface RemovalWaitOptions {
  rancherId: string;
  getCluster: (id: string) => Promise<RancherCluster | undefined>;
  /** How long Rancher gets (RancherRemovalWaitSeconds). */
  boundMs: number;
  intervalMs?: number;
  /** Where the wait is reported (the cluster's note in the UI and REST). */
  onProgress: (text: string) => void;
  /** Aborts the wait (the agent is stopping). */
  signal?: AbortSignal;
}

export interface RemovalOutcome {
  /** Rancher finished (404), or the bound passed and the agent finished alone. */
  finishedBy: 'rancher' | 'agent';
  waitedMs: number;
  /** For people, when the agent finished alone. */
  note?: string;
}

export async function waitForRancherRemoval(o: RemovalWaitOptions): Promise<RemovalOutcome> {
  const { rancherId, boundMs } = o;
  const started = Date.now();
  const bound = secondsText(boundMs);
  for (;;) {
    o.signal?.throwIfAborted();
    const waited = Date.now() - started;
    try {
      const cluster = await o.getCluster(rancherId);
      if (!cluster) return { finishedBy: 'rancher', waitedMs: Date.now() - started };
      o.onProgress(
        `Rancher is removing ${rancherId} (state ${cluster.state || 'unknown'}, ${secondsText(waited)} of ${bound}); ` +
          "its tunnels stay up for Rancher's cleanup",
      );
    } catch (err) {
      o.onProgress(
        `waiting for Rancher to finish removing ${rancherId} (${secondsText(waited)} of ${bound}): cannot ask it: ${(err as Error).message}`,
      );
    }
    if (Date.now() - started >= boundMs) {
      return {
        finishedBy: 'agent',
        waitedMs: Date.now() - started,
        note: `Rancher did not finish removing ${rancherId} within ${bound}: the removal was finished here without it`,
      };
    }
    const left = boundMs - (Date.now() - started);
    await abortableSleep(Math.max(0, Math.min(o.intervalMs ?? 1000, left)), o.signal);
  }
}

function secondsText(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
}
