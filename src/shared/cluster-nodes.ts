/** A simulated cluster's node as the details pane shows it (plain data, shared with the renderer). */
export interface ClusterNode {
  name: string;
  /** The Ready condition's status: "True", "False" or "Unknown". */
  ready: string;
  roles: string[];
  /** Kubernetes quantities, e.g. {cpu: "4", memory: "8Gi", pods: "110"}. */
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  /** Sums over the node's pods, as Rancher's agent annotates them. */
  requested: Record<string, string>;
  limits: Record<string, string>;
  pods: number;
}
