/**
 * Checks fault requests from outside (IPC, WebSocket, REST) before the engine
 * acts: a bad one is an `invalid` error with the rule it breaks (the same
 * words the Faults screen shows at the field), and nothing changes.
 */
import { EngineError } from '../../../shared/errors';
import { injectFaultProblem, type ClearFaultsRequest, type InjectFaultRequest } from '../../../shared/faults';

export function parseInjectFaultRequest(request: unknown): InjectFaultRequest {
  const problem = injectFaultProblem(request);
  if (problem) throw new EngineError('invalid', `faults.inject: ${problem}`);
  return request as InjectFaultRequest;
}

export function parseClearFaultsRequest(request: unknown): ClearFaultsRequest {
  if (request === undefined || request === null) return {};
  if (typeof request !== 'object' || Array.isArray(request))
    throw new EngineError(
      'invalid',
      'faults.clear needs a request object like {"id": "f-1a2b3c4d"}, or none',
    );
  const r = request as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => k !== 'id');
  if (unknown.length > 0)
    throw new EngineError(
      'invalid',
      `faults.clear: unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  if (r.id !== undefined && (typeof r.id !== 'string' || r.id === ''))
    throw new EngineError('invalid', 'faults.clear: "id" must be a fault id such as "f-1a2b3c4d"');
  return r.id === undefined ? {} : { id: r.id as string };
}
