/**
 * Profiles of the engine over REST: the files parse as what Chrome DevTools
 * opens (a Profiler.Profile for .cpuprofile, V8's heap snapshot format for
 * .heapsnapshot), the engine keeps answering while a CPU profile runs, one
 * profile runs at a time, and bad requests are refused by name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiOnlyAgent } from '../helpers/test-engine';

describe('engine profiles (POST /debug/...)', () => {
  let agent: Awaited<ReturnType<typeof startApiOnlyAgent>>;
  let base = '';
  beforeAll(async () => {
    agent = await startApiOnlyAgent();
    base = agent.web.url;
  });
  afterAll(() => agent?.stop());

  it('returns a .cpuprofile that parses as a CPU profile, while the engine keeps answering', async () => {
    const pending = fetch(`${base}/debug/cpu-profile`, { method: 'POST', body: '{"seconds":2}' });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    // One at a time: a second profile while the first runs is a conflict.
    const second = await fetch(`${base}/debug/cpu-profile`, { method: 'POST', body: '{"seconds":1}' });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { message: string }).message).toMatch(/CPU profile is being taken/);

    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="scale-cluster-agent-.*\.cpuprofile"$/,
    );
    const profile = (await res.json()) as {
      nodes: { id: number; callFrame: { functionName: string; url: string } }[];
      startTime: number;
      endTime: number;
      samples: number[];
      timeDeltas: number[];
    };
    expect(profile.nodes.length).toBeGreaterThan(1);
    expect(profile.nodes[0]!.callFrame.functionName).toBe('(root)');
    expect(profile.endTime - profile.startTime).toBeGreaterThanOrEqual(1_900_000); // microseconds
    expect(profile.samples.length).toBe(profile.timeDeltas.length);
    const ids = new Set(profile.nodes.map((n) => n.id));
    expect(profile.samples.every((s) => ids.has(s))).toBe(true);
  });

  it('returns a .heapsnapshot in V8’s snapshot format', async () => {
    const res = await fetch(`${base}/debug/heap-snapshot`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/\.heapsnapshot"$/);
    const snap = (await res.json()) as {
      snapshot: {
        meta: { node_fields: string[]; edge_fields: string[] };
        node_count: number;
        edge_count: number;
      };
      nodes: number[];
      edges: number[];
      strings: string[];
    };
    expect(snap.snapshot.meta.node_fields).toContain('self_size');
    expect(snap.nodes.length).toBe(snap.snapshot.node_count * snap.snapshot.meta.node_fields.length);
    expect(snap.edges.length).toBe(snap.snapshot.edge_count * snap.snapshot.meta.edge_fields.length);
    expect(snap.strings).toContain('Engine');
  });

  it('refuses bad requests by name and takes nothing', async () => {
    for (const body of [
      '{"seconds":0}',
      '{"seconds":301}',
      '{"seconds":"ten"}',
      '{"seconds":1.5}',
      '[]',
      '{"seconds":1,"x":1}',
    ]) {
      const res = await fetch(`${base}/debug/cpu-profile`, { method: 'POST', body });
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/debug\.cpuProfile/);
    }
    expect((await fetch(`${base}/debug/cpu-profile`)).status).toBe(405);
    expect((await fetch(`${base}/debug/heap-snapshot`)).status).toBe(405);
  });
});
