/**
 * The live tunnel inspector against the real stack and the Rancher stand-in
 * (Go, on Rancher's real remotedialer server): a watched cluster's main
 * tunnel shows the stand-in's Connect to the cluster's API and, decrypted by
 * the virtual API, its health check and node watch; its Steve tunnel shows the /ping
 * conversations in plain HTTP. Batches stay at 10 a second or fewer, the
 * NDJSON export and the counters are served over REST, and a cluster nobody
 * watches is not recorded at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectorBatch, InspectorFrame, TunnelSessionKind } from '../../src/shared/inspector';
import type { RunningWebServer } from '../../src/main/engine/transport/web-server';
import type { Engine } from '../../src/main/engine/engine';
import { advertisedAddress } from '../../src/main/engine/vapi/pki/cluster-identity';
import { startEngineStack, type EngineStack } from '../helpers/engine-stack';
import { eventually } from '../helpers/main-cluster';
import type { StandIn } from '../helpers/rancher-standin';

interface StandInCluster {
  name: string;
  state: string;
}

const WATCHED = 'insp-1';
/** Rancher's health check of a cluster: one plain request and answer on a tunnelled connection. */
const HEALTH_CHECK = 'GET /api/v1/namespaces/kube-system?timeout=45s → 200';
const UNWATCHED = 'insp-2';

