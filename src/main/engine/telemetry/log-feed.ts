/**
 * Pushes new log lines to the UIs in batches, at most once per interval
 * (4 times a second by default), never one message per line: a burst of
 * thousands of lines costs the renderer a handful of updates.
 */
import type { LogsAppended } from '../../../shared/logs';
import type { LogRing } from './log-ring';

export const LOG_FEED_INTERVAL_MS = 250;
/** Most lines in one batch; a larger burst is reported as dropped (the ring still has them). */
export const LOG_FEED_MAX_LINES = 1000;

export class LogFeed {
  private sent: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ring: LogRing,
    private readonly emit: (batch: LogsAppended) => void,
    private readonly intervalMs = LOG_FEED_INTERVAL_MS,
    private readonly maxLines = LOG_FEED_MAX_LINES,
  ) {
    // Lines logged before start are history (`logs.tail`), not news.
    this.sent = ring.lastSeq;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sends what arrived since the last batch, if anything did. */
  flush(): void {
    if (this.ring.lastSeq === this.sent) return;
    const batch = this.ring.since(this.sent, this.maxLines);
    this.sent = this.ring.lastSeq;
    this.emit(batch);
  }
}
