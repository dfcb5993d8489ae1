import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Duplex, PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  ClientSession,
  HandshakeError,
  connectClientSession,
  SYNC_LOOKAHEAD_IDS,
  type ClientSessionOptions,
} from './client-session';
import { decodeMessage, encodeData, encodeMessage } from './codec';
import { MAX_BUFFER, TunnelConnectionError } from './connection';
import { FrameTap, type FrameRecord } from './frame-tap';
import { MessageType, type DecodedMessage } from './message-types';
import {
  collect,
  delay,
  headersFor,
  patternBytes,
  sha256,
  startLoopbackServer,
  waitFor,
  writeAll,
  type LoopbackServer,
} from '../../../../test/support/loopback-harness';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const echoDial = (): Promise<Duplex> => Promise.resolve(new PassThrough());

async function pair(
  clientOptions: Partial<ClientSessionOptions> = {},
  serverOptions: Parameters<typeof startLoopbackServer>[0] = {},
): Promise<{ loop: LoopbackServer; client: ClientSession }> {
  const loop = await startLoopbackServer(serverOptions);
  cleanups.push(() => loop.close());
  const sessionSeen = new Promise<void>((resolve) => loop.server.once('session', () => resolve()));
  const client = await connectClientSession({
    url: loop.url,
    headers: headersFor('c1'),
    allow: () => true,
    dial: echoDial,
    ...clientOptions,
  });
  cleanups.push(() => client.close());
  await sessionSeen;
  return { loop, client };
}

