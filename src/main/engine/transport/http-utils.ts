/** Small helpers shared by the REST API and the web server. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError, HTTP_STATUS_BY_CODE } from '../../../shared/errors';

/** Request bodies are small JSON documents; anything bigger is refused. */
export const MAX_BODY_BYTES = 64 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Reads and parses a JSON body, as `invalid` errors for anything malformed or
 * too large. An empty body is an error unless the route gives `empty`, the
 * value it stands for (e.g. {} for "every cluster").
 */
export async function readJsonBody(
  req: IncomingMessage,
  options: { empty?: unknown } = {},
): Promise<unknown> {
  // The Content-Type is not checked: `curl -d '{...}'` sends form-encoded
  // by default and the seed accepted it; the body itself must be JSON.
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new EngineError('invalid', `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '' && 'empty' in options) return options.empty;
  if (text.trim() === '')
    throw new EngineError('invalid', 'request body is empty; expected JSON such as {"name":"my-cluster"}');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new EngineError('invalid', `request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function errorStatus(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof EngineError)
    return { status: HTTP_STATUS_BY_CODE[err.code], code: err.code, message: err.message };
  return { status: 500, code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/** 405 with the methods the route takes; returns true (the request was answered). */
export function methodNotAllowed(res: ServerResponse, allow: string): true {
  res.setHeader('allow', allow);
  sendJson(res, 405, { success: false, error: 'invalid', message: `method not allowed; use ${allow}` });
  return true;
}
