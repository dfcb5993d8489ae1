/**
 * Profiles of the engine over REST, as files that Chrome DevTools opens:
 *   POST /debug/cpu-profile {"seconds":N}  a .cpuprofile (N from 1 to 300; 10 when no body)
 *   POST /debug/heap-snapshot              a .heapsnapshot
 * Off loopback they need the access token, like every route (access-guard.ts).
 * One at a time: a second request while one runs is a 409.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProfileFile } from '../../../shared/telemetry';
import type { Engine } from '../engine';
import { methodNotAllowed, readJsonBody } from './http-utils';

function sendFile(res: ServerResponse, file: ProfileFile): void {
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(file.text),
    'content-disposition': `attachment; filename="${file.fileName}"`,
  });
  res.end(file.text);
}

export async function handleDebugRest(
  engine: Engine,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  if (path === '/debug/cpu-profile') {
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    const request = await readJsonBody(req, { empty: { seconds: 10 } });
    sendFile(res, await engine.handle('debug.cpuProfile', request));
    return true;
  }
  if (path === '/debug/heap-snapshot') {
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    sendFile(res, await engine.handle('debug.heapSnapshot', undefined));
    return true;
  }
  return false;
}
