/**
 * Which of a fleet's clusters this agent owns. Each of N shards owns a
 * cluster by rendezvous hashing of its name: every shard scores each
 * (shard, name) pair and the highest score wins. Any shard computes the
 * same answer alone, with no coordination, and going from N to N+1 shards
 * moves only about 1/(N+1) of the clusters (plain `hash mod N` would move
 * nearly all of them).
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../config/agent-config';

export class ShardAssignment {
  /**
   * The owner written on the clusters' anchor namespaces in the main
   * cluster, so agents sharing one main cluster can tell their clusters
   * apart: `shard-<index>` in a fleet of shards, `agent` for a lone agent.
   */
  readonly agentId: string;

  constructor(
    readonly index: number,
    readonly count: number,
  ) {
    this.agentId = count > 1 ? `shard-${index}` : 'agent';
  }

  /** The shard that owns a cluster name (0 when there is one shard). */
  static ownerOf(name: string, count: number): number {
    if (count <= 1) return 0;
    let best = 0;
    let bestScore = '';
    for (let i = 0; i < count; i++) {
      const score = createHash('sha256').update(`${i}/${name}`).digest('hex');
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }

  owns(name: string): boolean {
    return ShardAssignment.ownerOf(name, this.count) === this.index;
  }
}

/**
 * The shard of this process: ShardIndex when given, else the ordinal at the
 * end of a StatefulSet pod's name (POD_NAME, else HOSTNAME: `agent-2` is
 * shard 2), else 0. An index outside the count is a configuration error.
 */
export function resolveShard(
  config: { ShardIndex: number; ShardCount: number },
  env: NodeJS.ProcessEnv = process.env,
): ShardAssignment {
  const count = config.ShardCount;
  let index = config.ShardIndex;
  let source = 'ShardIndex';
  if (index < 0) {
    index = 0;
    if (count > 1) {
      const podName = env.POD_NAME || env.HOSTNAME || '';
      const ordinal = /-(\d+)$/.exec(podName);
      if (!ordinal) {
        throw new ConfigError(
          'shards',
          'ShardIndex',
          `ShardCount is ${count} but no shard index was given: set --shard-index (SCALE_AGENT_SHARD_INDEX), or run as a StatefulSet pod whose name (POD_NAME) ends in its ordinal`,
        );
      }
      index = Number(ordinal[1]);
      source = `the pod name ${JSON.stringify(podName)}`;
    }
  }
  if (index >= count) {
    throw new ConfigError(
      'shards',
      'ShardIndex',
      `shard index ${index} (from ${source}) is outside a fleet of ${count} shard${count === 1 ? '' : 's'}: it must be from 0 to ${count - 1}`,
    );
  }
  return new ShardAssignment(index, count);
}
