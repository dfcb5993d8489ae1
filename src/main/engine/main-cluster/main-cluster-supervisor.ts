/**
 * Keeps the main cluster up and its status known: brings it up at start
 * (when the agent manages it), refreshes its status on the engine's tick,
 * brings it back after it went away (at most every ENSURE_RETRY_MS, so a
 * persistent fault is not hammered), and lets work wait for it to run.
 */
import { EngineError } from '../../../shared/errors';
import type { MainClusterInfo } from '../../../shared/main-cluster';
import type { Logger } from '../telemetry/logger';
import type { MainClusterProvider } from './main-cluster-provider';

/** How long after a failed or lost main cluster the supervisor tries to bring it up again. */
const ENSURE_RETRY_MS = 30_000;

/** How long work waits for the main cluster to come up before failing. */
const MAIN_WAIT_MS = 300_000;

export interface MainClusterSupervisorOptions {
  provider: MainClusterProvider;
  logger: Logger;
  /** Bring the main cluster up (at start and after it went away); false: only watch it. */
  manage: boolean;
  onChanged: (info: MainClusterInfo) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class MainClusterSupervisor {
  private current: MainClusterInfo;
  private waiters: Waiter[] = [];
  private stopped = false;
  private lastEnsureAt = 0;

  constructor(private readonly options: MainClusterSupervisorOptions) {
    this.current = {
      provider: options.provider.kind,
      name: options.provider.name,
      state: 'starting',
      updatedAt: new Date().toISOString(),
    };
  }

  get info(): MainClusterInfo {
    return this.current;
  }

  get provider(): MainClusterProvider {
    return this.options.provider;
  }

  /** Brings the main cluster up, or (unmanaged) reads its status. Does not block the caller's start. */
  start(): void {
    if (this.options.manage) void this.ensure();
    else void this.refresh(true);
  }

  /** One status tick: refresh, or bring a managed main cluster back if it is down. */
  async tick(): Promise<void> {
    const down = ['error', 'stopped', 'absent'].includes(this.current.state);
    if (down && this.options.manage && Date.now() - this.lastEnsureAt >= ENSURE_RETRY_MS) {
      await this.ensure();
      return;
    }
    await this.refresh();
  }

  /** Ensures the main cluster; failures are reported in its status, not thrown. */
  async ensure(): Promise<MainClusterInfo> {
    const { provider, logger } = this.options;
    this.lastEnsureAt = Date.now();
    this.set({
      ...this.current,
      state: 'starting',
      message: 'bringing up the main cluster',
      updatedAt: new Date().toISOString(),
    });
    try {
      this.set(await provider.ensure());
    } catch (err) {
      const message = (err as Error).message;
      logger.error({ err }, `Main cluster is not available: ${message}`);
      this.set({
        provider: provider.kind,
        name: provider.name,
        state: 'error',
        message,
        updatedAt: new Date().toISOString(),
      });
    }
    return this.current;
  }

  /** Resolves once the main cluster runs; rejects after MAIN_WAIT_MS or when the agent stops. */
  waitRunning(): Promise<void> {
    if (this.current.state === 'running') return Promise.resolve();
    if (this.stopped) return Promise.reject(new EngineError('unavailable', 'the agent is shutting down'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const why = `${this.current.state}${this.current.message ? `: ${this.current.message}` : ''}`;
        reject(new EngineError('unavailable', `main cluster is not running (${why})`));
      }, MAIN_WAIT_MS);
      this.waiters.push(waiter);
    });
  }

  /** No more refreshes or new waits; those already waiting keep waiting (steps in flight get their grace). */
  stop(): void {
    this.stopped = true;
  }

  /** Whoever still waits for the main cluster is told the agent is stopping. */
  abandonWaiters(): void {
    for (const w of this.waiters.splice(0))
      w.reject(new EngineError('unavailable', 'the agent is shutting down'));
  }

  private async refresh(force = false): Promise<void> {
    // While an ensure is in flight its own result is the truth; an error
    // state stays until the next ensure so the reason is not lost.
    if (this.stopped) return;
    if (!force && (this.current.state === 'starting' || this.current.state === 'error')) return;
    try {
      this.set(await this.options.provider.status());
    } catch (err) {
      this.options.logger.debug({ err }, 'main cluster status check failed');
    }
  }

  private set(info: MainClusterInfo): void {
    const before = this.current;
    this.current = info;
    if (info.state === 'running') for (const w of this.waiters.splice(0)) w.resolve();
    if (
      before.state !== info.state ||
      before.nodeCount !== info.nodeCount ||
      before.message !== info.message ||
      before.apiEndpoint !== info.apiEndpoint
    ) {
      this.options.onChanged(info);
    }
  }
}
