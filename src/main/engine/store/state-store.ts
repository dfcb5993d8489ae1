/**
 * Keeps state.json in step with the engine: writes are coalesced (at most one
 * per `delayMs`) and serialized, and a final flush runs on shutdown.
 */
import type { Logger } from '../telemetry/logger';
import { readWithBackup, writeFileAtomic } from './atomic-file';
import { parseAgentState, STATE_VERSION, type AgentState, type PersistedCluster } from './agent-state';

export class StateStore {
  private timer: NodeJS.Timeout | undefined;
  private writing = false;
  private again = false;
  writes = 0;

  constructor(
    readonly path: string,
    private readonly snapshot: () => PersistedCluster[],
    private readonly logger: Logger,
    private readonly delayMs = 200,
  ) {}

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
    }, this.delayMs);
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
    }
    if (this.again) {
      this.again = false;
      this.schedule();
    }
  }
}
