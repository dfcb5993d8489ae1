/**
 * Web mode's transport: the channel map over /api/ws with a real `ws` client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ClustersChange } from '../../src/shared/cluster';
import { clusterNames } from '../helpers/engine-view';
import { openBridgeSocket, type BridgeMessage as Msg } from '../helpers/bridge-socket';
import { startApiOnlyAgent } from '../helpers/test-engine';

describe('WebSocket bridge', () => {
  let agent: Awaited<ReturnType<typeof startApiOnlyAgent>>;
  let socket: WebSocket;
  let inbox: Msg[] = [];

  beforeAll(async () => {
    agent = await startApiOnlyAgent();
    ({ socket, inbox } = await openBridgeSocket(agent.web.url));
  });
  afterAll(async () => {
    socket.close();
    await agent.stop();
  });

  async function waitFor(pred: (m: Msg) => boolean, ms = 3000): Promise<Msg> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const found = inbox.find(pred);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no such message');
  }

  it('answers a call with a result of the same id', async () => {
    socket.send(
      JSON.stringify({ type: 'call', id: 1, channel: 'clusters.create', request: { name: 'via-ws' } }),
    );
    const result = await waitFor((m) => m.type === 'result' && m.id === 1);
    expect(result).toMatchObject({ ok: true, value: { name: 'via-ws', status: 'pending' } });
  });

  it('pushes clusters.changed to connected clients', async () => {
    const event = await waitFor((m) => m.type === 'event' && m.channel === 'clusters.changed');
    expect((event.payload as ClustersChange).upserted.map((c) => c.name)).toContain('via-ws');
  });

  it('returns engine errors with their code', async () => {
    socket.send(
      JSON.stringify({ type: 'call', id: 2, channel: 'clusters.create', request: { name: 'via-ws' } }),
    );
    expect(await waitFor((m) => m.id === 2)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    socket.send(JSON.stringify({ type: 'call', id: 3, channel: 'clusters.get', request: {} }));
    expect(await waitFor((m) => m.id === 3)).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: 'clusters.get: "name" must be a string' },
    });
  });

  it('refuses malformed messages without changing anything', async () => {
    const before = await clusterNames(agent.engine);
    socket.send('not json');
    socket.send(JSON.stringify({ type: 'call', id: 4, channel: 'clusters.drop', request: { name: 'x' } }));
    socket.send(JSON.stringify({ type: 'call', id: 'five', channel: 'clusters.list' }));
    expect(await waitFor((m) => m.id === 4)).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: 'unknown channel "clusters.drop"' },
    });
    // Calls without a usable id are answered with id 0.
    expect(
      await waitFor((m) => m.id === 0 && m.error?.message === 'message is not valid JSON'),
    ).toMatchObject({ ok: false });
    expect(await waitFor((m) => m.id === 0 && m.error?.message === 'call needs a numeric id')).toMatchObject({
      ok: false,
    });
    expect(await clusterNames(agent.engine)).toEqual(before);
  });

  it('refuses upgrades on other paths', async () => {
    const other = new WebSocket(`${agent.web.url.replace('http', 'ws')}/elsewhere`);
    const failure = await new Promise<string>((resolve) => {
      other.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      other.once('error', (e) => resolve(e.message));
    });
    expect(failure).toMatch(/404/);
  });
});
