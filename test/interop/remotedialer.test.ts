// Our remotedialer against Rancher's Go library, in both directions, for each
// library version we can build (v0.5.2, v0.4.0, v0.3.0).

import { createHash } from 'node:crypto';
import {
  createConnection,
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { Duplex, PassThrough, Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HandshakeError,
  connectClientSession,
  type ClientSession,
  type ClientSessionOptions,
  type TunnelConnection,
} from '../../src/main/engine/remotedialer/index';
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
} from '../support/loopback-harness';
import { GoClient, GoServer, PEER_VERSIONS, buildPeers, goAvailable } from './go-peer';

const MiB = 1024 * 1024;
const ECHO_TOTAL = 100 * MiB;
const ECHO_STREAMS = 8;
const HAVE_GO = goAvailable();
if (!HAVE_GO)
  console.warn('remotedialer interop: skipped, Go is not installed (needed to build the Go peers)');

beforeAll(() => {
  if (HAVE_GO) buildPeers();
}, 300_000);

/** A local stream that produces `total` pattern bytes as fast as it is allowed to, counting them. */
function producer(
  total: number,
  seed: number,
): { stream: Duplex; produced: () => number; sha: () => string } {
  const hash = createHash('sha256');
  let produced = 0;
  const readable = new Readable({
    read() {
      if (produced >= total) {
        this.push(null);
        return;
      }
      const chunk = patternBytes(Math.min(64 * 1024, total - produced), seed + produced);
      produced += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  let digest = '';
  return {
    stream: Duplex.from({ readable, writable: new PassThrough() }),
    produced: () => produced,
    sha: () => (digest ||= hash.digest('hex')),
  };
}

/** A local sink that reads nothing until released, then hashes everything. */
function stalledSink(): {
  stream: Duplex;
  release: () => void;
  received: () => number;
  sha: () => string;
  ended: Promise<void>;
} {
  const hash = createHash('sha256');
  let received = 0;
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let markEnded: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const writable = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      void released.then(() => {
        hash.update(chunk);
        received += chunk.length;
        callback();
      });
    },
    final(callback) {
      markEnded();
      callback();
    },
  });
  writable.on('close', () => markEnded());
  return {
    stream: Duplex.from({ readable: new Readable({ read() {} }), writable }),
    release,
    received: () => received,
    sha: () => hash.digest('hex'),
    ended,
  };
}

