import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { duplexPair, type Duplex } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InspectorBatch } from '../../../shared/inspector';
import { connectClientSession } from '../remotedialer/client-session';
import { headersFor, startLoopbackServer } from '../../../../test/support/loopback-harness';
import { MessageType } from '../remotedialer/message-types';
import { validateRequest } from '../channels/request-validation';
import { createLogger } from '../telemetry/logger';
import { TunnelInspector, type InspectableTunnel, type InspectorOptions } from './tunnel-inspector';

const logger = createLogger({ level: 'fatal', destination: { write: () => undefined } });
const PING = Buffer.from('GET /ping HTTP/1.1\r\nHost: not-used\r\n\r\n');

function makeInspector(
  options: Partial<InspectorOptions> = {},
  extra: { tunnels?: Record<string, Record<'main' | 'steve', InspectableTunnel>>; synthetic?: boolean } = {},
) {
  const batches: InspectorBatch[] = [];
  const clusters = new Set(['c1', 'c2', 'c3']);
  const inspector = new TunnelInspector(
    {
      clusterExists: (n) => clusters.has(n),
      clusterNames: () => [...clusters],
      tunnels: (n) => extra.tunnels?.[n],
      emitBatch: (b) => batches.push(b),
      logger,
      syntheticLoadAllowed: extra.synthetic ?? false,
    },
    options,
  );
  return { inspector, batches, clusters };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('tunnel inspector', () => {
  it('sends batches at most 10 times a second under 10,000 frames/s, and loses none', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const { inspector, batches } = makeInspector();
    inspector.watch({ cluster: 'c1' });
    const tap = inspector.tap('c1', 'steve');
    for (let ms = 0; ms < 3000; ms++) {
      for (let i = 0; i < 10; i++) tap.record('in', MessageType.Data, BigInt(2 + i), PING.length + 16, PING);
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(250);
    expect(batches.length).toBeGreaterThanOrEqual(28);
    expect(batches.length).toBeLessThanOrEqual(31);
    for (let i = 1; i < batches.length; i++) {
      expect(batches[i]!.time - batches[i - 1]!.time).toBeGreaterThanOrEqual(99);
    }
    const frames = batches.flatMap((b) =>
      b.sessions.filter((s) => s.session === 'steve').flatMap((s) => s.frames),
    );
    expect(frames.length).toBe(30_000);
    expect(frames.every((f, i) => f.seq === i + 1)).toBe(true);
    expect(frames[0]).toMatchObject({ type: 'Data', direction: 'in', summary: 'GET /ping HTTP/1.1' });
    // The history is bounded even though 30,000 frames passed.
    expect(inspector.frames({ cluster: 'c1', session: 'steve', limit: 1 }).historyFrames).toBe(20_000);
    inspector.stop();
  });

  it('sends the newest frames when a batch would be too big, and says how many it skipped', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const { inspector, batches } = makeInspector({ maxBatchFrames: 100 });
    inspector.watch({ cluster: 'c1' });
    const tap = inspector.tap('c1', 'main');
    for (let i = 0; i < 1000; i++) tap.record('out', MessageType.Data, 3n, 40, PING);
    vi.advanceTimersByTime(100);
    const main = batches[0]!.sessions.find((s) => s.session === 'main')!;
    expect(main.frames).toHaveLength(100);
    expect(main.skipped).toBe(900);
    expect(main.frames[0]!.seq).toBe(901);
    inspector.stop();
  });

  it('costs nothing for clusters nobody watches, and stops recording after the retention', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const { inspector, batches } = makeInspector({ retainMs: 60_000, housekeepingMs: 1000 });
    const idle = inspector.tap('c2', 'main');
    expect(idle.active).toBe(false);
    const { watcher } = inspector.watch({ cluster: 'c1' });
    const tap = inspector.tap('c1', 'main');
    expect(tap.active).toBe(true);
    expect(idle.active).toBe(false);
    tap.record('in', MessageType.Connect, 2n, 40, Buffer.from('tcp/api.c1:443'));
    inspector.unwatch({ cluster: 'c1', watcher });
    vi.advanceTimersByTime(30_000);
    // Still recorded for a while: coming back finds the history.
    expect(inspector.isRecording('c1')).toBe(true);
    expect(inspector.frames({ cluster: 'c1', session: 'main' }).frames).toHaveLength(1);
    // ...but nobody is sent anything.
    const sentBefore = batches.length;
    tap.record('in', MessageType.Data, 2n, 40, PING);
    vi.advanceTimersByTime(500);
    expect(batches.length).toBe(sentBefore);
    vi.advanceTimersByTime(31_000);
    expect(inspector.isRecording('c1')).toBe(false);
    expect(tap.active).toBe(false);
    expect(inspector.frames({ cluster: 'c1', session: 'main' }).frames).toHaveLength(0);
    inspector.stop();
  });

  it('lets a watch lapse when its lease is not renewed, and keeps it when it is', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const { inspector } = makeInspector({ leaseMs: 10_000, retainMs: 5_000, housekeepingMs: 1000 });
    const renewed = inspector.watch({ cluster: 'c1' });
    inspector.watch({ cluster: 'c2' });
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(5_000);
      inspector.watch({ cluster: 'c1', watcher: renewed.watcher });
    }
    expect(inspector.isRecording('c1')).toBe(true);
    expect(inspector.isRecording('c2')).toBe(false);
    const c1 = inspector.sessions({ cluster: 'c1' });
    expect(c1.map((s) => [s.session, s.watchers, s.recording])).toEqual([
      ['main', 1, true],
      ['steve', 1, true],
    ]);
    inspector.stop();
  });

  it('records a bounded number of clusters at once, making room from idle ones', () => {
    const { inspector } = makeInspector({ maxRecordedClusters: 2 });
    const a = inspector.watch({ cluster: 'c1' });
    inspector.watch({ cluster: 'c2' });
    expect(() => inspector.watch({ cluster: 'c3' })).toThrow(/at most 2 clusters/);
    expect(inspector.isRecording('c3')).toBe(false);
    inspector.unwatch({ cluster: 'c1', watcher: a.watcher });
    inspector.watch({ cluster: 'c3' });
    expect(inspector.isRecording('c1')).toBe(false);
    expect(inspector.isRecording('c3')).toBe(true);
    inspector.stop();
  });

  it('reads counters from the tunnels: reconnects, pauses, open connections, rates', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    let frames = 0;
    const tunnel = (connects: number): InspectableTunnel => ({
      state: { state: 'connected', since: new Date().toISOString(), connects },
      traffic: () => ({ framesIn: frames, framesOut: frames, bytesIn: frames * 100, bytesOut: 0 }),
      flowCounters: () => ({ pauses: 4, openConnections: 3 }),
      drop: () => undefined,
    });
    const { inspector } = makeInspector({}, { tunnels: { c1: { main: tunnel(3), steve: tunnel(1) } } });
    expect(inspector.sessions().map((s) => s.cluster)).toEqual(['c1', 'c1']);
    inspector.sessions();
    frames = 500;
    vi.advanceTimersByTime(2000);
    const [main, steve] = inspector.sessions({ cluster: 'c1' });
    expect(main!.counters).toEqual({
      state: 'connected',
      framesPerSecond: 500,
      bytesPerSecond: 25_000,
      framesTotal: 1000,
      bytesTotal: 50_000,
      openConnections: 3,
      pauses: 4,
      reconnects: 2,
    });
    expect(steve!.counters.reconnects).toBe(0);
    expect(inspector.sessions({ cluster: 'c2' })[0]!.counters.state).toBe('none');
    inspector.stop();
  });

  it('pages back through history with type and connection filters, and tells a connection story', () => {
    const { inspector } = makeInspector();
    inspector.watch({ cluster: 'c1' });
    const tap = inspector.tap('c1', 'steve');
    for (let c = 2n; c < 12n; c++) {
      tap.record('in', MessageType.Connect, c, 30, Buffer.from('tcp/not-used:80'));
      tap.record('in', MessageType.Data, c, 60, PING);
      tap.record('out', MessageType.Data, c, 60, Buffer.from('HTTP/1.1 200 OK\r\n\r\npong'));
      tap.record('out', MessageType.Error, c, 20, Buffer.from('EOF'));
    }
    const errors = inspector.frames({ cluster: 'c1', session: 'steve', types: ['Error'], limit: 3 });
    expect(errors.frames.map((f) => f.connId)).toEqual(['9', '10', '11']);
    expect(errors.more).toBe(true);
    const older = inspector.frames({
      cluster: 'c1',
      session: 'steve',
      types: ['Error'],
      limit: 100,
      before: errors.frames[0]!.seq,
    });
    expect(older.frames.map((f) => f.connId)).toEqual(['2', '3', '4', '5', '6', '7', '8']);
    expect(older.more).toBe(false);
    const one = inspector.frames({ cluster: 'c1', session: 'steve', connId: '5' });
    expect(one.frames.map((f) => `${f.type} ${f.summary}`)).toEqual([
      'Connect tcp/not-used:80',
      'Data GET /ping HTTP/1.1',
      'Data HTTP/1.1 200 OK',
      'Error EOF',
    ]);
    expect(one.connection).toEqual({
      connId: '5',
      address: 'tcp/not-used:80',
      http: [],
      closeReason: 'EOF',
      open: false,
    });
    const exported = inspector.exportNdjson({ cluster: 'c1', session: 'steve', connId: '5' });
    const lines = exported.ndjson
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(exported.frames).toBe(4);
    expect(lines[0]).toMatchObject({
      cluster: 'c1',
      session: 'steve',
      type: 'Connect',
      connId: '5',
      summary: 'tcp/not-used:80',
    });
    expect(typeof lines[0]!.time).toBe('string');
    expect(exported.filename).toMatch(/^c1-steve-frames-.*\.ndjson$/);
    expect(() => inspector.exportNdjson({ cluster: 'c2', session: 'main' })).toThrow(/watch it/);
    inspector.stop();
  });

  it('refuses bad requests with a clear message and changes nothing', () => {
    const { inspector } = makeInspector();
    const bad: [string, unknown, RegExp][] = [
      ['inspector.watch', { cluster: 5 }, /"cluster" must be a cluster name/],
      ['inspector.watch', { cluster: 'c1', watcher: 'nope' }, /"watcher" must be the id/],
      ['inspector.watch', { cluster: 'c1', extra: 1 }, /unknown field "extra"/],
      ['inspector.unwatch', { cluster: 'c1' }, /"watcher" must be the id/],
      ['inspector.frames', { cluster: 'c1', session: 'other' }, /"session" must be "main" or "steve"/],
      ['inspector.frames', { cluster: 'c1', session: 'main', limit: 0 }, /"limit" must be a whole number/],
      ['inspector.frames', { cluster: 'c1', session: 'main', limit: 9999 }, /from 1 to 5000/],
      ['inspector.frames', { cluster: 'c1', session: 'main', types: ['Bogus'] }, /"types" must be a list/],
      ['inspector.frames', { cluster: 'c1', session: 'main', connId: '-1' }, /"connId" must be/],
      ['inspector.export', 'c1', /needs a request object/],
      ['inspector.reconnect', { cluster: 'c1' }, /"session" must be/],
    ];
    for (const [channel, request, message] of bad) {
      expect(() => validateRequest(channel as 'inspector.watch', request), channel).toThrow(message);
    }
    expect(() => inspector.watch({ cluster: 'nope' })).toThrow(/not found/);
    expect(inspector.isRecording('c1')).toBe(false);
    expect(inspector.isRecording('nope')).toBe(false);
    expect(() => inspector.reconnect({ cluster: 'c1', session: 'main' })).toThrow(/no tunnels/);
  });

  it('runs the synthetic frame generator only when the agent allows it', () => {
    const off = makeInspector().inspector;
    expect(() => off.startSyntheticLoad('c1', 'steve', { framesPerSecond: 10, seconds: 1 })).toThrow(
      /SCALE_AGENT_INSPECTOR_LOAD=1/,
    );
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const { inspector } = makeInspector({}, { synthetic: true });
    expect(() => inspector.startSyntheticLoad('c1', 'steve', { framesPerSecond: 0, seconds: 1 })).toThrow(
      /"framesPerSecond" must be a number from 1 to 50000/,
    );
    expect(() => inspector.startSyntheticLoad('c1', 'sideways', {})).toThrow(/"main" or "steve"/);
    inspector.watch({ cluster: 'c1' });
    inspector.startSyntheticLoad('c1', 'steve', { framesPerSecond: 10_000, seconds: 2 });
    expect(() => inspector.startSyntheticLoad('c1', 'steve', { framesPerSecond: 10, seconds: 1 })).toThrow(
      /already run/,
    );
    vi.advanceTimersByTime(3_000);
    const counters = inspector.sessions({ cluster: 'c1' })[1]!.counters;
    expect(counters.framesTotal).toBe(20_000);
    const page = inspector.frames({ cluster: 'c1', session: 'steve', limit: 5 });
    expect(page.frames.map((f) => f.type).sort()).toContain('Data');
    const pings = inspector.frames({ cluster: 'c1', session: 'steve', types: ['Data'], limit: 2 });
    expect(pings.frames.map((f) => f.summary).sort()).toEqual(['GET /ping HTTP/1.1', 'HTTP/1.1 200 OK']);
    inspector.stop();
  });

  it("learns each connection's id at dial time and labels its frames with the requests served on it", async () => {
    const loop = await startLoopbackServer();
    const { inspector } = makeInspector();
    inspector.watch({ cluster: 'c1' });
    // A stand-in for the virtual API: an HTTP server fed tunnelled streams, which tells the observer of each.
    const observers = new WeakMap<object, (req: IncomingMessage, res: ServerResponse) => void>();
    const http = createServer((req, res) => {
      observers.get(req.socket)?.(req, res);
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-length': 2 }).end('ok');
    });
    const dialled: bigint[] = [];
    const client = await connectClientSession({
      url: loop.url,
      headers: headersFor('c1'),
      allow: () => true,
      tap: inspector.tap('c1', 'main'),
      dial: async (_proto, _address, connId) => {
        dialled.push(connId);
        const [ours, theirs] = duplexPair();
        observers.set(ours, inspector.mainRequestObserver('c1', connId));
        http.emit('connection', ours);
        return theirs as Duplex;
      },
    });
    try {
      const exchange = async (path: string): Promise<void> => {
        await new Promise((r) => setTimeout(r, 50));
        const conn = loop.server.dial('c1', 'tcp', 'api.c1.scale-agent.local:443');
        conn.write(`GET ${path} HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n`);
        await new Promise<void>((resolve) => {
          let text = '';
          conn.on('data', (d: Buffer) => (text += d.toString()));
          conn.on('close', () => resolve());
          conn.on('error', () => resolve());
          conn.on('end', () => (text.includes('ok') ? resolve() : undefined));
        });
      };
      await exchange('/api/v1/nodes');
      await exchange('/missing');
      await new Promise((r) => setTimeout(r, 100));
      expect(dialled).toEqual([2n, 3n]);
      const first = inspector.frames({ cluster: 'c1', session: 'main', connId: '2' });
      const inData = first.frames.find((f) => f.type === 'Data' && f.direction === 'in');
      const outData = first.frames.find((f) => f.type === 'Data' && f.direction === 'out');
      expect(first.frames[0]).toMatchObject({ type: 'Connect', summary: 'tcp/api.c1.scale-agent.local:443' });
      expect(inData?.http).toBe('GET /api/v1/nodes → 200');
      expect(outData).toMatchObject({ summary: 'HTTP/1.1 200 OK', http: 'GET /api/v1/nodes → 200' });
      expect(first.connection?.http).toEqual(['GET /api/v1/nodes → 200']);
      const second = inspector.frames({ cluster: 'c1', session: 'main', connId: '3' });
      expect(second.connection?.http).toEqual(['GET /missing → 404']);
    } finally {
      client.close();
      inspector.stop();
      await loop.close();
    }
  });
});
