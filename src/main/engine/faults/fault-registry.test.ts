import { afterEach, describe, expect, it, vi } from 'vitest';
import { FaultRegistry, toActiveFault } from './fault-registry';
import { decideApiError } from './injected-api-error';

describe('FaultRegistry', () => {
  afterEach(() => vi.useRealTimers());

  it('applies a fault to its clusters only, or to every cluster', () => {
    const r = new FaultRegistry();
    r.add('latency', ['a', 'b'], { ms: 100 }, undefined);
    expect(r.latencyMs('a')).toBe(100);
    expect(r.latencyMs('c')).toBe(0);
    r.add('pause_heartbeats', undefined, {}, undefined);
    expect(r.heartbeatsPaused('c')).toBe(true);
    expect(r.heartbeatsPaused('made-later')).toBe(true);
    expect(r.clustersCovered('latency', ['a', 'b', 'c'])).toBe(2);
    expect(r.clustersCovered('pause_heartbeats', ['a', 'b', 'c'])).toBe(3);
    expect(r.clustersCovered('bandwidth', ['a', 'b', 'c'])).toBe(0);
  });

  it('takes the most severe of overlapping faults of a kind', () => {
    const r = new FaultRegistry();
    r.add('latency', undefined, { ms: 100 }, undefined);
    r.add('latency', ['a'], { ms: 300 }, undefined);
    r.add('bandwidth', undefined, { bytesPerSecond: 50_000 }, undefined);
    const low = r.add('bandwidth', ['a'], { bytesPerSecond: 2048 }, undefined);
    r.add('api_errors', undefined, { rate: 0.1, code: 500 }, undefined);
    r.add('api_errors', ['a'], { rate: 0.9, code: 429 }, undefined);
    expect(r.latencyMs('a')).toBe(300);
    expect(r.latencyMs('b')).toBe(100);
    expect(r.bandwidth('a')).toBe(2048);
    expect(r.bandwidth('b')).toBe(50_000);
    expect(r.apiErrors('a')).toMatchObject({ rate: 0.9, code: 429 });
    expect(r.apiErrors('b')).toMatchObject({ rate: 0.1, code: 500 });
    r.remove(low.id);
    expect(r.bandwidth('a')).toBe(50_000);
  });

  it('removes a fault when it ends and says so', () => {
    vi.useFakeTimers();
    const r = new FaultRegistry();
    const changes: number[] = [];
    r.on('changed', () => changes.push(r.list().length));
    const f = r.add('latency', undefined, { ms: 50 }, 2);
    expect(toActiveFault(f)).toMatchObject({ kind: 'latency', clusters: 'all', parameters: { ms: 50 } });
    expect(toActiveFault(f).until).not.toBeNull();
    r.add('bandwidth', ['x'], { bytesPerSecond: 4096 }, undefined);
    vi.advanceTimersByTime(1999);
    expect(r.latencyMs('any')).toBe(50);
    vi.advanceTimersByTime(2);
    expect(r.latencyMs('any')).toBe(0);
    expect(r.list().map((x) => x.kind)).toEqual(['bandwidth']);
    expect(changes).toEqual([1, 2, 1]);
    expect(r.clear()).toHaveLength(1);
    expect(changes).toEqual([1, 2, 1, 0]);
    r.stop();
  });
});

describe('decideApiError', () => {
  it('errs at the rate with the fault code, saying the fault was injected', () => {
    const fault = { id: 'f-12345678', rate: 0.25, code: 503 as const };
    expect(decideApiError(fault, () => 0.3)).toBeUndefined();
    const e = decideApiError(fault, () => 0.2);
    expect(e?.code).toBe(503);
    expect(e?.message).toMatch(/injected fault f-12345678/);
    expect(decideApiError(undefined, () => 0)).toBeUndefined();
    expect(decideApiError({ ...fault, rate: 1 }, () => 0.999)).toBeDefined();
  });
});
