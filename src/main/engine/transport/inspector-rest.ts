/**
 * The tunnel inspector's REST routes (mounted by rest-api.ts):
 *   GET  /clusters/{name}/tunnels
 *        both sessions' counters: {"sessions":[...]} (inspector.sessions)
 *   GET  /clusters/{name}/tunnels/{main|steve}/frames.ndjson[?types=Data,Error&connId=5]
 *        the recorded frames, one JSON object a line (inspector.export);
 *        409 when nobody inspects the cluster (nothing is recorded)
 *   POST /clusters/{name}/tunnels/{main|steve}/synthetic-frames {"framesPerSecond":N,"seconds":S}
 *        feeds synthetic frames into the session's inspector pipeline, for
 *        UI load tests; refused unless the agent runs with SCALE_AGENT_INSPECTOR_LOAD=1
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TunnelSessionKind } from '../../../shared/inspector';
import { methodNotAllowed, readJsonBody, sendJson } from './http-utils';
import type { Engine } from '../engine';

const SESSIONS = /^\/clusters\/([^/]+)\/tunnels$/;
const EXPORT = /^\/clusters\/([^/]+)\/tunnels\/([^/]+)\/frames\.ndjson$/;
const SYNTHETIC = /^\/clusters\/([^/]+)\/tunnels\/([^/]+)\/synthetic-frames$/;

/** Handles the request if it is an inspector route; errors are thrown for rest-api.ts to answer. */
export async function handleInspectorRest(
  engine: Engine,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  url: URL,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const sessions = SESSIONS.exec(path);
  if (sessions) {
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    const cluster = decodeURIComponent(sessions[1] ?? '');
    sendJson(res, 200, { sessions: await engine.handle('inspector.sessions', { cluster }) });
    return true;
  }
  const exported = EXPORT.exec(path);
  if (exported) {
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    const types = url.searchParams.get('types');
    const connId = url.searchParams.get('connId');
    const answer = await engine.handle('inspector.export', {
      cluster: decodeURIComponent(exported[1] ?? ''),
      session: decodeURIComponent(exported[2] ?? '') as TunnelSessionKind,
      ...(types ? { types: types.split(',') } : {}),
      ...(connId !== null ? { connId } : {}),
    });
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-length': Buffer.byteLength(answer.ndjson),
      'content-disposition': `attachment; filename="${answer.filename}"`,
      'cache-control': 'no-store',
    });
    res.end(answer.ndjson);
    return true;
  }
  const synthetic = SYNTHETIC.exec(path);
  if (synthetic) {
    if (method !== 'POST') return methodNotAllowed(res, 'POST');
    const started = engine.inspector.startSyntheticLoad(
      decodeURIComponent(synthetic[1] ?? ''),
      decodeURIComponent(synthetic[2] ?? ''),
      await readJsonBody(req),
    );
    sendJson(res, 202, started);
    return true;
  }
  return false;
}
