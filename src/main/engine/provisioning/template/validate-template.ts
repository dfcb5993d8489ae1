/**
 * Checks a template against what the API server and a kubelet would accept,
 * collecting every problem with the path of the field at fault.
 */

import { isIP } from 'node:net';
import type { ClusterTemplate, ResourceList, TemplateContainer, TemplatePod } from './cluster-template';
import type { GeneratorSpec } from './generator-spec';
import {
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelValue,
  isQualifiedName,
} from './kubernetes-names';
import { TemplateError, type TemplateProblem } from './template-error';
import {
  compareQuantities,
  formatQuantity,
  nodePodRequestsAndLimits,
  parseQuantity,
  tryParseQuantity,
} from '../quantity';

export { TemplateError, type TemplateProblem } from './template-error';

/** Bounds that keep one simulated cluster within what one engine can hold. */
export const TEMPLATE_LIMITS = {
  nodes: 5_000,
  /** Bare pods plus deployment replicas. */
  pods: 100_000,
  services: 10_000,
  configMaps: 10_000,
  secrets: 10_000,
  deployments: 10_000,
  containersPerPod: 20,
  portsPerService: 100,
  /** ConfigMaps and Secrets are capped at 1 MiB by the API server. */
  dataBytes: 1024 * 1024,
} as const;

/** Kubelet versions look like v1.31.4 (optionally with a suffix such as +rke2r1). */
const KUBELET_VERSION = /^v\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$/;

class ProblemList {
  readonly items: TemplateProblem[] = [];

  add(field: string, message: string): void {
    this.items.push({ field, message });
  }
}

function checkLabels(problems: ProblemList, field: string, labels: Record<string, string>): void {
  for (const [key, value] of Object.entries(labels)) {
    if (!isQualifiedName(key)) problems.add(`${field}`, `"${key}" is not a valid label key`);
    if (!isLabelValue(value)) problems.add(`${field}.${key}`, `"${value}" is not a valid label value`);
  }
}

function checkNamespace(problems: ProblemList, field: string, namespace: string): void {
  if (!isDns1123Label(namespace)) {
    problems.add(
      field,
      `"${namespace}" is not a valid namespace name (RFC 1123 label: a-z, 0-9, '-', at most 63)`,
    );
  }
}

/** Reports a name that breaks `rule` or repeats within its kind and namespace. */
function checkName(
  problems: ProblemList,
  field: string,
  name: string,
  rule: { test: (name: string) => boolean; describe: string },
  seen: Set<string>,
  scope = '',
): void {
  if (!rule.test(name)) problems.add(field, `"${name}" is not a valid name (${rule.describe})`);
  const key = `${scope}/${name}`;
  if (seen.has(key)) {
    problems.add(field, `duplicate name "${name}"${scope ? ` in namespace "${scope}"` : ''}`);
  }
  seen.add(key);
}

const SUBDOMAIN_RULE = {
  test: isDns1123Subdomain,
  describe: "RFC 1123 subdomain: a-z, 0-9, '-' and '.', at most 253",
};
const LABEL_RULE = { test: isDns1123Label, describe: "RFC 1123 label: a-z, 0-9, '-', at most 63" };
const SERVICE_RULE = {
  test: isDns1035Label,
  describe: "RFC 1035 label: starts with a-z, then a-z, 0-9, '-', at most 63",
};

/** Checks every value parses and is not negative; returns the parsed ones. */
function checkResourceList(problems: ProblemList, field: string, list: ResourceList): boolean {
  let valid = true;
  for (const [name, text] of Object.entries(list)) {
    const quantity = tryParseQuantity(text);
    if (!quantity) {
      problems.add(`${field}.${name}`, `"${text}" is not a valid quantity`);
      valid = false;
    } else if (quantity.nanos < 0n) {
      problems.add(`${field}.${name}`, `"${text}" must not be negative`);
      valid = false;
    }
  }
  return valid;
}

