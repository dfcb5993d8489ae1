/** Checks a `logs.tail` request: every field optional, each with a clear message when wrong. */
import { EngineError } from '../../../shared/errors';
import {
  LOG_LEVEL_NAMES,
  MAX_LOGS_TAIL,
  type LogLevelName,
  type LogsTailRequest,
} from '../../../shared/logs';

const FIELDS = new Set(['level', 'cluster', 'text', 'limit']);

export function parseLogsTailRequest(request: unknown): LogsTailRequest {
  if (request === undefined || request === null) return {};
  if (typeof request !== 'object' || Array.isArray(request))
    throw new EngineError('invalid', 'logs.tail needs a request object like {"level": "warn", "limit": 200}');
  const r = request as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0)
    throw new EngineError(
      'invalid',
      `logs.tail: unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  const out: LogsTailRequest = {};
  if (r.level !== undefined) {
    if (typeof r.level !== 'string' || !LOG_LEVEL_NAMES.includes(r.level as LogLevelName))
      throw new EngineError('invalid', `logs.tail: "level" must be one of ${LOG_LEVEL_NAMES.join(', ')}`);
    out.level = r.level as LogLevelName;
  }
  for (const field of ['cluster', 'text'] as const) {
    const value = r[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > 256)
      throw new EngineError('invalid', `logs.tail: "${field}" must be a string of at most 256 characters`);
    out[field] = value;
  }
  if (r.limit !== undefined) {
    if (typeof r.limit !== 'number' || !Number.isInteger(r.limit) || r.limit < 1 || r.limit > MAX_LOGS_TAIL)
      throw new EngineError(
        'invalid',
        `logs.tail: "limit" must be a whole number from 1 to ${MAX_LOGS_TAIL}`,
      );
    out.limit = r.limit;
  }
  return out;
}
