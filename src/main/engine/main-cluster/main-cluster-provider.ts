/**
 * A main cluster provider owns the one real Kubernetes API that hosts every
 * simulated cluster: a kwokctl-managed local cluster, or an external one.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { MainClusterInfo, MainClusterProviderKind } from '../../../shared/main-cluster';

export interface MainClusterProvider {
  readonly kind: MainClusterProviderKind;
  readonly name: string;
  /** Makes the cluster available: create if absent, start if stopped, reuse if running. */
  ensure(): Promise<MainClusterInfo>;
  /** Looks without changing anything. */
  status(): Promise<MainClusterInfo>;
  stop(): Promise<void>;
  delete(): Promise<void>;
  /** Admin credentials for the engine's own client. Throws when not available yet. */
  kubeConfig(): KubeConfig;
}