function checkNodes(problems: ProblemList, template: ClusterTemplate): boolean {
  let quantitiesValid = true;
  if (template.nodes.length === 0) problems.add('nodes', 'a cluster needs at least one node');
  if (template.nodes.length > TEMPLATE_LIMITS.nodes) {
    problems.add(
      'nodes',
      `${template.nodes.length} nodes is more than the limit of ${TEMPLATE_LIMITS.nodes}`,
    );
  }
  const seen = new Set<string>();
  template.nodes.forEach((node, index) => {
    const path = `nodes[${index}]`;
    checkName(problems, `${path}.name`, node.name, LABEL_RULE, seen);
    if (node.roles.length === 0) problems.add(`${path}.roles`, 'a node needs at least one role');
    node.roles.forEach((role, roleIndex) => {
      if (!isQualifiedName(role) || role.includes('/')) {
        problems.add(`${path}.roles[${roleIndex}]`, `"${role}" is not a valid role (it becomes a label key)`);
      }
    });
    if (!KUBELET_VERSION.test(node.version)) {
      problems.add(`${path}.version`, `"${node.version}" is not a kubelet version like v1.31.4`);
    }
    if (isIP(node.internalIP) === 0)
      problems.add(`${path}.internalIP`, `"${node.internalIP}" is not an IP address`);
    checkLabels(problems, `${path}.labels`, node.labels);
    const capacityValid = checkResourceList(problems, `${path}.capacity`, node.capacity);
    const allocatableValid = checkResourceList(problems, `${path}.allocatable`, node.allocatable);
    quantitiesValid &&= capacityValid && allocatableValid;
    for (const required of ['cpu', 'memory', 'pods']) {
      if (node.capacity[required] === undefined) problems.add(`${path}.capacity.${required}`, 'is required');
    }
    const pods = tryParseQuantity(node.capacity.pods ?? '');
    if (pods && pods.nanos % 1_000_000_000n !== 0n) {
      problems.add(`${path}.capacity.pods`, `"${node.capacity.pods}" must be a whole number`);
    }
    if (!capacityValid || !allocatableValid) return;
    for (const [name, text] of Object.entries(node.allocatable)) {
      const capacity = node.capacity[name];
      if (capacity === undefined) {
        problems.add(`${path}.allocatable.${name}`, `has no matching capacity.${name}`);
      } else if (compareQuantities(parseQuantity(text), parseQuantity(capacity)) > 0) {
        problems.add(`${path}.allocatable.${name}`, `"${text}" exceeds capacity "${capacity}"`);
      }
    }
  });
  return quantitiesValid;
}

function checkContainers(problems: ProblemList, path: string, containers: TemplateContainer[]): boolean {
  let quantitiesValid = true;
  if (containers.length === 0) problems.add(`${path}.containers`, 'needs at least one container');
  if (containers.length > TEMPLATE_LIMITS.containersPerPod) {
    problems.add(`${path}.containers`, `more than ${TEMPLATE_LIMITS.containersPerPod} containers`);
  }
  const seen = new Set<string>();
  containers.forEach((container, index) => {
    const containerPath = `${path}.containers[${index}]`;
    checkName(problems, `${containerPath}.name`, container.name, LABEL_RULE, seen);
    if (container.image.trim() === '') problems.add(`${containerPath}.image`, 'must not be empty');
    const requestsValid = checkResourceList(problems, `${containerPath}.requests`, container.requests);
    const limitsValid = checkResourceList(problems, `${containerPath}.limits`, container.limits);
    quantitiesValid &&= requestsValid && limitsValid;
    if (!requestsValid || !limitsValid) return;
    // The API server rejects a request above its limit.
    for (const [name, request] of Object.entries(container.requests)) {
      const limit = container.limits[name];
      if (limit !== undefined && compareQuantities(parseQuantity(request), parseQuantity(limit)) > 0) {
        problems.add(`${containerPath}.requests.${name}`, `"${request}" exceeds the limit "${limit}"`);
      }
    }
  });
  return quantitiesValid;
}

