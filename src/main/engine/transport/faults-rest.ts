/**
 * REST routes of fault injection, mirroring the faults.* channels:
 *   GET    /faults                      {refuseConnectsUntil, droppedSessions, storm, active: [fault...]}
 *   DELETE /faults                      clears every fault; the same shape
 *   DELETE /faults/{id}                 clears one: {cleared: [fault]}, 404 for an unknown id
 *   POST   /faults/latency              {"clusters"?, "ms", "seconds"?}                   -> the fault
 *   POST   /faults/bandwidth            {"clusters"?, "bytesPerSecond", "seconds"?}       -> the fault
 *   POST   /faults/api-errors           {"clusters"?, "rate", "code"?, "seconds"?}        -> the fault
 *   POST   /faults/pause-heartbeats     {"clusters"?, "seconds"?} (body optional)          -> the fault
 *   POST   /faults                      {"kind": ..., ...} any kind (faults.inject)        -> {fault, dropped?}
 *   POST   /faults/drop-tunnels {"clusters"?}, /faults/refuse-connects {"seconds"},
 *          /faults/storm {"ratePerSecond","seconds"}   (answers as before)
 * "clusters" omitted means every cluster, those made later included.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError } from '../../../shared/errors';
import type { FaultKind } from '../../../shared/faults';
import { methodNotAllowed, readJsonBody, sendJson } from './http-utils';
import type { Engine } from '../engine';

const KIND_BY_PATH: Record<string, FaultKind> = {
  latency: 'latency',
  bandwidth: 'bandwidth',
  'api-errors': 'api_errors',
  'pause-heartbeats': 'pause_heartbeats',
};

/** Answers the request if it is a fault route; returns false otherwise. Errors are thrown (the caller answers them). */
export async function handleFaultsRest(
  engine: Engine,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  if (path !== '/faults' && !path.startsWith('/faults/')) return false;
  const method = req.method ?? 'GET';
  if (path === '/faults') {
    if (method === 'GET') sendJson(res, 200, engine.faults.summary());
    else if (method === 'DELETE') sendJson(res, 200, engine.faults.clearAll());
    else if (method === 'POST')
      sendJson(res, 200, await engine.handle('faults.inject', await readJsonBody(req, { empty: {} })));
    else methodNotAllowed(res, 'GET, POST, DELETE');
    return true;
  }
  const name = decodeURIComponent(path.slice('/faults/'.length));
  const legacy = /^(drop-tunnels|refuse-connects|storm)$/.exec(name);
  if (legacy) {
    if (method !== 'POST') return methodNotAllowed(res, 'POST');
    const body = (await readJsonBody(req, { empty: {} })) as Record<string, unknown>;
    const kind =
      legacy[1] === 'drop-tunnels' ? 'drop_tunnels' : legacy[1] === 'storm' ? 'storm' : 'refuse_connects';
    sendJson(res, 200, engine.faults.legacy(kind, body));
    return true;
  }
  const kind = KIND_BY_PATH[name];
  if (kind) {
    if (method !== 'POST') return methodNotAllowed(res, 'POST');
    const body = await readJsonBody(req, { empty: {} });
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new EngineError('invalid', `POST /faults/${name} needs a JSON object body (or none)`);
    const given = (body as Record<string, unknown>).kind;
    if (given !== undefined && given !== kind)
      throw new EngineError('invalid', `"kind" comes from the path here (${kind}); leave it out`);
    const { fault } = await engine.handle('faults.inject', { ...body, kind });
    sendJson(res, 200, fault);
    return true;
  }
  // Anything else under /faults/ is a fault id.
  if (method !== 'DELETE') return methodNotAllowed(res, 'DELETE');
  sendJson(res, 200, await engine.handle('faults.clear', { id: name }));
  return true;
}