describe('tunnel inspector (stand-in)', () => {
  let stack: EngineStack;
  let standin: StandIn;
  let engine: Engine;
  let web: RunningWebServer;
  const batches: InspectorBatch[] = [];
  /** Every frame the UI would have been sent, per session, in order. */
  const sent: Record<TunnelSessionKind, InspectorFrame[]> = { main: [], steve: [] };

  const history = async (session: TunnelSessionKind): Promise<InspectorFrame[]> =>
    (await engine.handle('inspector.frames', { cluster: WATCHED, session, limit: 5000 })).frames;

  beforeAll(async () => {
    stack = await startEngineStack({
      standinArgs: ['--ping-interval', '1s', '--health-interval', '1s'],
      beforeStart: (e) =>
        e.events.on('inspector.batch', (batch) => {
          batches.push(batch);
          for (const s of batch.sessions) if (s.cluster === WATCHED) sent[s.session].push(...s.frames);
        }),
    });
    ({ standin, engine, web } = stack);
    await engine.handle('clusters.create', { name: WATCHED, template: 'tiny' });
    // Watched from the start, as a user who opens the inspector right away: every frame is seen.
    await engine.handle('inspector.watch', { cluster: WATCHED });
    await engine.handle('clusters.create', { name: UNWATCHED, template: 'tiny' });
    await eventually(
      async () =>
        (await standin.get<{ data: StandInCluster[] }>('/clusters')).data.filter((c) => c.state === 'active')
          .length === 2 || undefined,
      'both active in the stand-in',
      180_000,
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("shows the main tunnel's Connect and, decrypted, the stand-in's health check and node watch", async () => {
    const frames = await eventually(
      async () => {
        const all = await history('main');
        const list = all.find((f) => f.http === HEALTH_CHECK);
        // client-go 1.36's informers list by watching (sendInitialEvents), as Rancher's node sync does.
        const watch = all.find((f) => /^GET \/api\/v1\/nodes\?.*watch=true.* → 200$/.test(f.http ?? ''));
        return list && watch ? all : undefined;
      },
      'health check and node watch on the main tunnel',
      60_000,
    );
    const listFrame = frames.find((f) => f.http === HEALTH_CHECK)!;
    const conversation = await engine.handle('inspector.frames', {
      cluster: WATCHED,
      session: 'main',
      connId: listFrame.connId,
    });
    expect(conversation.connection?.address).toBe(`tcp/${advertisedAddress(WATCHED)}`);
    expect(conversation.frames[0]).toMatchObject({ type: 'Connect', direction: 'in' });
    // TLS, then the requests the virtual API served on that connection.
    expect(conversation.frames.map((f) => f.summary)).toContain('TLS handshake: ClientHello');
    expect(conversation.connection?.http).toContain(HEALTH_CHECK);
    // The request went in, and the answer came out, on the same connection.
    expect(
      conversation.frames.some((f) => f.direction === 'in' && f.type === 'Data' && f.http === HEALTH_CHECK),
    ).toBe(true);
    expect(
      conversation.frames.some((f) => f.direction === 'out' && f.type === 'Data' && f.http === HEALTH_CHECK),
    ).toBe(true);
    // No secret in any frame (the service-account token travels inside the TLS).
    const text = JSON.stringify(frames);
    expect(text).not.toMatch(/Bearer|eyJ[A-Za-z0-9_-]{10,}/);
  });

  it('shows the Steve /ping conversations in plain HTTP, from Connect to close', async () => {
    const pingConn = await eventually(
      async () => {
        const all = await history('steve');
        const ping = all.find((f) => f.summary === 'GET /ping HTTP/1.1');
        if (!ping) return undefined;
        const conv = all.filter((f) => f.connId === ping.connId);
        return conv.some((f) => f.type === 'Error') && conv.some((f) => f.summary === 'HTTP/1.1 200 OK')
          ? ping.connId
          : undefined;
      },
      'a whole /ping conversation on the Steve tunnel',
      60_000,
    );
    const { frames, connection } = await engine.handle('inspector.frames', {
      cluster: WATCHED,
      session: 'steve',
      connId: pingConn,
    });
    expect(connection).toMatchObject({ connId: pingConn, address: 'tcp/not-used:80', open: false });
    expect(connection?.closeReason).toBe('EOF');
    expect(frames.map((f) => `${f.direction} ${f.type} ${f.summary}`)).toEqual(
      expect.arrayContaining([
        'in Connect tcp/not-used:80',
        'in Data GET /ping HTTP/1.1',
        'out Data HTTP/1.1 200 OK',
      ]),
    );
  });

  it('sends what it records in batches, never more than 10 a second', async () => {
    // Everything in history was also sent, in order, with nothing skipped at this rate. Batches
    // trail the recording by up to 100 ms: wait for the first Steve frames to have been sent.
    await eventually(() => sent.steve.length > 0 || undefined, 'Steve frames sent in a batch', 10_000);
    const steveHistory = await history('steve');
    const lastSent = sent.steve.at(-1)!.seq;
    expect(sent.steve.map((f) => f.seq)).toEqual(
      steveHistory.filter((f) => f.seq <= lastSent).map((f) => f.seq),
    );
    expect(batches.every((b) => b.sessions.every((s) => s.skipped === 0))).toBe(true);
    for (let i = 1; i < batches.length; i++) {
      expect(batches[i]!.time - batches[i - 1]!.time).toBeGreaterThanOrEqual(99);
    }
    const seconds = (batches.at(-1)!.time - batches[0]!.time) / 1000;
    expect(batches.length / seconds).toBeLessThanOrEqual(10.5);
    // Counters ride along, once a second at least.
    expect(batches.at(-1)!.sessions[0]!.counters.state).toBe('connected');
  });

  it('records nothing for a cluster nobody watches', async () => {
    expect(engine.inspector.isRecording(UNWATCHED)).toBe(false);
    expect(engine.inspector.tap(UNWATCHED, 'main').active).toBe(false);
    expect(engine.inspector.tap(UNWATCHED, 'steve').active).toBe(false);
    expect(batches.some((b) => b.sessions.some((s) => s.cluster === UNWATCHED))).toBe(false);
    const frames = await engine.handle('inspector.frames', { cluster: UNWATCHED, session: 'steve' });
    expect(frames).toMatchObject({ frames: [], historyFrames: 0 });
    // Its counters are there all the same.
    const [mainInfo] = await engine.handle('inspector.sessions', { cluster: UNWATCHED });
    expect(mainInfo).toMatchObject({ session: 'main', recording: false, counters: { state: 'connected' } });
    expect(mainInfo!.counters.framesTotal).toBeGreaterThan(0);
  });

  it('serves counters and the NDJSON export over REST', async () => {
    const tunnels = (await (await fetch(`${web.url}/clusters/${WATCHED}/tunnels`)).json()) as {
      sessions: { session: string; counters: Record<string, unknown>; recording: boolean }[];
    };
    const mainInfo = tunnels.sessions.find((s) => s.session === 'main')!;
    expect(mainInfo.recording).toBe(true);
    expect(mainInfo.counters).toMatchObject({ state: 'connected', reconnects: 0 });
    // Rancher's node WATCH holds a connection open.
    expect(mainInfo.counters.openConnections).toBeGreaterThanOrEqual(1);

    const exportData = async () => {
      const res = await fetch(`${web.url}/clusters/${WATCHED}/tunnels/steve/frames.ndjson?types=Data`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="insp-1-steve-frames-/);
      return (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    // More than one /ping exchange recorded (the stand-in pings every second; on a loaded machine the
    // second can come after this test starts, so wait for it rather than race it).
    const lines = await eventually(
      async () => {
        const got = await exportData();
        return got.length > 2 ? got : undefined;
      },
      'more than one /ping exchange in the Steve export',
      30_000,
    );
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((l) => l.type === 'Data' && l.cluster === WATCHED && l.session === 'steve')).toBe(
      true,
    );
    expect(lines.some((l) => l.summary === 'GET /ping HTTP/1.1')).toBe(true);

    const notWatched = await fetch(`${web.url}/clusters/${UNWATCHED}/tunnels/main/frames.ndjson`);
    expect(notWatched.status).toBe(409);
    const badSession = await fetch(`${web.url}/clusters/${WATCHED}/tunnels/other/frames.ndjson`);
    expect(badSession.status).toBe(400);
    expect(((await badSession.json()) as { message: string }).message).toMatch(/"main" or "steve"/);
    const synthetic = await fetch(`${web.url}/clusters/${WATCHED}/tunnels/steve/synthetic-frames`, {
      method: 'POST',
      body: JSON.stringify({ framesPerSecond: 100, seconds: 1 }),
    });
    expect(synthetic.status).toBe(400);
    expect(((await synthetic.json()) as { message: string }).message).toMatch(/SCALE_AGENT_INSPECTOR_LOAD=1/);
  });

  it('reconnects a session on request and shows the new session from its first frames', async () => {
    const before = (await history('main')).at(-1)!.seq;
    await engine.handle('inspector.reconnect', { cluster: WATCHED, session: 'main' });
    await eventually(
      async () => {
        const [mainInfo] = await engine.handle('inspector.sessions', { cluster: WATCHED });
        return (mainInfo!.counters.reconnects === 1 && mainInfo!.counters.state === 'connected') || undefined;
      },
      'main tunnel reconnected',
      60_000,
    );
    // The new session's stand-in lists the nodes again, and the inspector shows it.
    await eventually(
      async () => (await history('main')).some((f) => f.seq > before && f.http === HEALTH_CHECK) || undefined,
      'a new health check after the reconnect',
      60_000,
    );
  });
});
