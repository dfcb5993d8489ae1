/**
 * What every side (engine, REST, renderer) knows about a simulated cluster.
 * Plain data only: this file is shared with the renderer.
 */

/** The seed's status words, in the order a cluster passes through them. */
export const CLUSTER_STATUSES = [
  'pending',
  'creating_backing',
  'getting_yaml',
  'applying_yaml',
  'populating_template',
  'waiting_service_account',
  'testing_api',
  'ready',
  'failed',
  'deleting',
] as const;

export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

export interface ClusterRecord {
  /** The user's name; the tenant namespace is `cluster-<name>`. */
  name: string;
  status: ClusterStatus;
  /** Rancher's id (`c-xxxxx`) once imported; empty before. */
  rancherId: string;
  /** Why the cluster failed, when status is `failed`. */
  error?: string;
  createdAt: string;
  updatedAt: string;
}

/** Batched change to the cluster list, pushed to every UI. */
export interface ClustersChange {
  upserted: ClusterRecord[];
  removed: string[];
}
