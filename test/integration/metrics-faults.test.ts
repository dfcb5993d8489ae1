/**
 * Metrics and fault injection against the real stack and the Rancher
 * stand-in: after a small scenario the numbers on /metrics are the ones the
 * scenario produced; dropped tunnels and refused reconnects have their effect
 * in the stand-in, show in /faults and /metrics, and clear.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWebServer } from '../../src/main/engine/transport/web-server';
import type { Engine } from '../../src/main/engine/engine';
import { startEngineStack, type EngineStack } from '../helpers/engine-stack';
import { eventually } from '../helpers/main-cluster';
import type { StandIn } from '../helpers/rancher-standin';
import { metric } from '../helpers/prometheus-text';

interface StandInCluster {
  name: string;
  state: string;
  hasMainSession: boolean;
}

describe('metrics and fault injection', () => {
  let standin: StandIn;
  let engine: Engine;
  let web: RunningWebServer;
  let stack: EngineStack;
  const clusters = async () => (await standin.get<{ data: StandInCluster[] }>('/clusters')).data;
  const metrics = async () => (await fetch(`${web.url}/metrics`)).text();
  const post = (path: string, body: unknown) =>
    fetch(`${web.url}${path}`, { method: 'POST', body: JSON.stringify(body) });

  beforeAll(async () => {
    stack = await startEngineStack();
    ({ standin, engine, web } = stack);
    await engine.handle('batches.create', { pattern: 'm-{1..3}', template: 'tiny', concurrency: 3 });
    await eventually(
      async () => (await clusters()).filter((c) => c.state === 'active').length === 3 || undefined,
      'three active',
      120_000,
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("exposes the scenario's numbers on /metrics", async () => {
    const text = await metrics();
    expect(metric(text, 'scale_agent_clusters', 'status="ready"')).toBe(3);
    expect(metric(text, 'scale_agent_clusters', 'status="failed"')).toBe(0);
    expect(metric(text, 'scale_agent_tunnel_sessions', 'kind="main",state="connected"')).toBe(3);
    expect(metric(text, 'scale_agent_tunnel_sessions', 'kind="steve",state="connected"')).toBe(3);
    expect(metric(text, 'scale_agent_tunnel_connects_total', 'kind="main"')).toBe(3);
    expect(metric(text, 'scale_agent_tunnel_reconnects_total', 'kind="main"')).toBe(0);
    expect(metric(text, 'scale_agent_tunnel_frames_total', 'kind="main",direction="in"')).toBeGreaterThan(0);
    expect(metric(text, 'scale_agent_tunnel_bytes_total', 'kind="steve",direction="out"')).toBeGreaterThan(0);
    expect(metric(text, 'scale_agent_vapi_requests_total', 'verb="get",code="200"')).toBeGreaterThan(0);
    expect(metric(text, 'scale_agent_apiserver_requests_total')).toBeGreaterThan(0);
    expect(text).toMatch(/^scale_agent_nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^scale_agent_process_resident_memory_bytes /m);
    // No per-cluster labels: the series count does not grow with clusters.
    expect(text).not.toMatch(/m-1/);
  });

  it("drops one cluster's tunnels on request; it reconnects by itself", async () => {
    const res = await post('/faults/drop-tunnels', { clusters: ['m-1'] });
    expect(await res.json()).toEqual({ dropped: 1 });
    await eventually(
      async () =>
        metric(await metrics(), 'scale_agent_tunnel_reconnects_total', 'kind="main"') >= 1 || undefined,
      'm-1 reconnected',
      60_000,
    );
    expect((await fetch(`${web.url}/faults`)).status).toBe(200);
  });

  it('refuses reconnects for a while after dropping all tunnels, visibly, then recovers and clears', async () => {
    expect((await post('/faults/refuse-connects', { seconds: 5 })).status).toBe(200);
    expect(await post('/faults/drop-tunnels', {}).then((r) => r.json())).toEqual({ dropped: 3 });
    await eventually(
      async () => (await clusters()).every((c) => !c.hasMainSession) || undefined,
      'sessions gone in the stand-in',
      10_000,
    );
    const during = await metrics();
    expect(metric(during, 'scale_agent_faults_active', 'kind="refuse_connects"')).toBe(1);
    expect(metric(during, 'scale_agent_tunnel_sessions', 'kind="main",state="connected"')).toBe(0);
    const faults = (await (await fetch(`${web.url}/faults`)).json()) as {
      refuseConnectsUntil: string | null;
    };
    expect(faults.refuseConnectsUntil).not.toBeNull();
    await eventually(
      async () => (await clusters()).every((c) => c.state === 'active' && c.hasMainSession) || undefined,
      'all back after the window',
      90_000,
    );
    const after = await metrics();
    expect(metric(after, 'scale_agent_faults_active', 'kind="refuse_connects"')).toBe(0);
    expect(metric(after, 'scale_agent_tunnel_reconnects_total', 'kind="main"')).toBeGreaterThanOrEqual(4);
    const cleared = (await (await fetch(`${web.url}/faults`, { method: 'DELETE' })).json()) as {
      refuseConnectsUntil: string | null;
    };
    expect(cleared.refuseConnectsUntil).toBeNull();
  });

  it('runs a reconnect storm at the chosen rate, visible in metrics, and ends by itself', async () => {
    const before = metric(await metrics(), 'scale_agent_tunnel_reconnects_total', 'kind="main"');
    const droppedBefore = ((await (await fetch(`${web.url}/faults`)).json()) as { droppedSessions: number })
      .droppedSessions;
    const started = (await (await post('/faults/storm', { ratePerSecond: 2, seconds: 3 })).json()) as {
      storm: { ratePerSecond: number } | null;
    };
    expect(started.storm?.ratePerSecond).toBe(2);
    expect(metric(await metrics(), 'scale_agent_faults_active', 'kind="storm"')).toBe(1);
    await eventually(
      async () =>
        ((await (await fetch(`${web.url}/faults`)).json()) as { storm: unknown }).storm === null || undefined,
      'storm over',
      15_000,
    );
    await eventually(
      async () => (await clusters()).every((c) => c.state === 'active' && c.hasMainSession) || undefined,
      'all active after the storm',
      90_000,
    );
    const after = await metrics();
    // About 2 drops a second for 3 s, round-robin over the clusters; a cluster still
    // reconnecting when its turn comes has nothing to drop, so count both sides.
    const dropped =
      ((await (await fetch(`${web.url}/faults`)).json()) as { droppedSessions: number }).droppedSessions -
      droppedBefore;
    expect(dropped).toBeGreaterThanOrEqual(5);
    expect(
      metric(after, 'scale_agent_tunnel_reconnects_total', 'kind="main"') - before,
    ).toBeGreaterThanOrEqual(3);
    expect(metric(after, 'scale_agent_faults_active', 'kind="storm"')).toBe(0);
  });

  it('refuses bad fault requests with 400', async () => {
    expect((await post('/faults/storm', { ratePerSecond: 0, seconds: 3 })).status).toBe(400);
    expect((await post('/faults/refuse-connects', { seconds: -1 })).status).toBe(400);
    expect((await post('/faults/drop-tunnels', { clusters: 'm-1' })).status).toBe(400);
    expect((await post('/faults/drop-tunnels', { clusters: ['nope'] })).status).toBe(404);
  });
});
