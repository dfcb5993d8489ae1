/**
 * The main-cluster objects that make up a simulated cluster, built from its
 * template. Pure functions: provisioning applies them, reconcilers compare
 * against them, tests check them.
 */
import type { KubeObject } from '../kube/kube-object';
import type {
  ClusterTemplate,
  TemplateContainer,
  TemplateNode,
  TemplateDeployment,
} from './template/cluster-template';
import {
  anchorNamespace,
  CLUSTER_ID_LABEL,
  FRESH_NAMESPACES,
  hostNamespace,
  KWOK_NODE_ANNOTATION,
  LOGICAL_CLUSTER_LABEL,
  nodeName,
  CLUSTER_LABEL,
  AGENT_LABEL,
  CLUSTER_NAMESPACE_LABEL,
} from './main-cluster-names';

export type Manifest = KubeObject & Record<string, unknown>;

function clusterLabels(cluster: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, [CLUSTER_LABEL]: cluster };
}

/** Every namespace the cluster has from the start: a fresh cluster's, plus the template's. */
export function clusterNamespaceNames(template: ClusterTemplate): string[] {
  const names = new Set<string>(FRESH_NAMESPACES);
  for (const list of [
    template.pods,
    template.services,
    template.configMaps,
    template.secrets,
    template.deployments,
  ]) {
    for (const o of list) names.add(o.namespace);
  }
  return [...names];
}

export function anchorNamespaceManifest(cluster: string, templateName: string, owner?: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: anchorNamespace(cluster),
      labels: clusterLabels(cluster, {
        [LOGICAL_CLUSTER_LABEL]: cluster,
        ...(owner ? { [AGENT_LABEL]: owner } : {}),
      }),
      annotations: { 'scale-agent.io/template': templateName },
    },
  };
}

export function namespaceManifest(cluster: string, ns: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: hostNamespace(cluster, ns),
      labels: clusterLabels(cluster, { [CLUSTER_NAMESPACE_LABEL]: ns, [LOGICAL_CLUSTER_LABEL]: cluster }),
    },
  };
}

export function nodeLabels(cluster: string, node: TemplateNode): Record<string, string> {
  const labels: Record<string, string> = {
    ...node.labels,
    'kubernetes.io/hostname': nodeName(cluster, node.name),
    'kubernetes.io/os': node.operatingSystem,
    'kubernetes.io/arch': node.architecture,
    'beta.kubernetes.io/os': node.operatingSystem,
    'beta.kubernetes.io/arch': node.architecture,
    type: 'kwok',
    [CLUSTER_ID_LABEL]: cluster,
    [LOGICAL_CLUSTER_LABEL]: cluster,
  };
  for (const role of node.roles) labels[`node-role.kubernetes.io/${role}`] = 'true';
  return clusterLabels(cluster, labels);
}

/** The node object; no taints, so Rancher's agent Deployment can land on it. */
export function nodeManifest(cluster: string, node: TemplateNode): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: nodeName(cluster, node.name),
      labels: nodeLabels(cluster, node),
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {},
  };
}

/** The status fields the simulated cluster promises; reconcilers keep them. */
export function desiredNodeStatus(cluster: string, node: TemplateNode): NodeStatusFields {
  return {
    capacity: { ...node.capacity },
    allocatable: { ...node.allocatable },
    addresses: [
      { type: 'InternalIP', address: node.internalIP },
      { type: 'Hostname', address: nodeName(cluster, node.name) },
    ],
    nodeInfo: {
      architecture: node.architecture,
      operatingSystem: node.operatingSystem,
      osImage: node.osImage,
      kernelVersion: node.kernelVersion,
      containerRuntimeVersion: node.containerRuntimeVersion,
      kubeletVersion: node.version,
      kubeProxyVersion: node.version,
      machineID: '',
      systemUUID: '',
      bootID: '',
    },
  };
}

export interface NodeStatusFields {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  addresses: { type: string; address: string }[];
  nodeInfo: Record<string, string>;
}

/** The first status patch also says Ready, so the node is usable before kwok's first heartbeat. */
export function initialNodeStatusPatch(cluster: string, node: TemplateNode): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    status: {
      ...desiredNodeStatus(cluster, node),
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
    },
  };
}

function containerSpec(c: TemplateContainer): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  if (Object.keys(c.requests).length > 0) resources.requests = c.requests;
  if (Object.keys(c.limits).length > 0) resources.limits = c.limits;
  return { name: c.name, image: c.image, resources };
}

export function podManifests(cluster: string, template: ClusterTemplate): Manifest[] {
  return template.pods.map((p) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: hostNamespace(cluster, p.namespace),
      labels: clusterLabels(cluster, p.labels),
    },
    spec: {
      nodeName: nodeName(cluster, p.node),
      containers: p.containers.map(containerSpec),
      // KWOK pods never run: nothing to wait for when they are deleted.
      terminationGracePeriodSeconds: 0,
    },
  }));
}

export function deploymentManifest(cluster: string, d: TemplateDeployment): Manifest {
  const selector = { app: d.name, ...d.labels };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: d.name,
      namespace: hostNamespace(cluster, d.namespace),
      labels: clusterLabels(cluster, d.labels),
    },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: selector },
      template: {
        // The cluster label lets the engine bind these pods to the cluster's own nodes.
        metadata: { labels: clusterLabels(cluster, selector) },
        spec: { containers: d.containers.map(containerSpec), terminationGracePeriodSeconds: 0 },
      },
    },
  };
}

export function workloadManifests(cluster: string, template: ClusterTemplate): Manifest[] {
  const services: Manifest[] = template.services.map((s) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: s.name,
      namespace: hostNamespace(cluster, s.namespace),
      labels: clusterLabels(cluster),
    },
    spec: {
      type: s.type,
      selector: s.selector,
      ports: s.ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: p.port,
        targetPort: p.targetPort,
        protocol: p.protocol,
      })),
    },
  }));
  const configMaps: Manifest[] = template.configMaps.map((c) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: c.name,
      namespace: hostNamespace(cluster, c.namespace),
      labels: clusterLabels(cluster),
    },
    data: c.data,
  }));
  const secrets: Manifest[] = template.secrets.map((s) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: s.type,
    metadata: {
      name: s.name,
      namespace: hostNamespace(cluster, s.namespace),
      labels: clusterLabels(cluster),
    },
    data: Object.fromEntries(
      Object.entries(s.stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
  }));
  return [
    ...configMaps,
    ...secrets,
    ...services,
    ...template.deployments.map((d) => deploymentManifest(cluster, d)),
  ];
}

/** REST path of an object (collection when `name` is omitted). */
export function objectPath(o: Pick<Manifest, 'apiVersion' | 'kind' | 'metadata'>, withName = true): string {
  const resource = RESOURCES[o.kind ?? ''];
  if (!resource) throw new Error(`no REST path known for kind ${o.kind}`);
  const base = o.apiVersion === 'v1' ? '/api/v1' : `/apis/${o.apiVersion}`;
  const ns = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : '';
  return `${base}${ns}/${resource}${withName ? `/${o.metadata.name}` : ''}`;
}

const RESOURCES: Record<string, string> = {
  Namespace: 'namespaces',
  Node: 'nodes',
  Pod: 'pods',
  Service: 'services',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  Deployment: 'deployments',
  ServiceAccount: 'serviceaccounts',
};