/** A raw WebSocket server that plays "Rancher" by hand. */
async function rawServer(
  options: { autoPong?: boolean } = {},
): Promise<{ url: string; peer: Promise<WebSocket> }> {
  const http = createServer();
  const wss = new WebSocketServer({
    server: http,
    perMessageDeflate: false,
    autoPong: options.autoPong ?? true,
  });
  const peer = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  );
  return { url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`, peer };
}

function nextFrame(
  ws: WebSocket,
  predicate: (m: DecodedMessage) => boolean = () => true,
): Promise<DecodedMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const message = decodeMessage(data);
      if (predicate(message)) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
  });
}

describe('client and server sessions over loopback', () => {
  it('echoes bytes exactly across parallel streams', async () => {
    const { loop } = await pair();
    const streams = await Promise.all(
      Array.from({ length: 4 }, async (_, index) => {
        const data = patternBytes(1024 * 1024 + index * 777, index + 1);
        const connection = loop.server.dial('c1', 'tcp', `echo-${index}`);
        const received = collect(connection, data.length);
        await writeAll(connection, data);
        const { data: back } = await received;
        connection.end();
        return sha256(back) === sha256(data);
      }),
    );
    expect(streams).toEqual([true, true, true, true]);
  });

  it('numbers server connections from 2, per session', async () => {
    const { loop } = await pair();
    const first = loop.server.dial('c1', 'tcp', 'a');
    const second = loop.server.dial('c1', 'tcp', 'b');
    expect([first.connId, second.connId]).toEqual([2n, 3n]);
    first.destroy();
    second.destroy();
  });

  it('buffers Data that arrives before the local dial completes', async () => {
    let finishDial: (stream: Duplex) => void = () => undefined;
    const { loop } = await pair({ dial: () => new Promise((resolve) => (finishDial = resolve)) });
    const connection = loop.server.dial('c1', 'tcp', 'slow');
    connection.write('early bytes');
    await delay(100);
    const echo = new PassThrough();
    finishDial(echo);
    const { data } = await collect(connection, 11);
    expect(data.toString()).toBe('early bytes');
    connection.destroy();
  });

  it('reports a failed local dial to the server as an error on the stream', async () => {
    const { loop } = await pair({
      dial: () => Promise.reject(new Error('dial tcp 10.9.9.9:1: connect: connection refused')),
    });
    const { error } = await collect(loop.server.dial('c1', 'tcp', '10.9.9.9:1'));
    expect(error).toBeInstanceOf(TunnelConnectionError);
    expect(error?.message).toBe('dial tcp 10.9.9.9:1: connect: connection refused');
  });

  it('refuses a disallowed Connect on that connection only and keeps the session', async () => {
    const { loop, client } = await pair({ allow: (proto) => proto === 'tcp' });
    const { error } = await collect(loop.server.dial('c1', 'unix', '/etc/shadow'));
    expect(error?.message).toBe('connect not allowed');
    expect(client.isClosed).toBe(false);
    const ok = loop.server.dial('c1', 'tcp', 'fine');
    ok.write('still works');
    expect((await collect(ok, 11)).data.toString()).toBe('still works');
    ok.destroy();
  });

  it('closes both ends when the local side ends (no half-close)', async () => {
    const { loop } = await pair({
      dial: () =>
        Promise.resolve(
          Duplex.from({ readable: Readable.from([Buffer.from('bye')]), writable: new PassThrough() }),
        ),
    });
    const connection = loop.server.dial('c1', 'tcp', 'short');
    const { data, error } = await collect(connection);
    expect(data.toString()).toBe('bye');
    expect(error).toBeNull();
  });

  it('closes the local stream when the remote side closes', async () => {
    const local = new PassThrough();
    const { loop, client } = await pair({ dial: () => Promise.resolve(local) });
    const connection = loop.server.dial('c1', 'tcp', 'x');
    connection.write('hi');
    await waitFor(() => client.stats.connections === 1);
    const localClosed = new Promise<void>((resolve) => local.once('close', resolve));
    connection.end();
    await localClosed;
    await waitFor(
      () => client.stats.connections === 0 && loop.server.sessions('c1')[0]?.stats.connections === 0,
    );
  });

  it('sends Pause above 2 MiB unread and Resume once drained, and the writer stops meanwhile', async () => {
    const tap = new FrameTap();
    const control: FrameRecord[] = [];
    tap.subscribe((r) => {
      if (r.type === MessageType.Pause || r.type === MessageType.Resume) control.push(r);
    });
    let produced = 0;
    const source = new Readable({
      read() {
        produced += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024, 7));
      },
    });
    const sink = new PassThrough();
    const local = Duplex.from({ readable: source, writable: sink });
    const { loop, client } = await pair({ dial: () => Promise.resolve(local) }, { tap });
    const connection = loop.server.dial('c1', 'tcp', 'firehose');
    await waitFor(() => control.some((r) => r.type === MessageType.Pause), 10_000, 'Pause');
    expect(control[0]).toMatchObject({ direction: 'out', typeName: 'Pause', connId: 2n });
    // Both ends count it (the inspector's "pauses" counter).
    await waitFor(() => client.stats.pausesIn === 1, 10_000, 'Pause counted by the client');
    expect(loop.server.sessions('c1')[0]?.stats.pausesOut).toBe(1);
    await delay(300);
    const producedWhilePaused = produced;
    await delay(300);
    // The producer is held: at most what was already in flight when Pause landed.
    expect(produced - producedWhilePaused).toBeLessThan(2 * MAX_BUFFER);
    expect(connection.maxUnreadBytes).toBeLessThan(4 * MAX_BUFFER);
    connection.resume();
    await waitFor(() => control.some((r) => r.type === MessageType.Resume), 10_000, 'Resume');
    connection.destroy();
    source.destroy();
  });

  it('lets SyncConnections drop server connections the client no longer has, without an Error frame', async () => {
    const tap = new FrameTap();
    const errors: FrameRecord[] = [];
    tap.subscribe((r) => {
      if (r.type === MessageType.Error) errors.push(r);
    });
    const { loop, client } = await pair({ syncIntervalMs: 100_000 }, { tap });
    const kept = loop.server.dial('c1', 'tcp', 'kept');
    const dropped = loop.server.dial('c1', 'tcp', 'dropped');
    kept.write('x');
    dropped.write('y');
    await waitFor(() => client.stats.connections === 2);
    expect(client.abandonConnectionForTest(dropped.connId)).toBe(true);
    const droppedResult = collect(dropped);
    client.sendSyncConnections();
    const { error } = await droppedResult;
    expect(error?.message).toBe('sync from client');
    expect(kept.isClosed).toBe(false);
    expect(errors.filter((r) => r.direction === 'in')).toEqual([]);
    kept.destroy();
  });

  it('reports the server refusing the handshake (400 with text, 401 failed authentication)', async () => {
    const loop = await startLoopbackServer();
    cleanups.push(() => loop.close());
    const attempt = (token: string): Promise<unknown> =>
      connectClientSession({
        url: loop.url,
        headers: headersFor('c', token),
        allow: () => true,
        dial: echoDial,
      }).catch((e: unknown) => e);
    const unauthorised = await attempt('wrong');
    expect(unauthorised).toBeInstanceOf(HandshakeError);
    expect(unauthorised).toMatchObject({ status: 401, body: 'failed authentication' });
    expect(await attempt('explode')).toMatchObject({ status: 400, body: 'token is malformed' });
  });

  it('ends the server session when the client sends Connect (Rancher allows none)', async () => {
    const { loop, client } = await pair();
    const serverSession = loop.server.sessions('c1')[0];
    (client as unknown as { send(m: unknown): void }).send({
      id: 1n,
      connId: 9n,
      type: MessageType.Connect,
      proto: 'tcp',
      address: 'x',
    });
    const reason = await serverSession?.closed;
    expect(reason?.message).toBe('connect not allowed');
  });

  it('taps frames in both directions with type, connId, size and first bytes', async () => {
    const tap = new FrameTap(4);
    const records: FrameRecord[] = [];
    const { loop } = await pair({ tap });
    tap.subscribe((r) => records.push(r));
    const connection = loop.server.dial('c1', 'tcp', 'tap');
    connection.write('hello world');
    await collect(connection, 11);
    const connect = records.find((r) => r.type === MessageType.Connect);
    expect(connect).toMatchObject({ direction: 'in', connId: 2n, typeName: 'Connect' });
    expect(Buffer.from(connect?.head ?? []).toString()).toBe('tcp/');
    const out = records.find((r) => r.direction === 'out' && r.type === MessageType.Data);
    expect(out?.size).toBeGreaterThan(11);
    expect(Buffer.from(out?.head ?? []).toString()).toBe('hell');
    connection.destroy();
  });
});

describe('client session against a hand-played server', () => {
  async function rawPair(
    options: Partial<ClientSessionOptions> = {},
    autoPong = true,
  ): Promise<{ ws: WebSocket; client: ClientSession }> {
    const raw = await rawServer({ autoPong });
    const client = await connectClientSession({
      url: raw.url,
      allow: () => true,
      dial: echoDial,
      ...options,
    });
    cleanups.push(() => client.close());
    return { ws: await raw.peer, client };
  }

  it('answers Data for an unknown connection like Go', async () => {
    const { ws } = await rawPair();
    const reply = nextFrame(ws);
    ws.send(encodeData(5n, 42n, Buffer.from('who?')));
    expect(await reply).toMatchObject({
      type: MessageType.Error,
      connId: 42n,
      text: 'connection not found client/0/42',
    });
  });

  it('tolerates Error, Pause and Resume for unknown ids and duplicate Errors', async () => {
    const { ws, client } = await rawPair();
    for (const type of [MessageType.Pause, MessageType.Resume] as const)
      ws.send(encodeMessage({ id: 1n, connId: 77n, type }));
    ws.send(encodeMessage({ id: 1n, connId: 77n, type: MessageType.Error, text: 'EOF' }));
    ws.send(encodeMessage({ id: 1n, connId: 77n, type: MessageType.Error, text: 'EOF' }));
    const alive = nextFrame(ws);
    ws.send(encodeData(1n, 78n, Buffer.from('x')));
    await alive;
    expect(client.isClosed).toBe(false);
  });

  it('closes the session on a text message', async () => {
    const { ws, client } = await rawPair();
    ws.send('hello', { binary: false });
    expect((await client.closed).message).toBe('wrong websocket message type');
  });

  it('closes the session on a Connect without a slash, like Go', async () => {
    const { ws, client } = await rawPair();
    ws.send(Buffer.from('02040400' + Buffer.from('tcp127.0.0.1').toString('hex'), 'hex'));
    expect((await client.closed).message).toMatch(/failed to parse connect address/);
  });

  it('sends SyncConnections on its interval: its connections sorted, then the next ids the server may be opening', async () => {
    const { ws } = await rawPair({ syncIntervalMs: 50 });
    for (const id of [9n, 3n, 300n])
      ws.send(encodeMessage({ id: 1n, connId: id, type: MessageType.Connect, proto: 'tcp', address: 'x' }));
    const sync = await nextFrame(
      ws,
      (m) => m.type === MessageType.SyncConnections && m.connIds.slice(0, 3).join() === '3,9,300',
    );
    const upcoming = Array.from({ length: Number(SYNC_LOOKAHEAD_IDS) }, (_, i) => 301n + BigInt(i));
    expect(sync).toMatchObject({ connId: 0n, connIds: [3n, 9n, 300n, ...upcoming] });
  });

  it('pings on its interval', async () => {
    const { ws } = await rawPair({ pingIntervalMs: 50 });
    let pings = 0;
    ws.on('ping', () => pings++);
    await waitFor(() => pings >= 3, 5_000, 'three pings');
  });

  it('closes the session when no pong arrives in time', async () => {
    const { client } = await rawPair({ pingIntervalMs: 30, pongTimeoutMs: 200 }, false);
    expect((await client.closed).message).toMatch(/no pong from server/);
  });
});

describe('server session keepalive', () => {
  it('closes a session whose client never pings', async () => {
    const loop = await startLoopbackServer({ pingWaitMs: 200 });
    cleanups.push(() => loop.close());
    const ws = new WebSocket(loop.url, { headers: headersFor('silent') });
    cleanups.push(() => ws.terminate());
    const session = await new Promise<import('./server-session').ServerSession>((resolve) =>
      loop.server.once('session', resolve),
    );
    expect((await session.closed).message).toMatch(/no ping from client/);
    expect(loop.server.hasSession('silent')).toBe(false);
  });

  it('keeps a session alive while pings arrive and answers them with pongs', async () => {
    const loop = await startLoopbackServer({ pingWaitMs: 300 });
    cleanups.push(() => loop.close());
    const client = await connectClientSession({
      url: loop.url,
      headers: headersFor('pinger'),
      allow: () => true,
      dial: echoDial,
      pingIntervalMs: 50,
    });
    cleanups.push(() => client.close());
    let pongs = 0;
    client.on('pong', () => pongs++);
    await delay(900);
    expect(client.isClosed).toBe(false);
    expect(loop.server.hasSession('pinger')).toBe(true);
    expect(pongs).toBeGreaterThan(3);
  });
});
