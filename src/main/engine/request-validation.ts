/**
 * Checks requests that arrive from outside (IPC, WebSocket) before the engine
 * acts on them: a malformed request is an `invalid` error and changes nothing.
 */
import type { RequestChannel, RequestOf } from '../../shared/channels';
import { EngineError } from '../../shared/errors';

function nameRequest(channel: string, request: unknown): { name: string } {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new EngineError('invalid', `${channel} needs a request object like {"name": "my-cluster"}`);
  }
  const name = (request as Record<string, unknown>).name;
  if (typeof name !== 'string') throw new EngineError('invalid', `${channel}: "name" must be a string`);
  return { name };
}

const VALIDATORS: { [C in RequestChannel]: (request: unknown) => RequestOf<C> } = {
  'engine.info': () => undefined,
  'mainCluster.get': () => undefined,
  'clusters.list': () => undefined,
  'clusters.get': (r) => nameRequest('clusters.get', r),
  'clusters.create': (r) => nameRequest('clusters.create', r),
  'clusters.delete': (r) => nameRequest('clusters.delete', r),
};

export function validateRequest<C extends RequestChannel>(channel: C, request: unknown): RequestOf<C> {
  const validate = VALIDATORS[channel] as ((r: unknown) => RequestOf<C>) | undefined;
  if (!validate) throw new EngineError('invalid', `unknown channel ${JSON.stringify(channel)}`);
  return validate(request);
}
