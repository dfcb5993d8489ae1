/**
 * The load history through the engine's real transports: `telemetry.sample`
 * arrives over /api/ws each second, `telemetry.history` answers over the
 * WebSocket and REST, bad input is refused with a reason, and Engine.stop()
 * ends the sampling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { TelemetryHistory, TelemetrySampleEvent } from '../../src/shared/telemetry';
import { LOAD_FIELDS } from '../../src/shared/telemetry';
import { openBridgeSocket, type BridgeMessage as Msg } from '../helpers/bridge-socket';
import { startApiOnlyAgent } from '../helpers/test-engine';

describe('telemetry history and samples', () => {
  let agent: Awaited<ReturnType<typeof startApiOnlyAgent>>;
  let socket: WebSocket;
  let inbox: Msg[] = [];

  beforeAll(async () => {
    agent = await startApiOnlyAgent();
    ({ socket, inbox } = await openBridgeSocket(agent.web.url));
  });
  afterAll(async () => {
    socket.close();
    await agent?.stop();
  });

  const samples = () =>
    inbox.filter((m) => m.channel === 'telemetry.sample').map((m) => m.payload as TelemetrySampleEvent);

  it('pushes a sample each second with the engine memory and the cluster counts', async () => {
    await expect.poll(() => samples().length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    const [a, b] = samples();
    expect(b!.sample.t - a!.sample.t).toBeGreaterThanOrEqual(900);
    expect(b!.sample.t - a!.sample.t).toBeLessThan(2500);
    expect(b!.sample.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(b!.sample.heapUsedBytes).toBeGreaterThan(0);
    expect(b!.sample.clustersTotal).toBe(0);
    expect(b!.perCluster.method).toBe('none');
    expect(b!.perCluster.baselineBytes).toBeGreaterThan(0);
    expect(b!.appProcesses).toBeUndefined(); // headless: no Electron processes

    await agent.engine.handle('clusters.create', { name: 'tele-1' });
    await expect.poll(() => samples().at(-1)?.sample.clustersTotal, { timeout: 5000 }).toBe(1);
  });

  it('answers telemetry.history over the WebSocket as columns, sliced to the last N seconds', async () => {
    socket.send(JSON.stringify({ type: 'call', id: 1, channel: 'telemetry.history', request: {} }));
    socket.send(
      JSON.stringify({ type: 'call', id: 2, channel: 'telemetry.history', request: { seconds: 1 } }),
    );
    await expect.poll(() => inbox.filter((m) => m.type === 'result').length).toBe(2);
    const all = inbox.find((m) => m.id === 1)!.value as TelemetryHistory;
    const last = inbox.find((m) => m.id === 2)!.value as TelemetryHistory;
    expect(Object.keys(all.columns).sort()).toEqual([...LOAD_FIELDS].sort());
    expect(all.capacity).toBeGreaterThanOrEqual(3600);
    expect(all.columns.t.length).toBeGreaterThanOrEqual(2);
    expect(last.columns.t).toHaveLength(1);
    expect(last.columns.t[0]).toBe(all.columns.t.at(-1));
  });

  it('serves GET /telemetry/history and refuses a bad "seconds" with the reason', async () => {
    const ok = await fetch(`${agent.web.url}/telemetry/history?seconds=3600`);
    expect(ok.status).toBe(200);
    const history = (await ok.json()) as TelemetryHistory;
    expect(history.columns.rssBytes.length).toBe(history.columns.t.length);
    for (const bad of ['0', 'abc', '-5', '1e9', '']) {
      const res = await fetch(`${agent.web.url}/telemetry/history?seconds=${bad}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/"seconds" must be a number/);
    }
    await expect(agent.engine.handle('telemetry.history', { seconds: 5, extra: 1 })).rejects.toThrow(
      /unknown field "extra"/,
    );
  });

  it('stops sampling when the engine stops', async () => {
    await agent.engine.stop();
    const size = agent.engine.load.size;
    await new Promise((r) => setTimeout(r, 2200));
    expect(agent.engine.load.size).toBe(size);
  });
});
