/**
 * What every side (engine, REST, renderer) knows about a simulated cluster.
 * Plain data only: this file is shared with the renderer.
 */
import type { BatchConcurrency } from './cluster-names';

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

/** One step of a cluster's life, for the details timeline. */
export interface ClusterStep {
  status: ClusterStatus;
  startedAt: string;
  endedAt?: string;
  /** Progress within the step, e.g. "12/20 objects". */
  progress?: string;
  error?: string;
}

export type TunnelState = 'stopped' | 'connecting' | 'connected' | 'waiting' | 'refused';

/** One of a cluster's two remotedialer sessions to Rancher. */
export interface TunnelInfo {
  state: TunnelState;
  /** When it entered this state. */
  since: string;
  /** Successful connects so far (1 + reconnects). */
  connects: number;
  /** Why the last attempt or session ended. */
  lastError?: string;
  /** Next attempt, while waiting. */
  retryAt?: string;
}

export interface ClusterRecord {
  /** The user's name; the cluster namespace is `cluster-<name>`. */
  name: string;
  status: ClusterStatus;
  /** Rancher's id (`c-xxxxx`) once imported; empty before. */
  rancherId: string;
  /** Rancher's state for it (active, unavailable, ...), as last read from Rancher's cluster list. */
  rancherState?: string;
  /** Why the cluster failed, when status is `failed`. */
  error?: string;
  /** A note on the current state, e.g. "local only: no Rancher configured". */
  message?: string;
  /** Template name: a preset, or "custom". */
  template: string;
  /** Batch that created it, if any. */
  batchId?: string;
  nodeCount: number;
  podCount: number;
  /** Created with Rancher import turned off; `clusters.import` imports it later. */
  localOnly?: boolean;
  /** Kept because the fleet spec names it: deleted when the spec stops naming it. */
  fleet?: boolean;
  /** Port of the cluster's local API endpoint on 127.0.0.1, once one was asked for. */
  localPort?: number;
  /** The main (cluster agent) and Steve tunnels, once imported into Rancher. */
  tunnels?: { main: TunnelInfo; steve: TunnelInfo };
  steps: ClusterStep[];
  createdAt: string;
  updatedAt: string;
}

/** Batched change to the cluster list, pushed to every UI. */
export interface ClustersChange {
  upserted: ClusterRecord[];
  removed: string[];
}

/** A preset name, or a template object (generator or seed cluster.yaml form). */
export type TemplateSpec = string | Record<string, unknown>;

export interface CreateClusterRequest {
  name: string;
  template?: TemplateSpec;
  /** Import into the configured Rancher (default true); false makes a local-only cluster. */
  importToRancher?: boolean;
}

export interface CreateBatchRequest {
  /** e.g. "scale-{001..500}"; or give prefix and count. */
  pattern?: string;
  prefix?: string;
  count?: number;
  /** First number (default 1). */
  start?: number;
  /** Zero-pad numbers to this width (default: width of the largest). */
  padding?: number;
  template?: TemplateSpec;
  /** Clusters provisioned at once: a number, or "auto" (the default: adapted to the main apiserver). */
  concurrency?: BatchConcurrency;
  /** Import the clusters into the configured Rancher (default true). */
  importToRancher?: boolean;
}

export type BatchState = 'running' | 'completed' | 'cancelling' | 'cancelled';

export interface BatchStatus {
  id: string;
  state: BatchState;
  template: string;
  concurrency: BatchConcurrency;
  total: number;
  /** Count of the batch's clusters per status. */
  byStatus: Partial<Record<ClusterStatus, number>>;
  /** Clusters that failed, with why. */
  failures: { name: string; error: string }[];
  /** Clusters removed by a cancel before they were made. */
  cancelled: string[];
  names: string[];
  createdAt: string;
  updatedAt: string;
  /** Clusters finished per second so far. */
  ratePerSecond: number;
  /** Seconds left at the current rate, when known. */
  etaSeconds?: number;
}
