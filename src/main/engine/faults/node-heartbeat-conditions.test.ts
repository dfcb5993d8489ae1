import { describe, expect, it } from 'vitest';
import { notReadyStatusPatch, readyStatus, readyStatusPatch } from './node-heartbeat-conditions';

describe('node heartbeat conditions', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');
  const before = [
    { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: '2026-01-02T03:00:00Z' },
    { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' },
  ];

  it('writes what the node lifecycle controller writes after missed heartbeats', () => {
    const patch = notReadyStatusPatch(before, now) as {
      status: { conditions: ({ type: string; status: string } & Record<string, string>)[] };
    };
    const conditions = patch.status.conditions;
    expect(conditions.map((c) => c.type)).toEqual(['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']);
    expect(conditions[0]).toEqual({
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: '2026-01-02T03:00:00Z', // the last heartbeat is kept
      lastTransitionTime: '2026-01-02T03:04:05Z',
    });
    expect(readyStatus(conditions)).toBe('Unknown');
  });

  it('keeps the transition time of a condition already Unknown', () => {
    const unknown = [{ type: 'Ready', status: 'Unknown', lastTransitionTime: '2026-01-01T00:00:00Z' }];
    const patch = notReadyStatusPatch(unknown, now) as {
      status: { conditions: ({ type: string; status: string } & Record<string, string>)[] };
    };
    expect(patch.status.conditions[0]?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });

  it('posts Ready with a fresh heartbeat on resume', () => {
    const patch = readyStatusPatch(now) as {
      status: { conditions: ({ type: string; status: string } & Record<string, string>)[] };
    };
    expect(patch.status.conditions[0]).toMatchObject({
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      lastHeartbeatTime: '2026-01-02T03:04:05Z',
    });
    expect(readyStatus(patch.status.conditions)).toBe('True');
    expect(readyStatus(undefined)).toBeUndefined();
  });
});