function checkPods(problems: ProblemList, template: ClusterTemplate): boolean {
  let quantitiesValid = true;
  const nodeNames = new Set(template.nodes.map((node) => node.name));
  const seen = new Set<string>();
  template.pods.forEach((pod, index) => {
    const path = `pods[${index}]`;
    checkNamespace(problems, `${path}.namespace`, pod.namespace);
    checkName(problems, `${path}.name`, pod.name, SUBDOMAIN_RULE, seen, pod.namespace);
    if (!nodeNames.has(pod.node))
      problems.add(`${path}.node`, `"${pod.node}" is not a node of this template`);
    checkLabels(problems, `${path}.labels`, pod.labels);
    quantitiesValid = checkContainers(problems, path, pod.containers) && quantitiesValid;
  });
  return quantitiesValid;
}

/**
 * A kubelet refuses pods beyond its allocatable (OutOfpods, OutOfcpu). Pods
 * are pinned to nodes with nodeName, bypassing the scheduler, so the template
 * itself must respect what each node can hold.
 */
function checkNodesHoldTheirPods(problems: ProblemList, template: ClusterTemplate): void {
  const podsByNode = new Map<string, TemplatePod[]>();
  for (const pod of template.pods) {
    const list = podsByNode.get(pod.node) ?? [];
    list.push(pod);
    podsByNode.set(pod.node, list);
  }
  template.nodes.forEach((node, index) => {
    const pods = podsByNode.get(node.name) ?? [];
    if (pods.length === 0) return;
    const { requests } = nodePodRequestsAndLimits(pods);
    for (const [name, requested] of Object.entries(requests)) {
      const allocatable = node.allocatable[name];
      if (allocatable === undefined) continue;
      if (compareQuantities(parseQuantity(requested), parseQuantity(allocatable)) > 0) {
        const what =
          name === 'pods' ? `${requested} pods are pinned` : `pods pinned here request ${requested}`;
        problems.add(
          `nodes[${index}].allocatable.${name}`,
          `${what} on "${node.name}" but only ${formatQuantity(parseQuantity(allocatable))} is allocatable`,
        );
      }
    }
  });
}

function checkServices(problems: ProblemList, template: ClusterTemplate): void {
  if (template.services.length > TEMPLATE_LIMITS.services) {
    problems.add('services', `more than the limit of ${TEMPLATE_LIMITS.services}`);
  }
  const seen = new Set<string>();
  template.services.forEach((service, index) => {
    const path = `services[${index}]`;
    checkNamespace(problems, `${path}.namespace`, service.namespace);
    checkName(problems, `${path}.name`, service.name, SERVICE_RULE, seen, service.namespace);
    checkLabels(problems, `${path}.selector`, service.selector);
    if (service.ports.length === 0) problems.add(`${path}.ports`, 'a service needs at least one port');
    if (service.ports.length > TEMPLATE_LIMITS.portsPerService) {
      problems.add(`${path}.ports`, `more than ${TEMPLATE_LIMITS.portsPerService} ports`);
    }
    const portNames = new Set<string>();
    service.ports.forEach((port, portIndex) => {
      const portPath = `${path}.ports[${portIndex}]`;
      for (const key of ['port', 'targetPort'] as const) {
        const value = port[key];
        if (!Number.isInteger(value) || value < 1 || value > 65535) {
          problems.add(`${portPath}.${key}`, `${value} is not a port number (1-65535)`);
        }
      }
      // With several ports the API server requires each to be named, uniquely.
      if (service.ports.length > 1 && !port.name)
        problems.add(`${portPath}.name`, 'is required when there are several ports');
      if (port.name !== undefined) {
        if (!isDns1123Label(port.name))
          problems.add(`${portPath}.name`, `"${port.name}" is not a valid port name`);
        if (portNames.has(port.name)) problems.add(`${portPath}.name`, `duplicate port name "${port.name}"`);
        portNames.add(port.name);
      }
    });
  });
}

