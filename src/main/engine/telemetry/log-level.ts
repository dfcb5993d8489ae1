/**
 * Changing the log level while the agent runs (`PUT /log-level`), for chasing
 * a problem without a restart. A level outside the known ones is refused and
 * changes nothing.
 */
import { EngineError } from '../../../shared/errors';
import { LOG_LEVELS, type LogLevel } from '../config/agent-config';
import type { Logger } from './logger';

export function setLogLevel(logger: Logger, request: unknown): { level: string } {
  const level = (request as { level?: unknown } | null)?.level;
  if (typeof level !== 'string' || !LOG_LEVELS.includes(level as LogLevel)) {
    throw new EngineError('invalid', `"level" must be one of ${LOG_LEVELS.join(', ')}`);
  }
  logger.level = level;
  logger.info(`Log level is now ${level}`);
  return { level };
}
