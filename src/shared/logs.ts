/**
 * Log lines as the Logs screen sees them: the engine keeps its recent lines
 * (already redacted by the logger) in a ring, answers `logs.tail` from it and
 * pushes new ones in `logs.appended` batches. The filter is shared so the
 * screen filters live lines exactly as the engine filters the history.
 */

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export const LOG_LEVEL_NAMES: readonly LogLevelName[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export interface LogLine {
  /** Increases by one per line the engine logged; a gap means lines fell out of the ring. */
  seq: number;
  /** Milliseconds since the epoch. */
  time: number;
  level: LogLevelName;
  msg: string;
  /** The cluster the line is about, when it names one. */
  cluster?: string;
  /** The line's other fields as `key=value` text (errors by their message). */
  fields?: string;
}

export interface LogFilter {
  /** The lowest level shown: `warn` shows warn, error and fatal. */
  level?: LogLevelName;
  /** Exactly this cluster. */
  cluster?: string;
  /** Case-insensitive text in the message, the cluster or the fields. */
  text?: string;
}

export interface LogsTailRequest extends LogFilter {
  /** Newest lines to answer (1 to 5000, default 500). */
  limit?: number;
}

export interface LogsTailResponse {
  /** Oldest first. */
  lines: LogLine[];
  /** How many lines the engine keeps. */
  capacity: number;
  /** The newest line's seq (0 when nothing was logged). */
  lastSeq: number;
}

export interface LogsAppended {
  /** Oldest first. */
  lines: LogLine[];
  /** Lines that came and went between two batches (a burst larger than a batch). */
  dropped: number;
}

export const MAX_LOGS_TAIL = 5000;

export function levelRank(level: LogLevelName): number {
  return LOG_LEVEL_NAMES.indexOf(level);
}

/** A filter made ready to test many lines (the text lowered once). */
export function logMatcher(filter: LogFilter): (line: LogLine) => boolean {
  const minRank = filter.level ? levelRank(filter.level) : 0;
  const cluster = filter.cluster?.trim() || undefined;
  const text = filter.text?.trim().toLowerCase() || undefined;
  return (line) => {
    if (levelRank(line.level) < minRank) return false;
    if (cluster !== undefined && line.cluster !== cluster) return false;
    if (text !== undefined) {
      const hay = `${line.msg}\n${line.cluster ?? ''}\n${line.fields ?? ''}`.toLowerCase();
      if (!hay.includes(text)) return false;
    }
    return true;
  };
}
