/**
 * The virtual API's answer while an api_errors fault covers a cluster: at
 * the fault's rate, a request gets a Kubernetes Status error instead of its
 * answer, shaped like the apiserver's own (429 and 503 with Retry-After and
 * details.retryAfterSeconds, as API priority and fairness and an
 * overloaded apiserver send them), its message saying it was injected.
 */
import type { ServerResponse } from 'node:http';
import type { ApiErrorCode } from '../../../shared/faults';
import { statusBody } from '../vapi/kube-status';

export interface InjectedApiError {
  code: ApiErrorCode;
  message: string;
}

/** Seconds a client is asked to wait before retrying a 429 or 503. */
const RETRY_AFTER_SECONDS = 1;

/** Decides one request: an error at `rate` (0..1), or undefined to answer normally. */
export function decideApiError(
  fault: { id: string; rate: number; code: ApiErrorCode } | undefined,
  random: () => number = Math.random,
): InjectedApiError | undefined {
  if (!fault || random() >= fault.rate) return undefined;
  return {
    code: fault.code,
    message: `injected fault ${fault.id}: the simulated API server answers ${fault.code} to ${Math.round(fault.rate * 1000) / 10}% of requests (scale-cluster-agent fault injection)`,
  };
}

export function sendInjectedApiError(res: ServerResponse, error: InjectedApiError): void {
  const retry = error.code === 429 || error.code === 503;
  const body = statusBody(
    error.code,
    error.message,
    retry ? { retryAfterSeconds: RETRY_AFTER_SECONDS } : undefined,
  );
  if (!res.headersSent) {
    res.writeHead(error.code, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...(retry ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {}),
    });
  }
  res.end(body);
}
