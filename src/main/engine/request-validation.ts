/**
 * Checks requests that arrive from outside (IPC, WebSocket) before the engine
 * acts on them: a malformed request is an `invalid` error and changes nothing.
 */
import type { RequestChannel, RequestOf } from '../../shared/channels';
import type { CreateBatchRequest, CreateClusterRequest } from '../../shared/cluster';
import { EngineError } from '../../shared/errors';

function objectRequest(channel: string, request: unknown, example: string): Record<string, unknown> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new EngineError('invalid', `${channel} needs a request object like ${example}`);
  }
  return request as Record<string, unknown>;
}

function stringField(channel: string, request: Record<string, unknown>, field: string): string {
  const value = request[field];
  if (typeof value !== 'string') throw new EngineError('invalid', `${channel}: "${field}" must be a string`);
  return value;
}

function nameRequest(channel: string, request: unknown): { name: string } {
  return { name: stringField(channel, objectRequest(channel, request, '{"name": "my-cluster"}'), 'name') };
}

function idRequest(channel: string, request: unknown): { id: string } {
  return { id: stringField(channel, objectRequest(channel, request, '{"id": "b-1a2b3c4d"}'), 'id') };
}

const CREATE_FIELDS = new Set(['name', 'template']);
const BATCH_FIELDS = new Set(['pattern', 'prefix', 'count', 'start', 'padding', 'template', 'concurrency']);

function noUnknownFields(channel: string, request: Record<string, unknown>, known: Set<string>): void {
  const unknown = Object.keys(request).filter((k) => !known.has(k));
  if (unknown.length > 0)
    throw new EngineError(
      'invalid',
      `${channel}: unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')}`,
    );
}

function templateField(channel: string, request: Record<string, unknown>): CreateClusterRequest['template'] {
  const t = request.template;
  if (t === undefined) return undefined;
  if (typeof t === 'string' || (typeof t === 'object' && t !== null && !Array.isArray(t)))
    return t as CreateClusterRequest['template'];
  throw new EngineError('invalid', `${channel}: "template" must be a preset name or a template object`);
}

function createRequest(request: unknown): CreateClusterRequest {
  const r = objectRequest('clusters.create', request, '{"name": "my-cluster"}');
  noUnknownFields('clusters.create', r, CREATE_FIELDS);
  const template = templateField('clusters.create', r);
  return { name: stringField('clusters.create', r, 'name'), ...(template !== undefined ? { template } : {}) };
}

function batchRequest(request: unknown): CreateBatchRequest {
  const r = objectRequest(
    'batches.create',
    request,
    '{"pattern": "scale-{001..100}", "template": "default"}',
  );
  noUnknownFields('batches.create', r, BATCH_FIELDS);
  templateField('batches.create', r);
  return r as CreateBatchRequest;
}

const VALIDATORS: { [C in RequestChannel]: (request: unknown) => RequestOf<C> } = {
  'engine.info': () => undefined,
  'mainCluster.get': () => undefined,
  'clusters.list': () => undefined,
  'clusters.get': (r) => nameRequest('clusters.get', r),
  'clusters.create': createRequest,
  'clusters.delete': (r) => nameRequest('clusters.delete', r),
  'clusters.retry': (r) => nameRequest('clusters.retry', r),
  'clusters.import': (r) => nameRequest('clusters.import', r),
  'batches.create': batchRequest,
  'batches.get': (r) => idRequest('batches.get', r),
  'batches.list': () => undefined,
  'batches.cancel': (r) => idRequest('batches.cancel', r),
  'batches.retry': (r) => idRequest('batches.retry', r),
};

export function validateRequest<C extends RequestChannel>(channel: C, request: unknown): RequestOf<C> {
  const validate = VALIDATORS[channel] as ((r: unknown) => RequestOf<C>) | undefined;
  if (!validate) throw new EngineError('invalid', `unknown channel ${JSON.stringify(channel)}`);
  return validate(request);
}