function checkData(problems: ProblemList, field: string, data: Record<string, string>): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(data)) {
    if (!isConfigMapKey(key))
      problems.add(field, `"${key}" is not a valid key (a-z, A-Z, 0-9, '-', '_', '.')`);
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > TEMPLATE_LIMITS.dataBytes) problems.add(field, `${bytes} bytes exceeds the 1 MiB object limit`);
}

function checkConfigMapsAndSecrets(problems: ProblemList, template: ClusterTemplate): void {
  if (template.configMaps.length > TEMPLATE_LIMITS.configMaps) {
    problems.add('configMaps', `more than the limit of ${TEMPLATE_LIMITS.configMaps}`);
  }
  if (template.secrets.length > TEMPLATE_LIMITS.secrets) {
    problems.add('secrets', `more than the limit of ${TEMPLATE_LIMITS.secrets}`);
  }
  const seenConfigMaps = new Set<string>();
  template.configMaps.forEach((configMap, index) => {
    const path = `configMaps[${index}]`;
    checkNamespace(problems, `${path}.namespace`, configMap.namespace);
    checkName(problems, `${path}.name`, configMap.name, SUBDOMAIN_RULE, seenConfigMaps, configMap.namespace);
    checkData(problems, `${path}.data`, configMap.data);
  });
  const seenSecrets = new Set<string>();
  template.secrets.forEach((secret, index) => {
    const path = `secrets[${index}]`;
    checkNamespace(problems, `${path}.namespace`, secret.namespace);
    checkName(problems, `${path}.name`, secret.name, SUBDOMAIN_RULE, seenSecrets, secret.namespace);
    if (secret.type.trim() === '') problems.add(`${path}.type`, 'must not be empty');
    checkData(problems, `${path}.stringData`, secret.stringData);
  });
}

function checkDeployments(problems: ProblemList, template: ClusterTemplate): void {
  if (template.deployments.length > TEMPLATE_LIMITS.deployments) {
    problems.add('deployments', `more than the limit of ${TEMPLATE_LIMITS.deployments}`);
  }
  const seen = new Set<string>();
  template.deployments.forEach((deployment, index) => {
    const path = `deployments[${index}]`;
    checkNamespace(problems, `${path}.namespace`, deployment.namespace);
    checkName(problems, `${path}.name`, deployment.name, SUBDOMAIN_RULE, seen, deployment.namespace);
    if (!Number.isInteger(deployment.replicas) || deployment.replicas < 0) {
      problems.add(`${path}.replicas`, `${deployment.replicas} must be a whole number, 0 or more`);
    }
    if (Object.keys(deployment.labels).length === 0) {
      problems.add(`${path}.labels`, 'needs at least one label (it becomes the selector)');
    }
    checkLabels(problems, `${path}.labels`, deployment.labels);
    checkContainers(problems, path, deployment.containers);
  });
}

function checkPodTotal(problems: ProblemList, template: ClusterTemplate): void {
  const replicas = template.deployments.reduce(
    (sum, deployment) => sum + Math.max(0, deployment.replicas),
    0,
  );
  const total = template.pods.length + replicas;
  if (total > TEMPLATE_LIMITS.pods) {
    problems.add(
      'pods',
      `${total} pods (including deployment replicas) is more than the limit of ${TEMPLATE_LIMITS.pods}`,
    );
  }
}

/** Every problem with a template; empty when it is valid. */
export function templateProblems(template: ClusterTemplate): TemplateProblem[] {
  const problems = new ProblemList();
  const nodeQuantitiesValid = checkNodes(problems, template);
  const podQuantitiesValid = checkPods(problems, template);
  if (nodeQuantitiesValid && podQuantitiesValid) checkNodesHoldTheirPods(problems, template);
  checkPodTotal(problems, template);
  checkServices(problems, template);
  checkConfigMapsAndSecrets(problems, template);
  checkDeployments(problems, template);
  return problems.items;
}

