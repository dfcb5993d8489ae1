// Fuzzing: 100,000 random and mutated frames through the decoder, and
// 100,000 more through live client and server sessions over a loopback
// WebSocket. Nothing may crash or hang, memory must stay bounded, and a
// session must end exactly where a Go session would (and only there).

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ClientSession } from './client-session';
import { FrameDecodeError, decodeMessage, encodeData } from './codec';
import { FuzzRandom, fuzzFrame, goSessionVerdict } from '../../../../test/support/fuzz-frames';
import { headersFor, startLoopbackServer } from '../../../../test/support/loopback-harness';
import { MessageType } from './message-types';
import type { TunnelSession } from './tunnel-session';

const SEED = Number(process.env.REMOTEDIALER_FUZZ_SEED ?? 20_260_101);
const DECODER_FRAMES = 100_000;
const LIVE_FRAMES_PER_ROLE = 50_000;
/** Most fatal frames are skipped in the live run so that sessions live long enough to be useful. */
const LIVE_FATAL_KEEP = 0.02;
const BATCH = 200;

describe(`remotedialer fuzz (seed ${SEED})`, () => {
  it(`decodes ${DECODER_FRAMES} random and mutated frames without anything but FrameDecodeError`, () => {
    const random = new FuzzRandom(SEED);
    const outcomes = { ok: 0, rejected: 0 };
    for (let i = 0; i < DECODER_FRAMES; i++) {
      const frame = fuzzFrame(random);
      try {
        decodeMessage(frame);
        outcomes.ok++;
      } catch (error) {
        if (!(error instanceof FrameDecodeError))
          throw new Error(`frame ${i} (${frame.toString('hex')}) threw ${String(error)}`, { cause: error });
        expect(error.message.length).toBeGreaterThan(10);
        outcomes.rejected++;
      }
    }
    // Both paths must be well exercised for the run to mean anything.
    expect(outcomes.ok).toBeGreaterThan(DECODER_FRAMES / 5);
    expect(outcomes.rejected).toBeGreaterThan(DECODER_FRAMES / 5);
    // 3 s alone; a loaded 2-core machine (CI runs suites beside kube-apiserver) can take twice that.
  }, 60_000);

  for (const role of ['client', 'server'] as const) {
    it(`feeds ${LIVE_FRAMES_PER_ROLE} frames to live ${role} sessions and closes them only where Go would`, async () => {
      const harness = role === 'client' ? await clientHarness() : await serverHarness();
      const random = new FuzzRandom(SEED + (role === 'client' ? 1 : 2));
      const heapBefore = process.memoryUsage().heapUsed;
      let sent = 0;
      let sessions = 0;
      let probeId = 1n << 62n;
      try {
        while (sent < LIVE_FRAMES_PER_ROLE) {
          const { peer, session } = await harness.open();
          sessions++;
          let fatal: string | null = null;
          while (fatal === null && sent < LIVE_FRAMES_PER_ROLE) {
            for (let n = 0; n < BATCH && fatal === null && sent < LIVE_FRAMES_PER_ROLE; n++) {
              let frame = fuzzFrame(random);
              let verdict = goSessionVerdict(frame, role);
              while (verdict !== null && !random.chance(LIVE_FATAL_KEEP)) {
                frame = fuzzFrame(random);
                verdict = goSessionVerdict(frame, role);
              }
              if (random.chance(0.0005)) {
                peer.send('text is not allowed', { binary: false });
                verdict = 'wrong websocket message type';
              } else if (frame.length > 4 && random.chance(0.05)) {
                // Fragmented: the session must see one reassembled message.
                const cut = 1 + random.int(frame.length - 1);
                peer.send(frame.subarray(0, cut), { binary: true, fin: false });
                peer.send(frame.subarray(cut), { binary: true, fin: true });
              } else {
                peer.send(frame, { binary: true });
              }
              sent++;
              fatal = verdict;
            }
            if (fatal === null) {
              // A Data frame for an unknown id must be answered; the answer proves
              // every earlier frame was handled and the session is alive.
              probeId++;
              const answer = waitForNotFound(peer, probeId);
              peer.send(encodeData(1n, probeId, Buffer.from('probe')));
              await withTimeout(answer, 5_000, `probe ${probeId} after ${sent} frames`);
              expect(session.isClosed).toBe(false);
            }
          }
          if (fatal !== null) {
            const reason = await withTimeout(
              session.closed,
              5_000,
              `session close on "${fatal}" after ${sent} frames`,
            );
            expect(reason.message).toContain(fatal);
          }
          peer.terminate();
          session.close();
        }
      } finally {
        await harness.close();
      }
      const growth = process.memoryUsage().heapUsed - heapBefore;
      expect(growth).toBeLessThan(200 * 1024 * 1024);
      expect(sessions).toBeGreaterThan(10);
    }, 60_000);
  }
});

interface Harness {
  open(): Promise<{ peer: WebSocket; session: TunnelSession }>;
  close(): Promise<void>;
}

/** A raw WebSocket server plays Rancher; our ClientSession is the target. */
async function clientHarness(): Promise<Harness> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  return {
    async open() {
      const peerReady = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
      const ws = new WebSocket(url, { perMessageDeflate: false });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const session = new ClientSession(ws, {
        allow: () => true,
        // Serve some connections in-process and refuse others, like a real agent.
        dial: (_proto, address) =>
          address.length % 2 === 0
            ? Promise.resolve(new PassThrough())
            : Promise.reject(new Error('dial refused')),
      });
      const peer = await peerReady;
      peer.on('error', () => undefined);
      return { peer, session };
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** A raw WebSocket client plays the agent; our ServerSession is the target. */
async function serverHarness(): Promise<Harness> {
  const loop = await startLoopbackServer();
  let count = 0;
  return {
    async open() {
      const key = `fuzz-${count++}`;
      const sessionReady = new Promise<TunnelSession>((resolve) => loop.server.once('session', resolve));
      const peer = new WebSocket(loop.url, { headers: headersFor(key), perMessageDeflate: false });
      peer.on('error', () => undefined);
      await new Promise<void>((resolve) => peer.once('open', () => resolve()));
      return { peer, session: await sessionReady };
    },
    close: () => loop.close(),
  };
}

function waitForNotFound(peer: WebSocket, connId: bigint): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const message = decodeMessage(data);
      if (
        message.type === MessageType.Error &&
        message.connId === connId &&
        message.text.startsWith('connection not found')
      ) {
        peer.off('message', onMessage);
        resolve();
      }
    };
    peer.on('message', onMessage);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hang: no ${what} within ${ms} ms (seed ${SEED})`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
