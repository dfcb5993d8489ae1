import { duplexPair, type Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LinkBudget } from './link-budget';
import { ShapingDuplex, type ShapingPolicy } from './shaping-duplex';

/** A policy whose faults a test changes as it goes. */
function policy(): ShapingPolicy & { ms: number; cap: number | undefined; shaped: Record<string, number> } {
  const budgets = { in: new LinkBudget(), out: new LinkBudget() };
  const p = {
    ms: 0,
    cap: undefined as number | undefined,
    shaped: { latency: 0, bandwidth: 0 } as Record<string, number>,
    latencyMs: () => p.ms,
    capped: () => p.cap !== undefined,
    reserve: (direction: 'in' | 'out', bytes: number) =>
      p.cap === undefined ? 0 : budgets[direction].reserve(bytes, p.cap),
    onShaped: (kind: 'latency' | 'bandwidth', bytes: number) =>
      (p.shaped[kind] = (p.shaped[kind] ?? 0) + bytes),
  };
  return p;
}

/** cluster: the local end the tunnel dialled (what the virtual API serves); tunnel: what the tunnel reads and writes. */
function pair(p: ShapingPolicy): { cluster: Duplex; tunnel: ShapingDuplex } {
  const [cluster, theirs] = duplexPair();
  return { cluster, tunnel: new ShapingDuplex(theirs, p) };
}

function collect(stream: Duplex, bytes: number): Promise<{ data: Buffer; ms: number }> {
  const started = Date.now();
  const chunks: Buffer[] = [];
  let got = 0;
  return new Promise((resolve, reject) => {
    stream.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= bytes) resolve({ data: Buffer.concat(chunks), ms: Date.now() - started });
    });
    stream.on('error', reject);
  });
}

describe('ShapingDuplex', () => {
  it('passes data both ways unchanged and at once without faults', async () => {
    const p = policy();
    const { cluster, tunnel } = pair(p);
    const toRancher = collect(tunnel, 5);
    cluster.write('hello');
    const out = await toRancher;
    expect(out.data.toString()).toBe('hello');
    expect(out.ms).toBeLessThan(50);
    const toCluster = collect(cluster, 5);
    tunnel.write('world');
    expect((await toCluster).data.toString()).toBe('world');
    expect(p.shaped).toEqual({ latency: 0, bandwidth: 0 });
  });

  it('holds what the cluster sends for the latency, chunks side by side, in order', async () => {
    const p = policy();
    p.ms = 200;
    const { cluster, tunnel } = pair(p);
    const got = collect(tunnel, 30);
    for (let i = 0; i < 10; i++) cluster.write(`c${i}-`);
    const { data, ms } = await got;
    expect(data.toString()).toBe('c0-c1-c2-c3-c4-c5-c6-c7-c8-c9-');
    // Ten chunks in flight together: about one latency, not ten.
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(600);
    expect(p.shaped.latency).toBe(30);
    // What Rancher sends is not delayed.
    const back = collect(cluster, 2);
    tunnel.write('ok');
    expect((await back).ms).toBeLessThan(50);
  });

  it('caps the bandwidth in each direction', async () => {
    const p = policy();
    p.cap = 100_000;
    const { cluster, tunnel } = pair(p);
    const size = 60_000;
    const down = collect(tunnel, size);
    for (let i = 0; i < 15; i++) cluster.write(Buffer.alloc(size / 15, 1));
    const d = await down;
    expect(d.data.length).toBe(size);
    // 60 KB at 100 KB/s: about 600 ms (less the burst allowance).
    expect(d.ms).toBeGreaterThanOrEqual(450);
    expect(d.ms).toBeLessThan(1500);
    const up = collect(cluster, size);
    for (let i = 0; i < 15; i++) tunnel.write(Buffer.alloc(size / 15, 2));
    const u = await up;
    expect(u.ms).toBeGreaterThanOrEqual(450);
    expect(p.shaped.bandwidth).toBeGreaterThan(0);
  });

  it('lets go of held data at once when the fault is cleared', async () => {
    const p = policy();
    p.ms = 5000;
    const { cluster, tunnel } = pair(p);
    const got = collect(tunnel, 4);
    cluster.write('held');
    setTimeout(() => (p.ms = 0), 100);
    const { ms } = await got;
    expect(ms).toBeLessThan(1000);
  });

  it('ends after the held data when the cluster side ends, and closes both ways', async () => {
    const p = policy();
    p.ms = 100;
    const { cluster, tunnel } = pair(p);
    const chunks: string[] = [];
    tunnel.on('data', (c: Buffer) => chunks.push(c.toString()));
    const ended = new Promise<void>((r) => tunnel.once('end', () => r()));
    cluster.end('last words');
    await ended;
    expect(chunks.join('')).toBe('last words');
    tunnel.end();
    await new Promise<void>((r) => tunnel.once('close', () => r()));
    expect(tunnel.destroyed).toBe(true);
  });

  it('destroys the wrapped end when destroyed (a dropped tunnel)', async () => {
    const [, theirs] = duplexPair();
    const tunnel = new ShapingDuplex(theirs, policy());
    const closed = new Promise<void>((r) => theirs.once('close', () => r()));
    tunnel.destroy();
    await closed;
    expect(theirs.destroyed).toBe(true);
  });
});

describe('LinkBudget', () => {
  it('books chunks one after another at the rate, forgiving a short burst', () => {
    const b = new LinkBudget();
    const t = 1_000_000;
    expect(b.reserve(1000, 100_000, t)).toBe(0); // 10 ms on an idle link: within the burst
    expect(b.reserve(10_000, 100_000, t)).toBe(60); // 10 + 100 ms booked, less 50 ms
    expect(b.reserve(10_000, 100_000, t + 1000)).toBe(50); // idle again a second later
  });
});
