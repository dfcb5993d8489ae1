// The close frame a session sends, as the peer reads it off the wire: RFC
// 6455 codes for protocol trouble (1002, 1003, 1007) with the reason text,
// 1000 only for a close on purpose.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { connectClientSession, type ClientSession } from './client-session';
import { CloseCode } from './close-codes';
import { encodeMessage } from './codec';
import { headersFor, startLoopbackServer } from '../../../../test/support/loopback-harness';
import { MessageType } from './message-types';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface CloseFrame {
  code: number;
  reason: string;
}

function closeFrameOf(ws: WebSocket): Promise<CloseFrame> {
  return new Promise((resolve) =>
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') })),
  );
}

/** Our client session against a bare WebSocket server playing Rancher by hand. */
async function clientAgainstRawPeer(): Promise<{ peer: WebSocket; client: ClientSession }> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
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
  const client = await connectClientSession({
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`,
    allow: () => true,
    dial: () => Promise.resolve(new PassThrough()),
  });
  cleanups.push(() => client.close());
  return { peer: await peer, client };
}

describe('close codes on the wire', () => {
  it('1003 with the reason for a text message (remotedialer speaks binary only)', async () => {
    const { peer, client } = await clientAgainstRawPeer();
    const frame = closeFrameOf(peer);
    peer.send('hello', { binary: false });
    expect(await frame).toEqual({ code: CloseCode.UnsupportedData, reason: 'wrong websocket message type' });
    expect((await client.closed).closeCode).toBe(1003);
  });

  it('1002 for a frame whose varint header cannot be read', async () => {
    const { peer } = await clientAgainstRawPeer();
    const frame = closeFrameOf(peer);
    // A varint that never ends: framing, not payload, is broken.
    peer.send(Buffer.from([0x80, 0x80]), { binary: true });
    const { code, reason } = await frame;
    expect(code).toBe(CloseCode.ProtocolError);
    expect(reason).toMatch(/^bad frame from peer: invalid frame header \(message id\)/);
  });

  it('1007 for a readable header with a payload unfit for its type', async () => {
    const { peer } = await clientAgainstRawPeer();
    const frame = closeFrameOf(peer);
    // SyncConnections carries 8-byte ids: 7 bytes cannot be one.
    const header = encodeMessage({ id: 1n, connId: 0n, type: MessageType.SyncConnections, connIds: [] });
    peer.send(Buffer.concat([header, Buffer.alloc(7)]), { binary: true });
    const { code, reason } = await frame;
    expect(code).toBe(CloseCode.InvalidPayload);
    expect(reason).toMatch(/^bad frame from peer: invalid SyncConnections payload: 7 bytes/);
  });

  it('1002 for a well-formed message with a value Go rejects (a bad RemoveClient address)', async () => {
    const { peer } = await clientAgainstRawPeer();
    const frame = closeFrameOf(peer);
    peer.send(encodeMessage({ id: 1n, connId: 0n, type: MessageType.RemoveClient, address: 'no-slash' }), {
      binary: true,
    });
    expect(await frame).toEqual({
      code: CloseCode.ProtocolError,
      reason: 'invalid remote Session no-slash: not / separated',
    });
  });

  it('1002 from our server for a Connect from a client (agents may not dial)', async () => {
    const loop = await startLoopbackServer();
    cleanups.push(() => loop.close());
    const ws = new WebSocket(loop.url, { headers: headersFor('dialer') });
    cleanups.push(() => ws.terminate());
    await new Promise((resolve) => ws.once('open', resolve));
    const frame = closeFrameOf(ws);
    ws.send(encodeMessage({ id: 1n, connId: 7n, type: MessageType.Connect, proto: 'tcp', address: 'x:1' }));
    expect(await frame).toEqual({ code: CloseCode.ProtocolError, reason: 'connect not allowed' });
  });

  it('1000 with the reason when the session is closed on purpose, and a long reason is cut to fit', async () => {
    const { peer, client } = await clientAgainstRawPeer();
    const frame = closeFrameOf(peer);
    client.close(new Error(`tunnel stopped: ${'x'.repeat(200)}`));
    const { code, reason } = await frame;
    expect(code).toBe(CloseCode.Normal);
    expect(reason.startsWith('tunnel stopped: xxx')).toBe(true);
    // RFC 6455: a control frame's payload is at most 125 bytes, two of them the code.
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
  });
});
