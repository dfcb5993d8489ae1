/**
 * The declarative fleet: clusters the agent keeps because a spec file names
 * them (`--fleet spec.yaml`), as opposed to clusters made over REST or the UI.
 */
import type { ClusterStatus } from './cluster';

/** The agent's view of its fleet spec and how far it has got (GET /fleet, `fleet.status`). */
export interface FleetStatus {
  /** False when no spec is configured (Fleet / --fleet). */
  configured: boolean;
  /** The spec file. */
  path?: string;
  shard: { index: number; count: number; agentId: string };
  /** Clusters the spec names in all, over every shard. */
  specClusters: number;
  /** The spec's clusters this shard owns. */
  owned: number;
  /** This shard's fleet clusters per status. */
  byStatus: Partial<Record<ClusterStatus, number>>;
  /** Fleet clusters being deleted because the spec no longer names them. */
  removing: number;
  /** Owned clusters the fleet leaves alone, and why (a same-named cluster made over REST, objects owned by another agent). */
  conflicts: { name: string; reason: string }[];
  /** Owned clusters whose spec template differs from the one they were made from (not re-made: delete them to apply it). */
  drifted: string[];
  /** When the spec in force was read and applied. */
  appliedAt?: string;
  /** Why the newest version of the file was refused (the spec before it stays in force); absent when it applied. */
  error?: string;
}
