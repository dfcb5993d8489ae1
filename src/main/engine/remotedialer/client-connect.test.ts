import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClientSession, HandshakeError } from './client-session';

/** A server whose answer to the WebSocket upgrade is whatever `answer` writes on the raw socket. */
async function upgradeServer(answer: (socket: Socket) => void): Promise<{ server: Server; url: string }> {
  const server = createServer();
  server.on('upgrade', (_req, socket: Socket) => answer(socket));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return { server, url: `ws://127.0.0.1:${port}/v3/connect` };
}

const allowNothing = { allow: () => false, dial: () => Promise.reject(new Error('no dial')) };

describe('connecting a client session', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('reports the status and body of a refused upgrade', async () => {
    const s = await upgradeServer((socket) =>
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 17\r\n\r\ncluster not found'),
    );
    server = s.server;
    const err = await connectClientSession({ url: s.url, ...allowNothing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandshakeError);
    expect(err).toMatchObject({ status: 400, body: 'cluster not found' });
  });

  it('fails, rather than waits forever, when a refusal is cut off before its body ends', async () => {
    // A Rancher going down mid-answer: headers and part of the body, then the connection drops.
    const s = await upgradeServer((socket) => {
      socket.write('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 100\r\n\r\nshutting d');
      setTimeout(() => socket.destroy(), 50);
    });
    server = s.server;
    const started = Date.now();
    const err = await connectClientSession({ url: s.url, handshakeTimeoutMs: 1000, ...allowNothing }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fails within the handshake timeout when a refusal never finishes', async () => {
    const s = await upgradeServer((socket) => {
      socket.write('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 100\r\n\r\nstalled');
    });
    server = s.server;
    const started = Date.now();
    const err = await connectClientSession({ url: s.url, handshakeTimeoutMs: 500, ...allowNothing }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