describe.skipIf(!HAVE_GO).each(PEER_VERSIONS)('remotedialer interop with Go $library', (version) => {
  describe('TypeScript client -> Go server', () => {
    let go: GoServer;
    let client: ClientSession;
    const localStreams = new Map<string, () => Duplex>();
    const clientKey = `ts-${version.name}`;

    async function connect(
      options: Partial<ClientSessionOptions> = {},
      key = clientKey,
    ): Promise<ClientSession> {
      const session = await connectClientSession({
        url: go.url,
        headers: headersFor(key),
        allow: (proto) => proto === 'tcp',
        dial: async (_proto, address) => {
          const make = localStreams.get(address);
          if (make) return make();
          if (address.startsWith('echo')) return new PassThrough();
          throw new Error(`dial tcp ${address}: connect: connection refused`);
        },
        ...options,
      });
      for (let i = 0; i < 200 && !(await go.hasSession(key)); i++) await delay(10);
      return session;
    }

    beforeAll(async () => {
      go = await GoServer.start(version);
      // Go's own 60 s sync interval; the sync tests send their own.
      client = await connect();
    });
    afterAll(async () => {
      client?.close();
      await go?.stop();
    });

    it(`echoes ${ECHO_TOTAL / MiB} MiB byte-exactly across ${ECHO_STREAMS} parallel streams`, async () => {
      const ids = await Promise.all(
        Array.from({ length: ECHO_STREAMS }, (_, i) =>
          go.startJob({
            kind: 'echo',
            client: clientKey,
            address: `echo-${i}`,
            bytes: ECHO_TOTAL / ECHO_STREAMS,
            seed: i + 1,
          }),
        ),
      );
      const results = await Promise.all(ids.map((id) => go.waitJob(id)));
      for (const result of results) {
        expect(result.error ?? '').toBe('');
        expect(result.read).toBe(ECHO_TOTAL / ECHO_STREAMS);
        expect(result.recvSha).toBe(result.sentSha);
      }
    });

    it('echoes 64 MiB on one stream through a real TCP socket while both sides pause each other', async () => {
      // Regression for a Go library bug: Go's Resume clears its paused flag
      // without waking its own writer, so a Go server echoing through a real
      // socket stalls (Go's own client hangs the same way, see the issue note).
      // Our client answers a peer's Resume with a Resume, which wakes it.
      localStreams.set('go-tcp-echo', () => {
        const [host, port] = go.echoAddress.split(':');
        const socket = createConnection({ host, port: Number(port) });
        return socket;
      });
      const result = await go.waitJob(
        await go.startJob({
          kind: 'echo',
          client: clientKey,
          address: 'go-tcp-echo',
          bytes: 64 * MiB,
          seed: 3,
        }),
        60_000,
      );
      expect(result.error ?? '').toBe('');
      expect(result.recvSha).toBe(result.sentSha);
    });

    it('propagates a failed local dial to the Go reader as the error text', async () => {
      const result = await go.waitJob(
        await go.startJob({ kind: 'sink', client: clientKey, address: '127.0.0.1:1' }),
      );
      expect(result.error).toBe('dial tcp 127.0.0.1:1: connect: connection refused');
    });

    it('refuses a disallowed proto with "connect not allowed" and keeps the session', async () => {
      // Go's client would drop the whole session here; ours refuses one connection.
      const result = await go.waitJob(
        await go.startJob({
          kind: 'sink',
          client: clientKey,
          proto: 'unix',
          address: '/var/run/docker.sock',
        }),
      );
      expect(result.error).toBe('connect not allowed');
      expect(client.isClosed).toBe(false);
      expect(await go.hasSession(clientKey)).toBe(true);
    });

    it('propagates a local close to Go as EOF after the data', async () => {
      localStreams.set('hello-then-close', () =>
        Duplex.from({ readable: Readable.from([Buffer.from('hello')]), writable: new PassThrough() }),
      );
      const result = await go.waitJob(
        await go.startJob({ kind: 'sink', client: clientKey, address: 'hello-then-close' }),
      );
      expect(result).toMatchObject({ read: 5, isEOF: true });
    });

    it.runIf(version.hasSync)(
      'keeps a connection whose Connect the Go server sent just before our SyncConnections',
      async () => {
        // The race Go's own client has: Go registers the connection, sends Connect, and closes every
        // connection a sync from the client does not list. We stop reading (the Connect waits in our
        // socket, as behind a busy event loop), sync, then read on: the new connection must live.
        const key = `sync-race-${version.name}`;
        const session = await connect({ syncIntervalMs: 100_000 }, key);
        const socket = (session as unknown as { ws: { _socket: Duplex } }).ws._socket;
        try {
          socket.pause();
          const id = await go.startJob({
            kind: 'echo',
            client: key,
            address: 'echo-race',
            bytes: 4096,
            seed: 7,
          });
          await delay(300); // Go has registered the connection and written its Connect
          session.sendSyncConnections();
          await delay(300); // ... and read our sync
          socket.resume();
          const result = await go.waitJob(id, 10_000);
          expect(result.error ?? '').toBe('');
          expect(result.recvSha).toBe(result.sentSha);
        } finally {
          session.close();
        }
      },
    );

    it('closes the local stream when Go closes the connection', async () => {
      const local = new PassThrough();
      const closed = new Promise<void>((resolve) => local.once('close', resolve));
      localStreams.set('held-by-go', () => local);
      const id = await go.startJob({ kind: 'hold', client: clientKey, address: 'held-by-go' });
      await waitFor(() => client.stats.connections > 0, 10_000, 'connection');
      await go.closeJob(id);
      await closed;
    });

    it('holds our writes while the Go reader is slow (Pause), then delivers everything', async () => {
      const total = 64 * MiB;
      const source = producer(total, 7);
      localStreams.set('firehose', () => source.stream);
      let connection: TunnelConnection | undefined;
      client.once('connection', (c) => (connection = c));
      // The Go reader sleeps 4.8 s (less than PAUSE_STALL_MS) before reading: long enough that the
      // checks below (Pause within 3.5 s, then 0.5 s) still fall inside the stall on a loaded machine.
      const id = await go.startJob({ kind: 'sink', client: clientKey, address: 'firehose', stallMs: 4_800 });
      // Timed from the Pause itself: on a loaded machine our timers can run late.
      await waitFor(() => connection?.isPausedByPeer === true, 3_500, 'a Pause from Go');
      const atPause = source.produced();
      await delay(500);
      const later = source.produced();
      const status = await go.job(id);
      expect(status.read).toBe(0); // still inside the stall, so the numbers mean something
      expect(later - atPause).toBeLessThan(MiB);
      // What got through first is MaxBuffer plus everything in flight before the
      // Pause arrived (socket buffers on a fast loopback: 9-38 MiB measured here).
      expect(later).toBeLessThan(48 * MiB);
      const result = await go.waitJob(id);
      expect(result.read).toBe(total);
      expect(result.recvSha).toBe(source.sha());
    });

    it('pauses a fast Go writer when our reader is slow, without unbounded buffering', async () => {
      const total = 32 * MiB;
      const sink = stalledSink();
      localStreams.set('slow-reader', () => sink.stream);
      let connection: TunnelConnection | undefined;
      client.once('connection', (c) => (connection = c));
      const id = await go.startJob({
        kind: 'flood',
        client: clientKey,
        address: 'slow-reader',
        bytes: total,
        seed: 9,
      });
      await delay(1_500);
      const writtenWhileStalled = (await go.job(id)).written;
      await delay(500);
      expect((await go.job(id)).written - writtenWhileStalled).toBeLessThan(MiB);
      expect(writtenWhileStalled).toBeLessThan(16 * MiB);
      expect(connection?.maxUnreadBytes ?? Infinity).toBeLessThan(8 * MiB);
      sink.release();
      const result = await go.waitJob(id);
      await sink.ended;
      expect(result.error ?? '').toBe('');
      expect(sink.received()).toBe(total);
      expect(sink.sha()).toBe(result.sentSha);
    });

    it(
      version.hasSync
        ? 'makes the Go server drop a connection we no longer have (SyncConnections)'
        : 'sends SyncConnections safely to a server that predates it',
      async () => {
        localStreams.set('to-abandon', () => new PassThrough());
        let connection: TunnelConnection | undefined;
        client.once('connection', (c) => (connection = c));
        const id = await go.startJob({ kind: 'hold', client: clientKey, address: 'to-abandon' });
        await waitFor(() => connection !== undefined, 10_000, 'connection');
        expect(client.abandonConnectionForTest(connection?.connId ?? 0n)).toBe(true);
        client.sendSyncConnections();
        if (version.hasSync) {
          const result = await go.waitJob(id, 10_000);
          expect(result.error).toBe('sync from client');
        } else {
          await delay(1_000);
          expect((await go.job(id)).done).toBe(false);
          expect(client.isClosed).toBe(false);
          await go.closeJob(id);
        }
      },
    );

    it('reports the authorizer answers: 401 failed authentication and 400 with the error text', async () => {
      const attempt = (token: string): Promise<unknown> =>
        connectClientSession({
          url: go.url,
          headers: headersFor('x', token),
          allow: () => true,
          dial: () => Promise.reject(new Error('no')),
        }).catch((error: unknown) => error);
      const refused = await attempt('wrong');
      expect(refused).toBeInstanceOf(HandshakeError);
      expect(refused).toMatchObject({ status: 401, body: 'failed authentication' });
      expect(await attempt('explode')).toMatchObject({ status: 400, body: 'token is malformed' });
    });
  });

  describe('Go client -> TypeScript server', () => {
    let loop: LoopbackServer;
    let goClient: GoClient;
    let tcp: TcpServer;
    let tcpPort = 0;
    const tcpHandlers = new Map<string, (socket: Socket) => void>();
    let nextHandler: ((socket: Socket) => void) | null = null;
    const clientKey = `go-${version.name}`;

    beforeAll(async () => {
      // One TCP server the Go client dials into; each test decides what it does.
      tcp = createTcpServer((socket) => {
        const handler = nextHandler ?? ((s: Socket) => s.pipe(s));
        nextHandler = null;
        handler(socket);
      });
      await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
      tcpPort = (tcp.address() as AddressInfo).port;
      loop = await startLoopbackServer();
      goClient = await GoClient.start(version, loop.url, clientKey);
      await waitFor(() => loop.server.hasSession(clientKey), 10_000, 'Go session');
    });
    afterAll(async () => {
      await goClient?.stop();
      await loop?.close();
      tcp?.close();
      tcpHandlers.clear();
    });

    const tcpAddress = (): string => `127.0.0.1:${tcpPort}`;

    it(`echoes ${ECHO_TOTAL / MiB} MiB byte-exactly across ${ECHO_STREAMS} parallel streams`, async () => {
      const perStream = ECHO_TOTAL / ECHO_STREAMS;
      const outcomes = await Promise.all(
        Array.from({ length: ECHO_STREAMS }, async (_, i) => {
          const connection = loop.server.dial(clientKey, 'tcp', tcpAddress());
          const sent = createHash('sha256');
          const received = collectHash(connection, perStream);
          for (let offset = 0; offset < perStream; offset += 4 * MiB) {
            const block = patternBytes(Math.min(4 * MiB, perStream - offset), i * 1000 + offset);
            sent.update(block);
            await writeAll(connection, block);
          }
          const result = await received;
          connection.end();
          return { ...result, sentSha: sent.digest('hex') };
        }),
      );
      for (const outcome of outcomes) {
        expect(outcome.bytes).toBe(perStream);
        expect(outcome.sha).toBe(outcome.sentSha);
      }
    });

    it('surfaces the Go dial error on our stream', async () => {
      const closedPort = await unusedPort();
      const { error } = await collect(loop.server.dial(clientKey, 'tcp', `127.0.0.1:${closedPort}`));
      expect(error?.message).toMatch(/^dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/);
    });

    it('ends our stream with the data when the far end closes', async () => {
      nextHandler = (socket) => socket.end('hello');
      const { data, error } = await collect(loop.server.dial(clientKey, 'tcp', tcpAddress()));
      expect(error).toBeNull();
      expect(data.toString()).toBe('hello');
    });

    it('closes the far end when we end our stream', async () => {
      const farClosed = new Promise<void>((resolve) => {
        nextHandler = (socket) => {
          socket.on('data', () => undefined);
          socket.on('close', () => resolve());
        };
      });
      const connection = loop.server.dial(clientKey, 'tcp', tcpAddress());
      connection.write('ping');
      await delay(100);
      connection.end();
      await farClosed;
    });

    it('pauses the Go client when our reader is slow, without unbounded buffering', async () => {
      const total = 32 * MiB;
      let written = 0;
      const payload = patternBytes(total, 42);
      nextHandler = (socket) => {
        let offset = 0;
        const pump = (): void => {
          while (offset < total) {
            const chunk = payload.subarray(offset, offset + 256 * 1024);
            offset += chunk.length;
            written = offset;
            if (!socket.write(chunk)) {
              socket.once('drain', pump);
              return;
            }
          }
          socket.end();
        };
        pump();
      };
      const connection = loop.server.dial(clientKey, 'tcp', tcpAddress());
      await delay(1_500);
      const writtenWhileStalled = written;
      await delay(500);
      expect(written - writtenWhileStalled).toBeLessThan(MiB);
      expect(connection.maxUnreadBytes).toBeLessThan(8 * MiB);
      const result = await collectHash(connection, total);
      expect(result.bytes).toBe(total);
      expect(result.sha).toBe(sha256(payload));
    });

    it('holds our writes when the Go client pauses us (its far end reads slowly)', async () => {
      const total = 64 * MiB;
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      const farHash = createHash('sha256');
      let farBytes = 0;
      const farDone = new Promise<void>((resolve) => {
        nextHandler = (socket) => {
          socket.pause();
          void released.then(() => {
            socket.on('data', (chunk: Buffer) => {
              farHash.update(chunk);
              farBytes += chunk.length;
              if (farBytes >= total) resolve();
            });
            socket.resume();
          });
        };
      });
      const payload = patternBytes(total, 5);
      const connection = loop.server.dial(clientKey, 'tcp', tcpAddress());
      let accepted = 0;
      let sawPause = false;
      const writing = (async () => {
        for (let offset = 0; offset < total; offset += 256 * 1024) {
          const chunk = payload.subarray(offset, offset + 256 * 1024);
          if (!connection.write(chunk)) await new Promise((resolve) => connection.once('drain', resolve));
          accepted = offset + chunk.length;
          sawPause ||= connection.isPausedByPeer;
        }
      })();
      await delay(2_000);
      const acceptedWhileStalled = accepted;
      sawPause ||= connection.isPausedByPeer;
      await delay(500);
      expect(sawPause).toBe(true);
      expect(accepted - acceptedWhileStalled).toBeLessThan(MiB);
      // In flight before the Pause reached us (socket buffers on both hops): measured up to ~30 MiB.
      expect(acceptedWhileStalled).toBeLessThan(48 * MiB);
      release();
      await writing;
      await farDone;
      expect(farHash.digest('hex')).toBe(sha256(payload));
      connection.end();
    });

    it.skipIf(version.name !== 'v05')(
      'receives the Go client pings (every 5 s) and keeps the session',
      async () => {
        const session = loop.server.sessions(clientKey)[0];
        let pings = 0;
        session?.on('ping', () => pings++);
        await waitFor(() => pings >= 1, 7_000, 'a ping from the Go client');
      },
    );

    it('sees the Go client drop its whole session on a disallowed Connect, as Go does', async () => {
      const session = loop.server.sessions(clientKey)[0];
      const refused = loop.server.dial(clientKey, 'unix', '/var/run/docker.sock');
      refused.on('error', () => undefined);
      const reason = await session?.closed;
      expect(reason?.message).toMatch(/websocket closed by peer|websocket error/);
    });
  });
});

