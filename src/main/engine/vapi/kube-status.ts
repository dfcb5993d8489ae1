/** Kubernetes-style Status answers, so kubectl and client libraries show our errors as theirs. */
import type { ServerResponse } from 'node:http';

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  500: 'InternalError',
  502: 'InternalError',
  503: 'ServiceUnavailable',
};

export function statusBody(code: number, message: string, details?: Record<string, unknown>): string {
  return JSON.stringify(statusObject(code, message, details));
}

export function statusObject(
  code: number,
  message: string,
  details?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[code] ?? 'Unknown',
    ...(details ? { details } : {}),
    code,
  };
}

export function sendStatus(
  res: ServerResponse,
  code: number,
  message: string,
  details?: Record<string, unknown>,
): void {
  const body = statusBody(code, message, details);
  if (!res.headersSent)
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
