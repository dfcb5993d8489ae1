/**
 * Checks requests that arrive from outside (IPC, WebSocket) before the engine
 * acts on them: a malformed request is an `invalid` error and changes nothing.
 */
import type { RequestChannel, RequestOf } from '../../../shared/channels';
import type { CreateBatchRequest, CreateClusterRequest } from '../../../shared/cluster';
import { BATCH_NAME_FIELDS } from '../../../shared/cluster-names';
import { EngineError } from '../../../shared/errors';
import { parseConnectionTestRequest, parseSettingsUpdate } from '../settings/parse-settings-requests';
import { parseLogsTailRequest } from '../telemetry/logs-tail-request';
import * as inspector from '../inspector/inspector-requests';
import { parseClearFaultsRequest, parseInjectFaultRequest } from '../faults/fault-requests';
import { MAX_PROFILE_SECONDS } from '../telemetry/profiler';

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

const CREATE_FIELDS = new Set(['name', 'template', 'importToRancher']);
const BATCH_FIELDS = new Set([...BATCH_NAME_FIELDS, 'template', 'concurrency', 'importToRancher']);

function optionalBoolean(channel: string, request: Record<string, unknown>, field: string): void {
  const v = request[field];
  if (v !== undefined && typeof v !== 'boolean')
    throw new EngineError('invalid', `${channel}: "${field}" must be true or false`);
}

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
  optionalBoolean('clusters.create', r, 'importToRancher');
  return {
    name: stringField('clusters.create', r, 'name'),
    ...(template !== undefined ? { template } : {}),
    ...(typeof r.importToRancher === 'boolean' ? { importToRancher: r.importToRancher } : {}),
  };
}

function batchRequest(request: unknown): CreateBatchRequest {
  const r = objectRequest(
    'batches.create',
    request,
    '{"pattern": "scale-{001..100}", "template": "default"}',
  );
  noUnknownFields('batches.create', r, BATCH_FIELDS);
  templateField('batches.create', r);
  optionalBoolean('batches.create', r, 'importToRancher');
  return r as CreateBatchRequest;
}

/** `telemetry.history`: nothing (all kept) or {"seconds": N} with N from 1 to 86400. */
function historyRequest(request: unknown): RequestOf<'telemetry.history'> {
  if (request === undefined || request === null) return {};
  const r = objectRequest('telemetry.history', request, '{"seconds": 300}');
  noUnknownFields('telemetry.history', r, new Set(['seconds']));
  const { seconds } = r;
  if (seconds === undefined) return {};
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 1 || seconds > 86_400)
    throw new EngineError('invalid', 'telemetry.history: "seconds" must be a number from 1 to 86400');
  return { seconds };
}

const VALIDATORS: { [C in RequestChannel]: (request: unknown) => RequestOf<C> } = {
  'telemetry.history': historyRequest,
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
  'settings.get': () => undefined,
  'settings.update': parseSettingsUpdate,
  'settings.testConnection': parseConnectionTestRequest,
  'logs.tail': parseLogsTailRequest,
  'inspector.sessions': inspector.sessionsRequest,
  'inspector.watch': inspector.watchRequest,
  'inspector.unwatch': inspector.unwatchRequest,
  'inspector.frames': inspector.framesRequest,
  'inspector.export': inspector.exportRequest,
  'inspector.reconnect': inspector.reconnectRequest,
  'templates.list': () => undefined,
  'clusters.nodes': (r) => nameRequest('clusters.nodes', r),
  'clusters.kubeconfig': (r) => nameRequest('clusters.kubeconfig', r),
  'clusters.reconnect': (r) => nameRequest('clusters.reconnect', r),
  'clusters.lastPings': () => undefined,
  'templates.check': (r) => {
    const req = objectRequest('templates.check', r, '{"template": "default"}');
    noUnknownFields('templates.check', req, new Set(['template']));
    const template = templateField('templates.check', req);
    if (template === undefined) throw new EngineError('invalid', 'templates.check: "template" is required');
    return { template };
  },
  'debug.cpuProfile': (r) => {
    const req = objectRequest('debug.cpuProfile', r, '{"seconds": 10}');
    noUnknownFields('debug.cpuProfile', req, new Set(['seconds']));
    const { seconds } = req;
    if (
      typeof seconds !== 'number' ||
      !Number.isInteger(seconds) ||
      seconds < 1 ||
      seconds > MAX_PROFILE_SECONDS
    )
      throw new EngineError(
        'invalid',
        `debug.cpuProfile: "seconds" must be a whole number from 1 to ${MAX_PROFILE_SECONDS}`,
      );
    return { seconds };
  },
  'debug.heapSnapshot': () => undefined,
  'fleet.status': () => undefined,
  'fleet.reconcile': () => undefined,
  'agents.list': () => undefined,
  'agents.add': (r) => {
    const req = objectRequest('agents.add', r, '{"url": "http://10.0.0.7:9090", "token": "..."}');
    noUnknownFields('agents.add', req, new Set(['url', 'token', 'name']));
    const url = stringField('agents.add', req, 'url');
    for (const f of ['token', 'name'])
      if (req[f] !== undefined && typeof req[f] !== 'string')
        throw new EngineError('invalid', `agents.add: "${f}" must be a string`);
    return {
      url,
      ...(req.token ? { token: req.token as string } : {}),
      ...(req.name ? { name: req.name as string } : {}),
    };
  },
  'agents.remove': (r) => nameRequest('agents.remove', r),
  'agents.call': (r) => {
    const req = objectRequest('agents.call', r, '{"agent": "shard-1", "channel": "clusters.list"}');
    noUnknownFields('agents.call', req, new Set(['agent', 'channel', 'request']));
    const agent = stringField('agents.call', req, 'agent');
    const channel = stringField('agents.call', req, 'channel');
    return { agent, channel: channel as RequestChannel, request: req.request };
  },
  'faults.list': () => undefined,
  'faults.inject': parseInjectFaultRequest,
  'faults.clear': parseClearFaultsRequest,
};

export function validateRequest<C extends RequestChannel>(channel: C, request: unknown): RequestOf<C> {
  const validate = VALIDATORS[channel] as ((r: unknown) => RequestOf<C>) | undefined;
  if (!validate) throw new EngineError('invalid', `unknown channel ${JSON.stringify(channel)}`);
  return validate(request);
}
