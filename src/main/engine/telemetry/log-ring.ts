/**
 * The engine's recent log lines, for the Logs screen: a fixed-size ring
 * (the newest `capacity` lines) fed with the logger's finished JSON output,
 * so it only ever holds what already went through the logger's redaction.
 * Message and fields are masked once more on the way in, because a line that
 * reaches a UI must never carry a secret even if a new code path forgot one.
 */
import {
  LOG_LEVEL_NAMES,
  logMatcher,
  MAX_LOGS_TAIL,
  type LogFilter,
  type LogLevelName,
  type LogLine,
} from '../../../shared/logs';
import { maskSecrets } from './logger';

export const DEFAULT_LOG_RING_CAPACITY = 5000;

/** Longest `fields` text kept per line: a line is for reading, not a data dump. */
const MAX_FIELDS_CHARS = 600;
const MAX_MSG_CHARS = 2000;

const LEVEL_BY_NUMBER: Record<number, LogLevelName> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

export class LogRing {
  private readonly lines: (LogLine | undefined)[];
  private seq = 0;

  constructor(readonly capacity = DEFAULT_LOG_RING_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('log ring capacity must be at least 1');
    this.lines = new Array<LogLine | undefined>(capacity);
  }

  /** The newest line's seq; 0 before the first line. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Lines held now (at most `capacity`). */
  get size(): number {
    return Math.min(this.seq, this.capacity);
  }

  /** A pino destination: one JSON line per call. Lines that are not JSON are kept as plain messages. */
  write(text: string): void {
    for (const raw of text.split('\n')) {
      if (raw.trim() !== '') this.add(parseLine(raw));
    }
  }

  private add(line: Omit<LogLine, 'seq'>): void {
    this.seq += 1;
    this.lines[this.seq % this.capacity] = { seq: this.seq, ...line };
  }

  /** The newest `limit` lines that match, oldest first. */
  tail(filter: LogFilter = {}, limit = 500): LogLine[] {
    const matches = logMatcher(filter);
    const want = Math.max(1, Math.min(limit, MAX_LOGS_TAIL, this.capacity));
    const out: LogLine[] = [];
    for (let s = this.seq; s > this.seq - this.size && out.length < want; s--) {
      const line = this.lines[s % this.capacity]!;
      if (matches(line)) out.push(line);
    }
    return out.reverse();
  }

  /**
   * Lines after `seq`, oldest first, at most `max` (the newest ones); how
   * many newer than `seq` are no longer (or not) included is `dropped`.
   */
  since(seq: number, max = this.capacity): { lines: LogLine[]; dropped: number } {
    const first = Math.max(seq + 1, this.seq - this.size + 1, this.seq - max + 1);
    const lines: LogLine[] = [];
    for (let s = first; s <= this.seq; s++) lines.push(this.lines[s % this.capacity]!);
    return { lines, dropped: Math.max(0, first - seq - 1) };
  }
}

function parseLine(raw: string): Omit<LogLine, 'seq'> {
  let doc: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    doc = parsed as Record<string, unknown>;
  } catch {
    return { time: Date.now(), level: 'info', msg: clip(maskSecrets(raw), MAX_MSG_CHARS) };
  }
  const { level, time, msg, cluster, ...rest } = doc;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${fieldText(v)}`)
    .join(' ');
  return {
    time: typeof time === 'number' ? time : Date.now(),
    level: levelName(level),
    msg: clip(
      maskSecrets(typeof msg === 'string' ? msg : msg === undefined ? '' : String(msg)),
      MAX_MSG_CHARS,
    ),
    ...(typeof cluster === 'string' && cluster !== '' ? { cluster } : {}),
    ...(fields ? { fields: clip(maskSecrets(fields), MAX_FIELDS_CHARS) } : {}),
  };
}

function levelName(level: unknown): LogLevelName {
  if (typeof level === 'number') return LEVEL_BY_NUMBER[level] ?? (level >= 50 ? 'error' : 'info');
  if (typeof level === 'string' && (LOG_LEVEL_NAMES as readonly string[]).includes(level))
    return level as LogLevelName;
  return 'info';
}

/** An error shows as its message; other objects as compact JSON. */
function fieldText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'message' in value && 'type' in value) {
    return String((value as { message: unknown }).message);
  }
  return JSON.stringify(value) ?? String(value);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
