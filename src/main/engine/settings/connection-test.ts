/**
 * "Test connection": one authenticated GET of Rancher's server-version
 * setting through the agent's own Rancher client (same TLS trust as the real
 * import), and a sentence that says exactly what failed: nothing listening,
 * DNS, an untrusted certificate or one for another host, a refused token, a
 * server that is not Rancher, or no answer in time. On success, Rancher's
 * version.
 */
import type { ConnectionFailure, ConnectionTestResult } from '../../../shared/settings';
import { RancherClient } from '../rancher/rancher-client';
import { maskSecrets } from '../telemetry/logger';

export interface ConnectionTarget {
  url: string;
  token: string;
  caPem: string;
  insecure: boolean;
  timeoutMs: number;
}

const VERSION_PATH = '/v3/settings/server-version';

export async function testRancherConnection(target: ConnectionTarget): Promise<ConnectionTestResult> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  const client = new RancherClient({
    url: target.url,
    token: target.token,
    caPem: target.caPem || undefined,
    insecure: target.insecure,
    timeoutMs: target.timeoutMs,
    attempts: 1,
  });
  let deadline: NodeJS.Timeout | undefined;
  try {
    // The client's timeout is per idle socket; this bounds the whole test.
    const overall = new Promise<never>((_, reject) => {
      deadline = setTimeout(
        () => reject(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })),
        target.timeoutMs,
      );
    });
    const answer = await Promise.race([client.probe(VERSION_PATH), overall]);
    const verdict = judgeAnswer(target, answer.status, answer.body);
    return verdict.ok
      ? {
          ok: true,
          url: target.url,
          rancherVersion: verdict.version,
          insecure: target.insecure,
          ms: ms(),
          message: verdict.message,
        }
      : { ok: false, url: target.url, failure: verdict.failure, ms: ms(), message: verdict.message };
  } catch (err) {
    const { failure, message } = classifyConnectionError(target, err, target.timeoutMs);
    return { ok: false, url: target.url, failure, ms: ms(), message };
  } finally {
    clearTimeout(deadline);
    client.close();
  }
}

type Verdict =
  { ok: true; version: string; message: string } | { ok: false; failure: ConnectionFailure; message: string };

/** What Rancher's answer means. */
export function judgeAnswer(
  target: Pick<ConnectionTarget, 'url' | 'insecure'>,
  status: number,
  body: string,
): Verdict {
  const where = target.url;
  if (status === 401)
    return {
      ok: false,
      failure: 'unauthorized',
      message: `Rancher at ${where} refused the API token (401): it is wrong, expired or deleted. Make a new API key in Rancher (Account & API Keys) and paste its bearer token.`,
    };
  if (status === 403)
    return {
      ok: false,
      failure: 'forbidden',
      message: `Rancher at ${where} accepted the token but forbids it to read settings (403): use the API key of a user who may create clusters.`,
    };
  if (status === 404)
    return {
      ok: false,
      failure: 'not-rancher',
      message: `${where} has no ${VERSION_PATH} (404): this is not a Rancher server, or the URL has a wrong path.`,
    };
  if (status >= 300 && status < 400)
    return {
      ok: false,
      failure: 'http-error',
      message: `${where} answers with a redirect (${status}): use the address Rancher is served at (https:// and no path).`,
    };
  if (status >= 400)
    return {
      ok: false,
      failure: 'http-error',
      message: `Rancher at ${where} answered HTTP ${status}: ${snippet(body)}`,
    };
  const version = settingValue(body);
  if (version === undefined)
    return {
      ok: false,
      failure: 'not-rancher',
      message: `${where} answered HTTP ${status}, but not as Rancher's v3 API (no server-version setting): is this the Rancher URL?`,
    };
  return {
    ok: true,
    version,
    message: `Connected to Rancher ${version} at ${where}; the API token is accepted${target.insecure ? ' (certificate NOT verified: skip TLS verification is on)' : ''}.`,
  };
}

function settingValue(body: string): string | undefined {
  try {
    const doc = JSON.parse(body) as { type?: unknown; value?: unknown };
    return doc.type === 'setting' && typeof doc.value === 'string'
      ? doc.value || 'unknown version'
      : undefined;
  } catch {
    return undefined;
  }
}

function snippet(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  return maskSecrets(text.length > 200 ? `${text.slice(0, 199)}…` : text) || '(empty body)';
}

const TLS_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
]);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN']);

/** A network or TLS error as what failed and what to do about it. */
export function classifyConnectionError(
  target: Pick<ConnectionTarget, 'url'>,
  err: unknown,
  timeoutMs: number,
): { failure: ConnectionFailure; message: string } {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  const detail = maskSecrets(e?.message ?? String(err));
  const url = new URL(target.url);
  const hostPort = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  if (code === 'ECONNREFUSED')
    return {
      failure: 'refused',
      message: `Nothing accepts connections at ${hostPort} (connection refused): is Rancher running, and is the port right?`,
    };
  if (code === 'ENOTFOUND')
    return {
      failure: 'dns',
      message: `The host name ${url.hostname} does not resolve (DNS: ENOTFOUND): check the URL's spelling.`,
    };
  if (code === 'EAI_AGAIN')
    return {
      failure: 'dns',
      message: `The host name ${url.hostname} could not be resolved now (DNS: EAI_AGAIN): check this machine's DNS.`,
    };
  if (UNREACHABLE.has(code))
    return {
      failure: 'unreachable',
      message: `${hostPort} is unreachable from this machine (${code}): check the network or a firewall.`,
    };
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT')
    return {
      failure: 'timeout',
      message: `No answer from ${hostPort} within ${Math.round(timeoutMs / 1000)} s: a firewall dropping packets, or Rancher is overloaded.`,
    };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return {
      failure: 'tls-hostname',
      message: `Rancher's certificate is not for ${url.hostname} (${detail}): use the host name the certificate names.`,
    };
  if (TLS_UNTRUSTED.has(code))
    return {
      failure: 'tls-untrusted',
      message:
        `Rancher's certificate is not signed by a CA this agent trusts (${code}): paste Rancher's CA ` +
        `(${url.origin}/v3/settings/cacerts) into the CA certificate field, or, for a throwaway test Rancher only, skip TLS verification.`,
    };
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return {
      failure: 'tls-expired',
      message: `Rancher's certificate is out of its validity period (${code}): renew it, or check this machine's clock.`,
    };
  if (code === 'EPROTO' || code.startsWith('ERR_SSL') || /wrong version number|handshake/i.test(detail))
    return {
      failure: 'tls-handshake',
      message: `The TLS handshake with ${hostPort} failed (${code || detail}): is that an http:// port given as https://?`,
    };
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return {
      failure: 'unreachable',
      message: `${hostPort} closed the connection before answering (${code}): a proxy or firewall, or https:// given for an http:// port?`,
    };
  return {
    failure: 'unreachable',
    message: `The request to ${target.url} failed: ${detail}${code ? ` (${code})` : ''}`,
  };
}
