/**
 * Expands a generator spec into a ClusterTemplate, deterministically: the
 * same spec always gives the same names, placements and addresses, so two
 * clusters made from one spec are identical and tests can count on it.
 */

import type {
  ClusterTemplate,
  ResourceList,
  TemplateConfigMap,
  TemplateContainer,
  TemplateDeployment,
  TemplateNode,
  TemplatePod,
  TemplateSecret,
  TemplateService,
} from './cluster-template';
import {
  DEFAULT_GENERATOR_NAMESPACES,
  DEFAULT_POD_LIMITS,
  DEFAULT_POD_REQUESTS,
  NODE_SIZES,
  type GeneratorSpec,
  type NodeSizeName,
} from './generator-spec';
import {
  DEFAULT_CONTAINER_IMAGE,
  DEFAULT_NODE_INFO,
  defaultInternalIP,
  kubeletAllocatable,
} from './node-defaults';
import { throwIfProblems } from './template-error';
import { InputReader, getField, isRecord } from './template-input';
import { generatorSpecProblems } from './validate-template';

/** Label bare generated pods carry, so generated services have something to select. */
const BARE_POD_APP = 'sim-pod';

function isNodeSizeName(name: string): name is NodeSizeName {
  return Object.hasOwn(NODE_SIZES, name);
}

function readNodeSize(reader: InputReader, value: unknown): ResourceList {
  if (value === undefined || value === null) return { ...NODE_SIZES.medium };
  if (typeof value === 'string') {
    const sizeName = value.trim().toLowerCase();
    if (isNodeSizeName(sizeName)) return { ...NODE_SIZES[sizeName] };
    reader.problem('nodeSize', `"${value}" is not a node size (${Object.keys(NODE_SIZES).join(', ')})`);
    return { ...NODE_SIZES.medium };
  }
  // A partial size fills the rest from medium, so {memory: 16Gi} is enough.
  return { ...NODE_SIZES.medium, ...reader.resourceList('nodeSize', value) };
}

/** Reads the generator form leniently; throws TemplateError naming every bad field. */
export function parseGeneratorSpec(input: unknown, fallbackName = 'generated'): GeneratorSpec {
  const reader = new InputReader();
  const root = reader.record('template', input);
  const nodes = reader.integer('nodes', getField(root, 'nodes'), 1);
  const roles = reader.record('roles', getField(root, 'roles'));
  const workloads = reader.record('workloads', getField(root, 'workloads'));
  const controlPlane = reader.integer(
    'roles.controlPlane',
    getField(roles, 'controlPlane', 'controlplane'),
    1,
  );
  const etcd = reader.integer('roles.etcd', getField(roles, 'etcd'), 1);
  // Workers default to every node not serving the control plane, and at least one.
  const defaultWorkers = Math.max(1, nodes - Math.max(controlPlane, etcd));
  const spec: GeneratorSpec = {
    kind: 'generator',
    name: reader.string('name', getField(root, 'name'), fallbackName),
    nodes,
    podsPerNode: reader.integer('podsPerNode', getField(root, 'podsPerNode'), 0),
    nodeSize: readNodeSize(reader, getField(root, 'nodeSize')),
    podRequests: {
      ...DEFAULT_POD_REQUESTS,
      ...reader.resourceList('podRequests', getField(root, 'podRequests')),
    },
    podLimits: { ...DEFAULT_POD_LIMITS, ...reader.resourceList('podLimits', getField(root, 'podLimits')) },
    roles: {
      controlPlane,
      etcd,
      worker: reader.integer('roles.worker', getField(roles, 'worker'), Math.min(nodes, defaultWorkers)),
    },
    workloads: {
      deployments: reader.integer('workloads.deployments', getField(workloads, 'deployments'), 0),
      replicas: reader.integer('workloads.replicas', getField(workloads, 'replicas'), 1),
      services: reader.integer('workloads.services', getField(workloads, 'services'), 0),
      configMaps: reader.integer('workloads.configMaps', getField(workloads, 'configMaps'), 0),
      secrets: reader.integer('workloads.secrets', getField(workloads, 'secrets'), 0),
    },
    namespaces: reader.stringList('namespaces', getField(root, 'namespaces'), [
      ...DEFAULT_GENERATOR_NAMESPACES,
    ]),
  };
  throwIfProblems(reader.problems, spec.name);
  return spec;
}

function nodeRoles(spec: GeneratorSpec, index: number): string[] {
  const roles: string[] = [];
  if (index < spec.roles.controlPlane) roles.push('control-plane');
  if (index < spec.roles.etcd) roles.push('etcd');
  if (index >= spec.nodes - spec.roles.worker || roles.length === 0) roles.push('worker');
  return roles;
}

