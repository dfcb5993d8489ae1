// Test support: a RemoteDialerServer on 127.0.0.1 with a random port, and
// small stream helpers. Used by the unit, fuzz and interop tests; not part of
// the engine's public surface.

import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import {
  RemoteDialerServer,
  type RemoteDialerServerOptions,
} from '../../src/main/engine/remotedialer/server-session';

export const TEST_TOKEN = 'test-token';

export interface LoopbackServer {
  server: RemoteDialerServer;
  http: Server;
  url: string;
  close(): Promise<void>;
}

/** Accepts `X-Test-Token: test-token` with the client key from `X-Test-Client`. */
export async function startLoopbackServer(
  options: Partial<RemoteDialerServerOptions> = {},
): Promise<LoopbackServer> {
  const server = new RemoteDialerServer({
    authorize: (request) => {
      const token = request.headers['x-test-token'];
      if (token === 'explode') throw new Error('token is malformed');
      return {
        clientKey: String(request.headers['x-test-client'] ?? 'default'),
        authed: token === TEST_TOKEN,
      };
    },
    ...options,
  });
  const http = createServer((request, response) => server.handleRequest(request, response));
  http.on('upgrade', (request, socket, head) => server.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    server,
    http,
    url: `ws://127.0.0.1:${port}/connect`,
    close: async () => {
      server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

export function headersFor(clientKey: string, token = TEST_TOKEN): Record<string, string> {
  return { 'X-Test-Token': token, 'X-Test-Client': clientKey };
}

/** Deterministic pseudo-random bytes (xorshift), cheap enough for 100 MiB. */
export function patternBytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  for (; i < length; i++) out[i] = i & 0xff;
  return out;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads a stream to its end (or error), returning what arrived. */
export function collect(
  stream: Readable,
  limit = Number.POSITIVE_INFINITY,
): Promise<{ data: Buffer; error: Error | null }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: Error | null): void => {
      if (done) return;
      done = true;
      resolve({ data: Buffer.concat(chunks), error });
    };
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) finish(null);
    });
    stream.on('end', () => finish(null));
    stream.on('error', (error: Error) => finish(error));
    stream.on('close', () => finish(null));
  });
}

/** Writes `data` to a stream respecting back-pressure. */
export async function writeAll(stream: Duplex, data: Buffer, chunkSize = 256 * 1024): Promise<void> {
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    if (!stream.write(data.subarray(offset, offset + chunkSize))) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          stream.off('error', onError);
          stream.off('close', onClose);
          resolve();
        };
        const onError = (error: Error): void => {
          stream.off('drain', onDrain);
          reject(error);
        };
        const onClose = (): void => reject(new Error('stream closed while writing'));
        stream.once('drain', onDrain);
        stream.once('error', onError);
        stream.once('close', onClose);
      });
    }
  }
}

export function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (condition()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 10);
    };
    check();
  });
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