describe.skipIf(!HAVE_GO)('client keepalive at the default cadence', () => {
  it('pings every 5 s', async () => {
    const loop = await startLoopbackServer();
    try {
      const session = await connectClientSession({
        url: loop.url,
        headers: headersFor('cadence'),
        allow: () => true,
        dial: () => Promise.resolve(new PassThrough()),
      });
      const stamps: number[] = [];
      loop.server.sessions('cadence')[0]?.on('ping', () => stamps.push(Date.now()));
      await waitFor(() => stamps.length >= 2, 12_000, 'two pings');
      session.close();
      const gap = (stamps[1] ?? 0) - (stamps[0] ?? 0);
      // Loose: the machine is noisy; the point is "about 5 s", not 1 s or 60 s.
      expect(gap).toBeGreaterThan(3_000);
      expect(gap).toBeLessThan(8_000);
    } finally {
      await loop.close();
    }
  });
});

function collectHash(stream: Readable, expected: number): Promise<{ bytes: number; sha: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      if (bytes >= expected) resolve({ bytes, sha: hash.digest('hex') });
    });
    stream.on('error', reject);
    stream.on('end', () => {
      if (bytes < expected) reject(new Error(`stream ended after ${bytes} of ${expected} bytes`));
    });
  });
}

function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createTcpServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
