/**
 * The generator form of a template: a few numbers that expand into a whole
 * cluster, for scale tests where listing 1,500 pods by hand makes no sense.
 */

import type { ResourceList } from './cluster-template';

export type NodeSizeName = 'small' | 'medium' | 'large';

/** Named node sizes, roughly cloud instance shapes. */
export const NODE_SIZES: Readonly<Record<NodeSizeName, Readonly<ResourceList>>> = {
  small: { cpu: '2', memory: '4Gi', pods: '110' },
  medium: { cpu: '4', memory: '8Gi', pods: '110' },
  large: { cpu: '16', memory: '64Gi', pods: '250' },
};

export interface GeneratorRoles {
  /** Nodes carrying control-plane, taken from the front (node1, node2, ...). */
  controlPlane: number;
  /** Nodes carrying etcd, also from the front, so they share the control-plane nodes. */
  etcd: number;
  /** Nodes carrying worker, taken from the back; nodes left without any role are workers too. */
  worker: number;
}

export interface GeneratorWorkloads {
  deployments: number;
  /** Replicas of each deployment. */
  replicas: number;
  services: number;
  configMaps: number;
  secrets: number;
}

export interface GeneratorSpec {
  kind: 'generator';
  name: string;
  nodes: number;
  /**
   * Pods per node, counting deployment replicas: the cluster holds
   * nodes x podsPerNode pods, of which deployments x replicas come from
   * deployments and the rest are bare pods spread evenly over the nodes.
   */
  podsPerNode: number;
  nodeSize: ResourceList;
  podRequests: ResourceList;
  podLimits: ResourceList;
  roles: GeneratorRoles;
  workloads: GeneratorWorkloads;
  /** Namespaces the pods and workloads rotate through. */
  namespaces: string[];
}

export const DEFAULT_GENERATOR_NAMESPACES = ['default', 'kube-system', 'app-1', 'app-2', 'app-3'];
export const DEFAULT_POD_REQUESTS: Readonly<ResourceList> = { cpu: '100m', memory: '128Mi' };
export const DEFAULT_POD_LIMITS: Readonly<ResourceList> = { cpu: '200m', memory: '256Mi' };