/** Returns the template unchanged if valid; otherwise throws one TemplateError listing all problems. */
export function validateTemplate(template: ClusterTemplate): ClusterTemplate {
  const problems = templateProblems(template);
  if (problems.length > 0) throw new TemplateError(problems, template.name);
  return template;
}

/** Generator counts: whole numbers within bounds, checked before anything is expanded. */
export function generatorSpecProblems(spec: GeneratorSpec): TemplateProblem[] {
  const problems = new ProblemList();
  const count = (field: string, value: number, min: number, max: number): void => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.add(field, `${value} must be a whole number from ${min} to ${max}`);
    }
  };
  count('nodes', spec.nodes, 1, TEMPLATE_LIMITS.nodes);
  count('podsPerNode', spec.podsPerNode, 0, TEMPLATE_LIMITS.pods);
  // Role counts are bounded by the node count, which is only meaningful once valid.
  const nodesForRoles = Number.isInteger(spec.nodes) && spec.nodes >= 1 ? spec.nodes : TEMPLATE_LIMITS.nodes;
  count('roles.controlPlane', spec.roles.controlPlane, 0, nodesForRoles);
  count('roles.etcd', spec.roles.etcd, 0, nodesForRoles);
  count('roles.worker', spec.roles.worker, 0, nodesForRoles);
  count('workloads.deployments', spec.workloads.deployments, 0, TEMPLATE_LIMITS.deployments);
  count('workloads.replicas', spec.workloads.replicas, 0, TEMPLATE_LIMITS.pods);
  count('workloads.services', spec.workloads.services, 0, TEMPLATE_LIMITS.services);
  count('workloads.configMaps', spec.workloads.configMaps, 0, TEMPLATE_LIMITS.configMaps);
  count('workloads.secrets', spec.workloads.secrets, 0, TEMPLATE_LIMITS.secrets);
  const totalPods = spec.nodes * spec.podsPerNode;
  if (totalPods > TEMPLATE_LIMITS.pods) {
    problems.add(
      'podsPerNode',
      `${spec.nodes} nodes x ${spec.podsPerNode} pods is more than the limit of ${TEMPLATE_LIMITS.pods} pods`,
    );
  }
  const replicaPods = spec.workloads.deployments * spec.workloads.replicas;
  if (replicaPods > totalPods) {
    problems.add(
      'workloads',
      `${spec.workloads.deployments} deployments x ${spec.workloads.replicas} replicas exceed the ${totalPods} pods of nodes x podsPerNode`,
    );
  }
  if (spec.namespaces.length === 0) problems.add('namespaces', 'needs at least one namespace');
  spec.namespaces.forEach((namespace, index) => checkNamespace(problems, `namespaces[${index}]`, namespace));
  if (new Set(spec.namespaces).size !== spec.namespaces.length)
    problems.add('namespaces', 'lists a namespace twice');
  checkResourceList(problems, 'nodeSize', spec.nodeSize);
  for (const required of ['cpu', 'memory', 'pods']) {
    if (spec.nodeSize[required] === undefined) problems.add(`nodeSize.${required}`, 'is required');
  }
  const requestsValid = checkResourceList(problems, 'podRequests', spec.podRequests);
  const limitsValid = checkResourceList(problems, 'podLimits', spec.podLimits);
  if (requestsValid && limitsValid) {
    for (const [name, request] of Object.entries(spec.podRequests)) {
      const limit = spec.podLimits[name];
      if (limit !== undefined && compareQuantities(parseQuantity(request), parseQuantity(limit)) > 0) {
        problems.add(`podRequests.${name}`, `"${request}" exceeds the limit "${limit}"`);
      }
    }
  }
  return problems.items;
}
