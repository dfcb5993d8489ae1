/**
 * Checks the inspector channels' requests before the engine acts on them: a
 * malformed one is an `invalid` error that says what is wrong, and nothing
 * changes (request-validation.ts routes the channels here).
 */
import { EngineError } from '../../../shared/errors';
import {
  FRAME_TYPES,
  INSPECTOR_LIMITS,
  TUNNEL_SESSIONS,
  type InspectorExportRequest,
  type InspectorFramesRequest,
  type InspectorReconnectRequest,
  type InspectorSessionsRequest,
  type InspectorUnwatchRequest,
  type InspectorWatchRequest,
  type TunnelSessionKind,
} from '../../../shared/inspector';

const WATCHER_ID = /^w-[0-9a-f]{12}$/;
const CONN_ID = /^\d{1,20}$/;
const UNKNOWN_TYPE = /^Unknown\(-?\d{1,20}\)$/;

function object(channel: string, request: unknown, example: string): Record<string, unknown> {
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    throw new EngineError('invalid', `${channel} needs a request object like ${example}`);
  return request as Record<string, unknown>;
}

function onlyFields(channel: string, r: Record<string, unknown>, known: string[]): void {
  const unknown = Object.keys(r).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new EngineError(
      'invalid',
      `${channel}: unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')}`,
    );
}

function cluster(channel: string, r: Record<string, unknown>): string {
  const value = r.cluster;
  if (typeof value !== 'string' || value === '')
    throw new EngineError('invalid', `${channel}: "cluster" must be a cluster name`);
  return value;
}

function session(channel: string, r: Record<string, unknown>): TunnelSessionKind {
  const value = r.session;
  if (typeof value !== 'string' || !(TUNNEL_SESSIONS as readonly string[]).includes(value))
    throw new EngineError('invalid', `${channel}: "session" must be "main" or "steve"`);
  return value as TunnelSessionKind;
}

function connId(channel: string, r: Record<string, unknown>): { connId?: string } {
  const value = r.connId;
  if (value === undefined) return {};
  if (typeof value !== 'string' || !CONN_ID.test(value))
    throw new EngineError('invalid', `${channel}: "connId" must be a connection id in decimal, like "5"`);
  return { connId: value };
}

function types(channel: string, r: Record<string, unknown>): { types?: string[] } {
  const value = r.types;
  if (value === undefined) return {};
  const known = FRAME_TYPES as readonly string[];
  if (
    !Array.isArray(value) ||
    value.length > 16 ||
    !value.every((t) => typeof t === 'string' && (known.includes(t) || UNKNOWN_TYPE.test(t)))
  )
    throw new EngineError(
      'invalid',
      `${channel}: "types" must be a list of frame types (${known.join(', ')})`,
    );
  return { types: value as string[] };
}

function positiveInteger(
  channel: string,
  r: Record<string, unknown>,
  field: string,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const value = r[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max)
    throw new EngineError('invalid', `${channel}: "${field}" must be a whole number from 1 to ${max}`);
  return value;
}

export function sessionsRequest(request: unknown): InspectorSessionsRequest {
  if (request === undefined || request === null) return {};
  const r = object('inspector.sessions', request, '{} or {"cluster": "c1"}');
  onlyFields('inspector.sessions', r, ['cluster']);
  return r.cluster === undefined ? {} : { cluster: cluster('inspector.sessions', r) };
}

export function watchRequest(request: unknown): InspectorWatchRequest {
  const r = object('inspector.watch', request, '{"cluster": "c1"}');
  onlyFields('inspector.watch', r, ['cluster', 'watcher']);
  const name = cluster('inspector.watch', r);
  if (r.watcher === undefined) return { cluster: name };
  if (typeof r.watcher !== 'string' || !WATCHER_ID.test(r.watcher))
    throw new EngineError('invalid', 'inspector.watch: "watcher" must be the id a previous watch returned');
  return { cluster: name, watcher: r.watcher };
}

export function unwatchRequest(request: unknown): InspectorUnwatchRequest {
  const r = object('inspector.unwatch', request, '{"cluster": "c1", "watcher": "w-0123456789ab"}');
  onlyFields('inspector.unwatch', r, ['cluster', 'watcher']);
  const name = cluster('inspector.unwatch', r);
  if (typeof r.watcher !== 'string' || !WATCHER_ID.test(r.watcher))
    throw new EngineError('invalid', 'inspector.unwatch: "watcher" must be the id inspector.watch returned');
  return { cluster: name, watcher: r.watcher };
}

export function framesRequest(request: unknown): InspectorFramesRequest {
  const channel = 'inspector.frames';
  const r = object(channel, request, '{"cluster": "c1", "session": "main", "limit": 500}');
  onlyFields(channel, r, ['cluster', 'session', 'before', 'limit', 'types', 'connId']);
  const before = positiveInteger(channel, r, 'before');
  const limit = positiveInteger(channel, r, 'limit', INSPECTOR_LIMITS.maxPageFrames);
  return {
    cluster: cluster(channel, r),
    session: session(channel, r),
    ...(before !== undefined ? { before } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...types(channel, r),
    ...connId(channel, r),
  };
}

export function exportRequest(request: unknown): InspectorExportRequest {
  const channel = 'inspector.export';
  const r = object(channel, request, '{"cluster": "c1", "session": "steve"}');
  onlyFields(channel, r, ['cluster', 'session', 'types', 'connId']);
  return {
    cluster: cluster(channel, r),
    session: session(channel, r),
    ...types(channel, r),
    ...connId(channel, r),
  };
}

export function reconnectRequest(request: unknown): InspectorReconnectRequest {
  const channel = 'inspector.reconnect';
  const r = object(channel, request, '{"cluster": "c1", "session": "main"}');
  onlyFields(channel, r, ['cluster', 'session']);
  return { cluster: cluster(channel, r), session: session(channel, r) };
}
