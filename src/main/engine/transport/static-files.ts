/**
 * Serves the built renderer (out/renderer) for web mode: files by path, and
 * index.html for anything else so the single-page app handles its routes.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { sendText } from './http-utils';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function serveStatic(rootDir: string | undefined, req: IncomingMessage, res: ServerResponse): void {
  if (!rootDir || !existsSync(join(rootDir, 'index.html'))) {
    sendText(
      res,
      404,
      'The web UI is not built. Run `npm run build` and restart `scale-cluster-agent serve`.',
    );
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'method not allowed');
    return;
  }
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  const requested = normalize(join(rootDir, pathname));
  // Never serve outside the renderer folder.
  const inside =
    requested === rootDir || requested.startsWith(rootDir.endsWith(sep) ? rootDir : rootDir + sep);
  const file =
    inside && existsSync(requested) && statSync(requested).isFile() ? requested : join(rootDir, 'index.html');
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, {
    'content-type': type,
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'max-age=3600',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
