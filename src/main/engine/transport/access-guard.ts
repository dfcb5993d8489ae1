/**
 * Who may use the REST API and web UI. On loopback (the default) anyone on
 * this machine may; bound anywhere else an access token is required and every
 * request without it is refused, since the API creates and deletes clusters.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { EngineError } from '../../../shared/errors';

export function isLoopbackAddress(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

/** Refuses a configuration that would expose the API without a token. */
export function checkListenPolicy(address: string, accessToken: string): void {
  if (!isLoopbackAddress(address) && !accessToken) {
    throw new EngineError(
      'invalid',
      `ListenAddress ${address} is not loopback: set an AccessToken (SCALE_AGENT_ACCESS_TOKEN) so the API is not open to the network`,
    );
  }
}

/** The token a request presents: `Authorization: Bearer`, or `?token=` (browsers' WebSocket cannot set headers). */
export function presentedToken(req: IncomingMessage): string {
  const header = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  if (bearer?.[1]) return bearer[1].trim();
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
}

export function isAuthorized(req: IncomingMessage, accessToken: string): boolean {
  if (!accessToken) return true;
  const given = Buffer.from(presentedToken(req));
  const wanted = Buffer.from(accessToken);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
