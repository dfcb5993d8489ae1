/**
 * The Steve tunnel's HTTP answers, as Rancher's side of the tunnel reads
 * them: plain pings answered without the HTTP server, everything else (a
 * ping split across chunks, other paths) by it, on the same connection.
 */
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkedDuplexPair } from '../util/linked-duplex-pair';
import { SteveHandler } from './steve-handler';
import { parsePlainPing } from './steve-ping';

const RANCHER_PING =
  'GET /ping HTTP/1.1\r\nHost: not-used\r\nUser-Agent: Go-http-client/1.1\r\nConnection: close\r\nAccept-Encoding: gzip\r\n\r\n';

/** What the peer reads until the connection ends (or `until` matches). */
function readAll(peer: Duplex, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    peer.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (until?.test(text)) resolve(text);
    });
    peer.on('end', () => resolve(text));
    peer.on('error', reject);
  });
}

describe('SteveHandler', () => {
  let handler: SteveHandler;
  beforeEach(() => {
    handler = new SteveHandler();
  });
  afterEach(() => handler.close());

  function connect(cluster = 'c1'): Duplex {
    const [ours, theirs] = linkedDuplexPair();
    handler.serve(ours, cluster);
    return theirs;
  }

  it("answers Rancher's ping (Connection: close) with pong and ends the connection", async () => {
    const peer = connect('c1');
    const answer = readAll(peer);
    peer.write(RANCHER_PING);
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nContent-Length: 4\r\n/i);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    expect(text.endsWith('\r\n\r\npong')).toBe(true);
    expect(handler.pings).toBe(1);
    expect(Object.keys(handler.lastPings())).toEqual(['c1']);
    peer.end();
  });

  it('answers several pings on one kept-alive connection, and HEAD without a body', async () => {
    const peer = connect();
    let answer = readAll(peer, /pong$/);
    peer.write('GET /ping HTTP/1.1\r\nHost: not-used\r\n\r\n');
    expect(await answer).toMatch(/Connection: keep-alive\r\n\r\npong$/);
    peer.removeAllListeners('data');
    answer = readAll(peer, /\r\n\r\n$/);
    peer.write('HEAD /ping HTTP/1.1\r\nHost: not-used\r\n\r\n');
    const head = await answer;
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).not.toContain('pong');
    expect(handler.pings).toBe(2);
    peer.end();
  });

  it('leaves a ping split across two chunks to the HTTP server, which still answers pong', async () => {
    const peer = connect();
    const answer = readAll(peer);
    peer.write('GET /ping HTTP/1.1\r\nHost: not-used\r\n');
    await new Promise((r) => setTimeout(r, 20));
    peer.write('Connection: close\r\n\r\n');
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text.endsWith('pong')).toBe(true);
    expect(handler.pings).toBe(1);
  });

  it('answers a path it does not serve with a 404 that says what is served', async () => {
    const peer = connect();
    const answer = readAll(peer);
    peer.write('GET /v3/settings HTTP/1.1\r\nHost: not-used\r\nConnection: close\r\n\r\n');
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(text).toContain('/v3/settings is not served by simulated clusters');
    expect(handler.pings).toBe(0);
  });

  it('gives a ping after a served request on the same connection to the HTTP server', async () => {
    const peer = connect();
    const answer = readAll(peer, /pong$/);
    peer.write('GET /nope HTTP/1.1\r\nHost: not-used\r\n\r\n');
    await new Promise((r) => setTimeout(r, 20));
    peer.write('GET /ping HTTP/1.1\r\nHost: not-used\r\n\r\n');
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(text).toMatch(/HTTP\/1\.1 200 OK\r\n[\s\S]*pong$/);
    expect(handler.pings).toBe(1);
    peer.end();
  });
});

describe('parsePlainPing', () => {
  const parse = (text: string) => parsePlainPing(Buffer.from(text, 'latin1'));

  it("takes Rancher's ping, with its close, and a query", () => {
    expect(parse(RANCHER_PING)).toEqual({ head: false, close: true });
    expect(parse('GET /ping?x=1 HTTP/1.1\r\nHost: a\r\n\r\n')).toEqual({ head: false, close: false });
    expect(parse('HEAD /ping HTTP/1.0\r\n\r\n')).toEqual({ head: true, close: true });
    expect(parse('GET /ping HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n')).toEqual({
      head: false,
      close: false,
    });
  });

  it('leaves everything else to the HTTP server', () => {
    expect(parse('POST /ping HTTP/1.1\r\nHost: a\r\n\r\n')).toBeUndefined();
    expect(parse('GET /pingx HTTP/1.1\r\nHost: a\r\n\r\n')).toBeUndefined();
    expect(parse('GET http://not-used/ping HTTP/1.1\r\nHost: a\r\n\r\n')).toBeUndefined();
    expect(parse('GET /ping HTTP/1.1\r\nHost: a\r\n')).toBeUndefined();
    expect(parse('GET /ping HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc')).toBeUndefined();
    expect(parse('GET /ping HTTP/1.1\r\nContent-Length: 0\r\n\r\n')).toBeUndefined();
    expect(parse('GET /ping HTTP/1.1\r\nUpgrade: websocket\r\n\r\n')).toBeUndefined();
    expect(parse('GET /ping HTTP/1.1\r\nbad header\r\n\r\n')).toBeUndefined();
    expect(parse('GET /ping HTTP/1.1\r\n\r\nGET /ping HTTP/1.1\r\n\r\n')).toBeUndefined();
    expect(parse(`GET /ping HTTP/1.1\r\nX: ${'a'.repeat(5000)}\r\n\r\n`)).toBeUndefined();
  });
});
