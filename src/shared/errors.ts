/**
 * Errors that cross the engine boundary (REST, IPC, WebSocket) carry a code
 * that maps to one HTTP status, so every transport reports them the same way.
 */
export type EngineErrorCode =
  'invalid' | 'not_found' | 'conflict' | 'unavailable' | 'unauthorized' | 'internal';

export const HTTP_STATUS_BY_CODE: Record<EngineErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

export interface EngineErrorShape {
  code: EngineErrorCode;
  message: string;
}

export class EngineError extends Error implements EngineErrorShape {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }

  toJSON(): EngineErrorShape {
    return { code: this.code, message: this.message };
  }
}

export function isEngineErrorShape(value: unknown): value is EngineErrorShape {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && v.code in HTTP_STATUS_BY_CODE && typeof v.message === 'string';
}
