/**
 * Steve's error answer: `{"type":"error","links":{},"code","message","status"}`
 * (rancher/apiserver's error resource). Kubernetes errors keep their reason as
 * the code and their message, as Steve's translateError does.
 */
import type { ServerResponse } from 'node:http';
import type { KubeStatus } from './cluster-kube';

export class SteveError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** A Kubernetes answer that was not a success, as Steve passes it on. */
  static fromKube(status: number, body: unknown): SteveError {
    const s = (typeof body === 'object' && body !== null ? body : {}) as KubeStatus;
    const message = s.message ?? (typeof body === 'string' && body ? body : `Kubernetes answered ${status}`);
    return new SteveError(s.code ?? status, s.reason || codeForStatus(status), message);
  }
}

function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 409:
      return 'Conflict';
    case 410:
      return 'Expired';
    case 422:
      return 'InvalidBodyContent';
    default:
      return status >= 500 ? 'ServerError' : 'BadRequest';
  }
}

export function errorBody(err: SteveError): Record<string, unknown> {
  return { type: 'error', links: {}, code: err.code, message: err.message, status: err.status };
}

export function writeJson(res: ServerResponse, status: number, body: unknown, schemasUrl?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    // Steve's headers: where the schemas are, and never cached.
    ...(schemasUrl ? { 'x-api-schemas': schemasUrl } : {}),
    expires: 'Wed 24 Feb 1982 18:42:00 GMT',
  });
  res.end(text);
}

/** Errors that carry Steve's status and code (SteveError, list-query's SteveQueryError). */
export function asSteveError(err: unknown): SteveError {
  if (err instanceof SteveError) return err;
  const e = err as { status?: unknown; code?: unknown; message?: string };
  if (typeof e.status === 'number' && typeof e.code === 'string')
    return new SteveError(e.status, e.code, e.message ?? '');
  return new SteveError(500, 'ServerError', e.message ?? String(err));
}

export function writeError(res: ServerResponse, err: unknown): void {
  const e = asSteveError(err);
  writeJson(res, e.status, errorBody(e));
}
