/** The main cluster: the one real (KWOK) Kubernetes cluster that hosts every simulated one. */

export type MainClusterProviderKind = 'kwokctl' | 'external';

export type MainClusterState =
  /** kwokctl has no cluster of that name yet. */
  | 'absent'
  | 'stopped'
  | 'starting'
  | 'running'
  /** Something is wrong; `message` says what and how to fix it. */
  | 'error';

export interface MainClusterInfo {
  provider: MainClusterProviderKind;
  name: string;
  state: MainClusterState;
  /** https://host:port of the apiserver, when known. */
  apiEndpoint?: string;
  /** Number of Node objects, when the apiserver answers. */
  nodeCount?: number;
  /** Kubernetes version the apiserver reports, when it answers. */
  kubeVersion?: string;
  message?: string;
  updatedAt: string;
}
