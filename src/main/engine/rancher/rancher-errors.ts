/** Errors from talking to Rancher, worded for the person running the test. */
import { EngineError } from '../../../shared/errors';

export class RancherError extends EngineError {
  constructor(
    message: string,
    readonly status = 0,
    /** Rancher's error code (NotUnique, NotFound, ...), when it gave one. */
    readonly rancherCode = '',
    /** Rancher's own message, as it gave it (e.g. `namespaces "c-xxxxx" not found`). */
    readonly rancherMessage = '',
  ) {
    super(
      status === 401 || status === 403 ? 'unauthorized' : status === 404 ? 'not_found' : 'unavailable',
      message,
    );
    this.name = 'RancherError';
  }

  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** A network or TLS failure, as a sentence that says what to do. */
export function describeNetworkError(url: string, err: unknown): RancherError {
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? '';
  if (TLS_CODES.has(code)) {
    return new RancherError(
      `Rancher at ${url} presented a certificate this agent does not trust (${code}: ${e.message}). ` +
        "Set RancherCACert to the file of Rancher's CA (GET /v3/settings/cacerts shows it), " +
        'or, for a throwaway test Rancher only, RancherInsecure: true.',
    );
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ETIMEDOUT' ||
    code === 'ECONNRESET'
  ) {
    return new RancherError(
      `Rancher at ${url} is unreachable (${code}): check RancherURL and that Rancher is running`,
    );
  }
  return new RancherError(`request to Rancher at ${url} failed: ${e.message ?? String(err)}`);
}
