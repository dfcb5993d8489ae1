import { describe, expect, it } from 'vitest';
import { describeFaultParameters, injectFaultProblem } from './faults';

describe('injectFaultProblem', () => {
  it('accepts each kind with its fields', () => {
    for (const r of [
      { kind: 'latency', ms: 200 },
      { kind: 'latency', ms: 1, clusters: ['a'], seconds: 30 },
      { kind: 'bandwidth', bytesPerSecond: 65_536 },
      { kind: 'api_errors', rate: 1, code: 429 },
      { kind: 'api_errors', rate: 0.05 },
      { kind: 'pause_heartbeats' },
      { kind: 'pause_heartbeats', clusters: ['a', 'b'], seconds: 0.5 },
      { kind: 'drop_tunnels' },
      { kind: 'refuse_connects', seconds: 10 },
      { kind: 'storm', ratePerSecond: 2, seconds: 3 },
    ])
      expect(injectFaultProblem(r), JSON.stringify(r)).toBeUndefined();
  });

  it('names the rule a bad request breaks', () => {
    expect(injectFaultProblem(null)).toMatch(/must be an object/);
    expect(injectFaultProblem({ kind: 'meteor' })).toMatch(/"kind" must be one of latency, bandwidth/);
    expect(injectFaultProblem({ kind: 'latency' })).toMatch(/"ms" must be a whole number from 1 to 60000/);
    expect(injectFaultProblem({ kind: 'latency', ms: 1.5 })).toMatch(/"ms" must be a whole number.*got 1.5/);
    expect(injectFaultProblem({ kind: 'latency', ms: 100, seconds: 0 })).toMatch(
      /"seconds" must be a number above 0/,
    );
    expect(injectFaultProblem({ kind: 'latency', ms: 100, rate: 1 })).toMatch(
      /unknown field "rate" for a latency fault/,
    );
    expect(injectFaultProblem({ kind: 'bandwidth', bytesPerSecond: 10 })).toMatch(/from 1024/);
    expect(injectFaultProblem({ kind: 'api_errors', rate: 0 })).toMatch(
      /"rate" must be a number above 0 and at most 1/,
    );
    expect(injectFaultProblem({ kind: 'api_errors', rate: 1.5 })).toMatch(/got 1.5/);
    expect(injectFaultProblem({ kind: 'api_errors', rate: 1, code: 404 })).toMatch(
      /"code" must be one of 500, 503, 429/,
    );
    expect(injectFaultProblem({ kind: 'pause_heartbeats', clusters: [] })).toMatch(/at least one cluster/);
    expect(injectFaultProblem({ kind: 'pause_heartbeats', clusters: 'a' })).toMatch(/list of cluster names/);
    expect(injectFaultProblem({ kind: 'refuse_connects' })).toMatch(/"seconds"/);
    expect(injectFaultProblem({ kind: 'storm', ratePerSecond: 0, seconds: 1 })).toMatch(/"ratePerSecond"/);
  });

  it('describes parameters in words', () => {
    expect(describeFaultParameters('latency', { ms: 250 })).toBe('+250 ms per round trip');
    expect(describeFaultParameters('bandwidth', { bytesPerSecond: 65_536 })).toMatch(/^64 KiB\/s/);
    expect(describeFaultParameters('api_errors', { rate: 0.5, code: 429 })).toBe(
      '50% of requests answer 429',
    );
  });
});
