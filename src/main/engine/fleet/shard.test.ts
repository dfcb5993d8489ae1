import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/agent-config';
import { resolveShard, ShardAssignment } from './shard';

const names = Array.from({ length: 3000 }, (_, i) => `fleet-${String(i + 1).padStart(4, '0')}`);

describe('shard ownership', () => {
  it('gives every name exactly one owner, the same in every shard', () => {
    const shards = [0, 1, 2].map((i) => new ShardAssignment(i, 3));
    for (const name of names.slice(0, 300)) {
      expect(shards.filter((s) => s.owns(name))).toHaveLength(1);
      expect(ShardAssignment.ownerOf(name, 3)).toBe(ShardAssignment.ownerOf(name, 3));
    }
  });

  it('spreads names evenly', () => {
    const counts = [0, 0, 0];
    for (const name of names) counts[ShardAssignment.ownerOf(name, 3)]!++;
    for (const c of counts) expect(c / names.length).toBeGreaterThan(0.28);
    for (const c of counts) expect(c / names.length).toBeLessThan(0.39);
  });

  it('moves only about 1/(N+1) of the names when a shard is added, and only to the new shard', () => {
    let moved = 0;
    for (const name of names) {
      const before = ShardAssignment.ownerOf(name, 3);
      const after = ShardAssignment.ownerOf(name, 4);
      if (before !== after) {
        moved++;
        expect(after).toBe(3);
      }
    }
    expect(moved / names.length).toBeGreaterThan(0.2);
    expect(moved / names.length).toBeLessThan(0.3);
  });

  it('one shard owns everything and is the lone agent', () => {
    const lone = new ShardAssignment(0, 1);
    expect(names.every((n) => lone.owns(n))).toBe(true);
    expect(lone.agentId).toBe('agent');
    expect(new ShardAssignment(2, 3).agentId).toBe('shard-2');
  });
});

describe('resolveShard', () => {
  it('takes the index given, else the StatefulSet ordinal of POD_NAME or HOSTNAME', () => {
    expect(resolveShard({ ShardIndex: 1, ShardCount: 3 }, {}).index).toBe(1);
    expect(resolveShard({ ShardIndex: -1, ShardCount: 3 }, { POD_NAME: 'scale-agent-2' }).index).toBe(2);
    expect(resolveShard({ ShardIndex: -1, ShardCount: 3 }, { HOSTNAME: 'scale-agent-0' }).index).toBe(0);
    expect(resolveShard({ ShardIndex: -1, ShardCount: 1 }, {}).index).toBe(0);
  });

  it('refuses an index outside the fleet, or none when there are several shards', () => {
    expect(() => resolveShard({ ShardIndex: 3, ShardCount: 3 }, {})).toThrow(
      /shard index 3 \(from ShardIndex\) is outside a fleet of 3 shards: it must be from 0 to 2/,
    );
    expect(() => resolveShard({ ShardIndex: -1, ShardCount: 2 }, { POD_NAME: 'agent-5' })).toThrow(
      /shard index 5 \(from the pod name "agent-5"\)/,
    );
    expect(() => resolveShard({ ShardIndex: -1, ShardCount: 2 }, { HOSTNAME: 'laptop' })).toThrow(
      ConfigError,
    );
  });
});