function generateNodes(spec: GeneratorSpec): TemplateNode[] {
  const allocatable = kubeletAllocatable(spec.nodeSize);
  return Array.from({ length: spec.nodes }, (_, index) => ({
    name: `node${index + 1}`,
    roles: nodeRoles(spec, index),
    ...DEFAULT_NODE_INFO,
    internalIP: defaultInternalIP(index),
    capacity: { ...spec.nodeSize },
    allocatable: { ...allocatable },
    labels: {},
  }));
}

function podContainer(spec: GeneratorSpec): TemplateContainer {
  return {
    name: 'main',
    image: DEFAULT_CONTAINER_IMAGE,
    requests: { ...spec.podRequests },
    limits: { ...spec.podLimits },
  };
}

/**
 * Namespaces that hold workloads: kube-system is left to the bare pods (as in
 * a real cluster, where it holds system pods and few user workloads) unless it
 * is the only one.
 */
function workloadNamespaces(spec: GeneratorSpec): string[] {
  const userNamespaces = spec.namespaces.filter((namespace) => namespace !== 'kube-system');
  return userNamespaces.length > 0 ? userNamespaces : spec.namespaces;
}

function pick<T>(items: readonly T[], index: number): T {
  const item = items[index % items.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function generateDeployments(spec: GeneratorSpec): TemplateDeployment[] {
  const namespaces = workloadNamespaces(spec);
  return Array.from({ length: spec.workloads.deployments }, (_, index) => {
    const name = `workload-${index + 1}`;
    return {
      name,
      namespace: pick(namespaces, index),
      replicas: spec.workloads.replicas,
      labels: { app: name },
      containers: [podContainer(spec)],
    };
  });
}

/** The pods not coming from deployments, spread round-robin over nodes and namespaces. */
function generateBarePods(spec: GeneratorSpec, nodes: TemplateNode[]): TemplatePod[] {
  const count = spec.nodes * spec.podsPerNode - spec.workloads.deployments * spec.workloads.replicas;
  return Array.from({ length: Math.max(0, count) }, (_, index) => ({
    name: `pod-${index + 1}`,
    namespace: pick(spec.namespaces, index),
    node: pick(nodes, index).name,
    labels: { app: BARE_POD_APP },
    containers: [podContainer(spec)],
  }));
}

/** Services front the deployments in turn; without deployments they select the bare pods. */
function generateServices(spec: GeneratorSpec, deployments: TemplateDeployment[]): TemplateService[] {
  const namespaces = workloadNamespaces(spec);
  return Array.from({ length: spec.workloads.services }, (_, index) => {
    const deployment = deployments.length > 0 ? pick(deployments, index) : undefined;
    return {
      name: `service-${index + 1}`,
      namespace: deployment?.namespace ?? pick(namespaces, index),
      type: 'ClusterIP',
      selector: deployment ? { ...deployment.labels } : { app: BARE_POD_APP },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    };
  });
}

function generateConfigMaps(spec: GeneratorSpec): TemplateConfigMap[] {
  const namespaces = workloadNamespaces(spec);
  return Array.from({ length: spec.workloads.configMaps }, (_, index) => ({
    name: `config-${index + 1}`,
    namespace: pick(namespaces, index),
    data: { 'app.properties': `instance=${index + 1}\nlog.level=info\n` },
  }));
}

function generateSecrets(spec: GeneratorSpec): TemplateSecret[] {
  const namespaces = workloadNamespaces(spec);
  return Array.from({ length: spec.workloads.secrets }, (_, index) => ({
    name: `secret-${index + 1}`,
    namespace: pick(namespaces, index),
    type: 'Opaque',
    // Fixed, obviously fake values: deterministic, and nothing to leak.
    stringData: { username: `user-${index + 1}`, password: `not-a-secret-${index + 1}` },
  }));
}

/** Expands a spec; throws TemplateError if its counts are out of bounds (checked before expanding). */
export function expandGenerator(spec: GeneratorSpec): ClusterTemplate {
  throwIfProblems(generatorSpecProblems(spec), spec.name);
  const nodes = generateNodes(spec);
  const deployments = generateDeployments(spec);
  return {
    name: spec.name,
    nodes,
    pods: generateBarePods(spec, nodes),
    services: generateServices(spec, deployments),
    configMaps: generateConfigMaps(spec),
    secrets: generateSecrets(spec),
    deployments,
  };
}

/** Whether an input object is the generator form ({kind: generator, ...}). */
export function isGeneratorInput(input: unknown): boolean {
  if (!isRecord(input)) return false;
  const kind = getField(input, 'kind');
  return typeof kind === 'string' && kind.toLowerCase() === 'generator';
}
