/**
 * A cluster template in its normalized form: everything provisioning needs,
 * already validated and expanded (a generator template becomes this too).
 * Names here are the template's own; provisioning derives per-cluster names.
 */

/** Kubernetes resource quantities as strings, e.g. {cpu: "4", memory: "8Gi", pods: "110"}. */
export type ResourceList = Record<string, string>;

export interface TemplateNode {
  /** Suffix of the node name: node `<cluster>-<name>`. */
  name: string;
  /** e.g. ["control-plane", "etcd"] or ["worker"]; become node-role.kubernetes.io/<role> labels. */
  roles: string[];
  /** kubelet version reported in nodeInfo, e.g. "v1.30.4". */
  version: string;
  internalIP: string;
  osImage: string;
  kernelVersion: string;
  containerRuntimeVersion: string;
  architecture: string;
  operatingSystem: string;
  capacity: ResourceList;
  allocatable: ResourceList;
  labels: Record<string, string>;
}

export interface TemplateContainer {
  name: string;
  image: string;
  requests: ResourceList;
  limits: ResourceList;
}

export interface TemplatePod {
  name: string;
  /** Cluster namespace name as the simulated cluster sees it, e.g. "default", "kube-system". */
  namespace: string;
  /** Template node name (TemplateNode.name) the pod is pinned to. */
  node: string;
  labels: Record<string, string>;
  containers: TemplateContainer[];
}

export interface TemplateServicePort {
  name?: string;
  port: number;
  targetPort: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface TemplateService {
  name: string;
  namespace: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  selector: Record<string, string>;
  ports: TemplateServicePort[];
}

export interface TemplateConfigMap {
  name: string;
  namespace: string;
  data: Record<string, string>;
}

export interface TemplateSecret {
  name: string;
  namespace: string;
  type: string;
  /** Plain-text values; provisioning base64-encodes them. */
  stringData: Record<string, string>;
}

export interface TemplateDeployment {
  name: string;
  namespace: string;
  replicas: number;
  labels: Record<string, string>;
  containers: TemplateContainer[];
}

export interface ClusterTemplate {
  /** Preset or file name, for display. */
  name: string;
  nodes: TemplateNode[];
  pods: TemplatePod[];
  services: TemplateService[];
  configMaps: TemplateConfigMap[];
  secrets: TemplateSecret[];
  deployments: TemplateDeployment[];
}

/** What a template adds up to, shown before creating (wizard) and checked by tests. */
export interface TemplateTotals {
  nodes: number;
  pods: number;
  capacity: ResourceList;
  allocatable: ResourceList;
  requests: ResourceList;
  limits: ResourceList;
}
