/**
 * REST routes of the Settings and Logs screens, mirroring their channels:
 *   GET  /settings                   settings.get (the token only as {set, hint})
 *   PUT  /settings {...}             settings.update: 200 {settings, changed, summary}
 *   POST /settings/test-connection   settings.testConnection {rancherUrl?, rancherToken?, ...}
 *   GET  /logs?level=&cluster=&text=&limit=   logs.tail
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine';
import { methodNotAllowed, readJsonBody, sendJson } from './http-utils';

/** Answers the request if it is one of these routes; returns false otherwise. */
export async function handleSettingsLogsRest(
  engine: Engine,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  url: URL,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  if (path === '/settings') {
    if (method === 'GET') sendJson(res, 200, await engine.handle('settings.get', undefined));
    else if (method === 'PUT')
      sendJson(res, 200, await engine.handle('settings.update', await readJsonBody(req)));
    else methodNotAllowed(res, 'GET, PUT');
    return true;
  }
  if (path === '/settings/test-connection') {
    if (method !== 'POST') methodNotAllowed(res, 'POST');
    else {
      // No body: test the saved values.
      const body = await readJsonBody(req, { empty: undefined });
      sendJson(res, 200, await engine.handle('settings.testConnection', body));
    }
    return true;
  }
  if (path === '/logs') {
    if (method !== 'GET') methodNotAllowed(res, 'GET');
    else {
      const request: Record<string, unknown> = {};
      for (const key of ['level', 'cluster', 'text'])
        if (url.searchParams.has(key)) request[key] = url.searchParams.get(key);
      if (url.searchParams.has('limit')) request.limit = Number(url.searchParams.get('limit'));
      sendJson(res, 200, await engine.handle('logs.tail', request));
    }
    return true;
  }
  return false;
}
