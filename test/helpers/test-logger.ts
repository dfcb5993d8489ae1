import { createLogger } from '../../src/main/engine/telemetry/logger';

/** A logger that keeps its lines in memory, so tests can read (and stay quiet). */
export function memoryLogger(level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (l: string) => void lines.push(l) } });
  return { logger, lines };
}
