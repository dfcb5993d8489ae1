/**
 * Keeps state.json in step with the engine: writes are coalesced and
 * serialized, and a final flush runs on shutdown.
 *
 * A save writes every cluster and waits for the disk (fsync) on the event
 * loop: at 1,000 clusters the file is over 1 MB, and five saves a second
 * while clusters were being made took a real share of the loop. So the wait
 * between coalesced saves grows with how long the last save took (at most
 * `1 / SAVE_SHARE` of the time goes to saving, and never more than
 * MAX_DELAY_MS between them). Saves the engine asks for by name (an
 * acknowledged create) still happen at once.
 */
import type { Logger } from '../telemetry/logger';
import { readWithBackup, writeFileAtomic } from './atomic-file';
import { parseAgentState, STATE_VERSION, type AgentState, type PersistedCluster } from './agent-state';

/** Coalesced saves are spaced so that saving takes at most 1/20 of the time... */
const SAVE_SHARE = 20;
/** ...but a status change waits at most this long to reach the disk. */
export const MAX_DELAY_MS = 2_000;

export class StateStore {
  private timer: NodeJS.Timeout | undefined;
  private writing = false;
  private again = false;
  private lastSaveMs = 0;
  writes = 0;

  constructor(
    readonly path: string,
    private readonly snapshot: () => PersistedCluster[],
    private readonly logger: Logger,
    private readonly delayMs = 200,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How long the next coalesced save waits. */
  get nextDelayMs(): number {
    return Math.min(MAX_DELAY_MS, Math.max(this.delayMs, this.lastSaveMs * SAVE_SHARE));
  }

  load(): AgentState | undefined {
    const result = readWithBackup(this.path, parseAgentState);
    if (!result) return undefined;
    if (result.fromBackup)
      this.logger.warn(`State file problem: ${result.problem}; using the backup copy ${this.path}.bak`);
    return result.value;
  }

  /** Asks for a save soon; many changes in a burst make one write. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.saveNow();
    }, this.nextDelayMs);
    this.timer.unref();
  }

  saveNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = true;
    const started = this.now();
    try {
      const state: AgentState = {
        version: STATE_VERSION,
        savedAt: new Date().toISOString(),
        clusters: this.snapshot(),
      };
      writeFileAtomic(this.path, JSON.stringify(state, null, 1));
      this.writes++;
    } catch (err) {
      this.logger.error({ err }, `could not save state to ${this.path}: ${(err as Error).message}`);
    } finally {
      this.writing = false;
      this.lastSaveMs = this.now() - started;
    }
    if (this.again) {
      this.again = false;
      this.schedule();
    }
  }
}
