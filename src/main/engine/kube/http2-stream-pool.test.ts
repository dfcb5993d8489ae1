import { createServer as createHttpsServer } from 'node:https';
import { constants, createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueServingCert, type PemPair } from '../vapi/pki/x509';
import { Http2StreamPool, type Http2Answer } from './http2-stream-pool';

describe('Http2StreamPool', () => {
  let ca: PemPair;
  let serving: PemPair;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    ca = await createCa('pool test CA');
    serving = await issueServingCert(ca, {
      commonName: 'localhost',
      dnsNames: ['localhost'],
      ips: ['127.0.0.1'],
    });
  });
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  /** A server whose answers stay open like watches: headers, one line, then nothing until the client goes. */
  async function watchServer(): Promise<{ server: Http2SecureServer; origin: URL; paths: string[] }> {
    const paths: string[] = [];
    const server = createSecureServer({ key: serving.keyPem, cert: serving.certPem });
    server.on('stream', (stream, headers) => {
      paths.push(String(headers[':path']));
      stream.respond({
        ':status': 200,
        'content-type': 'application/json',
        'x-seen-auth': String(headers.authorization),
      });
      stream.write('{"type":"ADDED"}\n');
      stream.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => server.close());
    return { server, origin: new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`), paths };
  }

  /** A pool that trusts the test CA, closed after the test. */
  function poolFor(origin: URL, limits: { maxStreams?: number; idleMs?: number } = {}): Http2StreamPool {
    const pool = new Http2StreamPool({
      origin,
      secureContext: createSecureContext({ ca: ca.certPem }),
      rejectUnauthorized: true,
      ...limits,
    });
    closers.push(() => pool.close());
    return pool;
  }

  const firstLine = (a: Http2Answer) =>
    new Promise<string>((resolve) => a.body.once('data', (d: Buffer) => resolve(d.toString())));

  it('carries many streams on one connection, opens another only when one is full, and closes idle ones', async () => {
    const { origin, paths } = await watchServer();
    const pool = poolFor(origin, { maxStreams: 2, idleMs: 100 });
    const answers = await Promise.all(
      ['/a', '/b', '/c'].map((p) =>
        pool.request('GET', `${p}?watch=1`, { authorization: 'Bearer x', connection: 'close' }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers[0]?.headers['x-seen-auth']).toBe('Bearer x');
    expect(await Promise.all(answers.map(firstLine))).toEqual(Array(3).fill('{"type":"ADDED"}\n'));
    expect(paths.sort()).toEqual(['/a?watch=1', '/b?watch=1', '/c?watch=1']);
    expect(pool.usage).toEqual({ connections: 2, streams: 3 });
    // Clients going away end their streams; a connection left with none closes.
    for (const a of answers) a.body.destroy();
    await expect.poll(() => pool.usage.streams, { timeout: 5000 }).toBe(0);
    await expect.poll(() => pool.usage.connections, { timeout: 5000 }).toBe(0);
  });

  it('cancels a request through its signal', async () => {
    const { origin } = await watchServer();
    const pool = poolFor(origin);
    const abort = new AbortController();
    const answer = await pool.request('GET', '/watch', {}, abort.signal);
    const ended = new Promise<Error | undefined>((resolve) => {
      answer.body.once('error', resolve);
      answer.body.once('close', () => resolve(undefined));
    });
    expect(pool.usage.streams).toBe(1);
    abort.abort();
    // Closed with CANCEL, quietly: the reader sees the answer end short, with no error built for it.
    expect(await ended).toBeUndefined();
    expect((answer.body as unknown as { rstCode: number }).rstCode).toBe(constants.NGHTTP2_CANCEL);
    await expect.poll(() => pool.usage.streams, { timeout: 5000 }).toBe(0);
  });

  it('rejects a request cancelled before its answer', async () => {
    const { origin } = await watchServer();
    const pool = poolFor(origin);
    const abort = new AbortController();
    abort.abort();
    await expect(pool.request('GET', '/watch', {}, abort.signal)).rejects.toThrow(/closed before its answer/);
    await expect.poll(() => pool.usage.streams, { timeout: 5000 }).toBe(0);
  });

  it('is unavailable once the server turns out not to speak HTTP/2', async () => {
    const server = createHttpsServer(
      { key: serving.keyPem, cert: serving.certPem, ALPNProtocols: ['http/1.1'] },
      (_req, res) => res.end('h1'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => server.close());
    const pool = poolFor(new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`));
    expect(pool.available).toBe(true);
    await expect(pool.request('GET', '/version', {})).rejects.toThrow();
    expect(pool.available).toBe(false);
  });
});
