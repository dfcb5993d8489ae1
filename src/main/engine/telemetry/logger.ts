/**
 * Structured logging (pino). Secrets are removed twice: known secret fields
 * are redacted by path, and any string that looks like a token (Rancher API
 * tokens, JWTs, registration tokens, bearer headers) is masked wherever it
 * appears, since a secret can hide inside an error message.
 */
import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/agent-config';

export type { Logger };

const REDACT_PATHS = [
  'token',
  'BearerToken',
  'AccessToken',
  'authorization',
  'password',
  '*.token',
  '*.BearerToken',
  '*.AccessToken',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'headers["x-api-tunnel-token"]',
  'headers["x-api-tunnel-params"]',
];

const SECRET_PATTERNS: RegExp[] = [
  // Rancher API tokens: token-xxxxx:<secret>
  /token-[a-z0-9]{5}:[a-z0-9]{20,}/gi,
  // JWTs (service-account tokens): three base64url parts, header starts eyJ
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g,
  // Bearer credentials in headers or messages
  /(Bearer\s+)[^\s"',]+/gi,
  // Rancher cluster registration tokens: 54 characters of its alphabet
  /\b[bcdfghjklmnpqrstvwxz2456789]{54}\b/g,
];

/** Masks anything that looks like a secret in a string. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: string) =>
      typeof prefix === 'string' && /^Bearer\s+$/i.test(prefix) ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return out;
}

export interface CreateLoggerOptions {
  level: LogLevel;
  /** Human-readable lines instead of JSON (a terminal). */
  pretty?: boolean;
  destination?: pino.DestinationStream;
  /**
   * Also receives every finished line (after redaction), e.g. the log ring
   * behind the Logs screen, so a copy never sees what the logger removed.
   */
  copyTo?: pino.DestinationStream;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const base: pino.LoggerOptions = {
    level: options.level,
    base: undefined,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: {
      log: (object) => scrub(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? maskSecrets(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  };
  const destination =
    options.destination ?? (options.pretty ? prettyDestination() : options.copyTo ? stdout() : undefined);
  if (!destination) return pino(base);
  return pino(base, options.copyTo ? tee(destination, options.copyTo) : destination);
}

/** Standard output, the way pino writes when given no destination. */
function stdout(): pino.DestinationStream {
  return pino.destination(1);
}

/** Writes each line to both streams; a failing copy never stops the main output. */
function tee(main: pino.DestinationStream, copy: pino.DestinationStream): pino.DestinationStream {
  return {
    write(line: string) {
      main.write(line);
      try {
        copy.write(line);
      } catch {
        // the copy is best effort: the real log already has the line
      }
    },
  };
}

/** Deep-copies a log object, masking secret-looking strings (errors included). */
function scrub(value: unknown, depth = 0): unknown {
  if (depth > 6) return value;
  if (typeof value === 'string') return maskSecrets(value);
  if (value instanceof Error) {
    return {
      type: value.name,
      message: maskSecrets(value.message),
      stack: value.stack ? maskSecrets(value.stack) : undefined,
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrub(v, depth + 1);
    return out;
  }
  return value;
}

/** A small readable format for terminals: `12:00:01 INFO message key=value`. */
function prettyDestination(): pino.DestinationStream {
  const names: Record<number, string> = {
    10: 'TRACE',
    20: 'DEBUG',
    30: 'INFO',
    40: 'WARN',
    50: 'ERROR',
    60: 'FATAL',
  };
  return {
    write(line: string) {
      try {
        const { level, time, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const when = new Date(typeof time === 'number' ? time : Date.now()).toISOString().slice(11, 19);
        const extra = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        process.stderr.write(
          `${when} ${(names[level as number] ?? 'LOG').padEnd(5)} ${String(msg ?? '')}${extra ? ' ' + extra : ''}\n`,
        );
      } catch {
        process.stderr.write(line);
      }
    },
  };
}
