/**
 * The seed's cluster.yaml format (nodes, pods, services, configmaps, secrets,
 * deployments) read into a ClusterTemplate. Reading is lenient about spelling
 * and fills defaults; it reports only shape errors (a list that is not a
 * list). Whether the values make sense is validate-template's job.
 */

import type {
  ClusterTemplate,
  TemplateConfigMap,
  TemplateContainer,
  TemplateDeployment,
  TemplateNode,
  TemplatePod,
  TemplateSecret,
  TemplateService,
  TemplateServicePort,
} from './cluster-template';
import {
  DEFAULT_CONTAINER_IMAGE,
  DEFAULT_NODE_CAPACITY,
  DEFAULT_NODE_INFO,
  defaultInternalIP,
  kubeletAllocatable,
} from './node-defaults';
import { throwIfProblems } from './template-error';
import { InputReader, getField, isRecord, type InputRecord } from './template-input';

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

/** The one container of a pod or deployment written without a containers list. */
const DEFAULT_CONTAINER_NAME = 'main';

/** Finds `wanted` among `choices` ignoring case ("clusterip" -> "ClusterIP"). */
function matchChoice<T extends string>(choices: readonly T[], wanted: string): T | undefined {
  return choices.find((choice) => choice.toLowerCase() === wanted.toLowerCase());
}

/** Each list entry must be a mapping; others are reported and skipped. */
function entries(reader: InputReader, field: string, value: unknown): [string, InputRecord][] {
  const result: [string, InputRecord][] = [];
  reader.list(field, value).forEach((item, index) => {
    const path = `${field}[${index}]`;
    if (isRecord(item)) result.push([path, item]);
    else reader.problem(path, 'must be a mapping');
  });
  return result;
}

function readNode(reader: InputReader, path: string, raw: InputRecord, index: number): TemplateNode {
  const capacityInput = getField(raw, 'capacity');
  const capacity = {
    ...DEFAULT_NODE_CAPACITY,
    ...reader.resourceList(`${path}.capacity`, capacityInput),
  };
  const allocatableInput = getField(raw, 'allocatable');
  return {
    name: reader.string(`${path}.name`, getField(raw, 'name'), `node${index + 1}`),
    roles: reader.stringList(`${path}.roles`, getField(raw, 'roles', 'role'), ['worker']),
    version: reader.string(
      `${path}.version`,
      getField(raw, 'version', 'kubeletVersion'),
      DEFAULT_NODE_INFO.version,
    ),
    internalIP: reader.string(
      `${path}.internalIP`,
      getField(raw, 'internalIP', 'ip', 'address'),
      defaultInternalIP(index),
    ),
    osImage: reader.string(`${path}.osImage`, getField(raw, 'osImage', 'os'), DEFAULT_NODE_INFO.osImage),
    kernelVersion: reader.string(
      `${path}.kernelVersion`,
      getField(raw, 'kernelVersion', 'kernel'),
      DEFAULT_NODE_INFO.kernelVersion,
    ),
    containerRuntimeVersion: reader.string(
      `${path}.containerRuntimeVersion`,
      getField(raw, 'containerRuntimeVersion', 'containerRuntime', 'runtime'),
      DEFAULT_NODE_INFO.containerRuntimeVersion,
    ),
    architecture: reader.string(
      `${path}.architecture`,
      getField(raw, 'architecture', 'arch'),
      DEFAULT_NODE_INFO.architecture,
    ),
    operatingSystem: reader.string(
      `${path}.operatingSystem`,
      getField(raw, 'operatingSystem'),
      DEFAULT_NODE_INFO.operatingSystem,
    ),
    capacity,
    // Allocatable the template leaves out is derived from capacity like a kubelet would.
    allocatable: {
      ...kubeletAllocatable(capacity),
      ...reader.resourceList(`${path}.allocatable`, allocatableInput),
    },
    labels: reader.stringMap(`${path}.labels`, getField(raw, 'labels')),
  };
}

function readResources(reader: InputReader, path: string, raw: InputRecord): Omit<TemplateContainer, 'name'> {
  const resources = reader.record(`${path}.resources`, getField(raw, 'resources'));
  return {
    image: reader.string(`${path}.image`, getField(raw, 'image'), DEFAULT_CONTAINER_IMAGE),
    // Both the Kubernetes nesting (resources.requests) and a flat requests: are accepted.
    requests: {
      ...reader.resourceList(`${path}.resources.requests`, getField(resources, 'requests')),
      ...reader.resourceList(`${path}.requests`, getField(raw, 'requests')),
    },
    limits: {
      ...reader.resourceList(`${path}.resources.limits`, getField(resources, 'limits')),
      ...reader.resourceList(`${path}.limits`, getField(raw, 'limits')),
    },
  };
}

/**
 * Containers of a pod or deployment: an explicit list, or one container built
 * from the owner's own image/resources/requests/limits (the seed had no
 * containers at all, so a bare pod gets one pause container).
 */
function readContainers(reader: InputReader, path: string, raw: InputRecord): TemplateContainer[] {
  const listed = getField(raw, 'containers');
  if (listed === undefined || listed === null) {
    return [{ name: DEFAULT_CONTAINER_NAME, ...readResources(reader, path, raw) }];
  }
  return entries(reader, `${path}.containers`, listed).map(([containerPath, container], index) => ({
    name: reader.string(
      `${containerPath}.name`,
      getField(container, 'name'),
      index === 0 ? DEFAULT_CONTAINER_NAME : `${DEFAULT_CONTAINER_NAME}${index + 1}`,
    ),
    ...readResources(reader, containerPath, container),
  }));
}

function readPod(
  reader: InputReader,
  path: string,
  raw: InputRecord,
  index: number,
  nodes: TemplateNode[],
): TemplatePod {
  // A pod without a node goes round-robin, which is what a scheduler would roughly do.
  const fallbackNode = nodes.length > 0 ? (nodes[index % nodes.length]?.name ?? '') : '';
  return {
    name: reader.string(`${path}.name`, getField(raw, 'name'), `pod${index + 1}`),
    namespace: reader.string(`${path}.namespace`, getField(raw, 'namespace'), 'default'),
    node: reader.string(`${path}.node`, getField(raw, 'node', 'nodeName'), fallbackNode),
    labels: reader.stringMap(`${path}.labels`, getField(raw, 'labels')),
    containers: readContainers(reader, path, raw),
  };
}

function readPort(reader: InputReader, path: string, raw: unknown): TemplateServicePort {
  // "ports: [80, 443]" is shorthand for same-numbered target ports over TCP.
  const record = isRecord(raw) ? raw : { port: raw };
  const port = reader.integer(`${path}.port`, getField(record, 'port'), 0);
  const protocolText = reader.string(`${path}.protocol`, getField(record, 'protocol'), 'TCP');
  const protocol = matchChoice(PROTOCOLS, protocolText);
  if (!protocol)
    reader.problem(`${path}.protocol`, `"${protocolText}" must be one of ${PROTOCOLS.join(', ')}`);
  const name = getField(record, 'name');
  return {
    ...(name === undefined || name === null ? {} : { name: reader.string(`${path}.name`, name, '') }),
    port,
    targetPort: reader.integer(`${path}.targetPort`, getField(record, 'targetPort'), port),
    protocol: protocol ?? 'TCP',
  };
}

function readService(reader: InputReader, path: string, raw: InputRecord, index: number): TemplateService {
  const typeText = reader.string(`${path}.type`, getField(raw, 'type'), 'ClusterIP');
  const type = matchChoice(SERVICE_TYPES, typeText);
  if (!type) reader.problem(`${path}.type`, `"${typeText}" must be one of ${SERVICE_TYPES.join(', ')}`);
  return {
    name: reader.string(`${path}.name`, getField(raw, 'name'), `service${index + 1}`),
    namespace: reader.string(`${path}.namespace`, getField(raw, 'namespace'), 'default'),
    type: type ?? 'ClusterIP',
    selector: reader.stringMap(`${path}.selector`, getField(raw, 'selector')),
    ports: reader
      .list(`${path}.ports`, getField(raw, 'ports'))
      .map((port, portIndex) => readPort(reader, `${path}.ports[${portIndex}]`, port)),
  };
}

function readConfigMap(
  reader: InputReader,
  path: string,
  raw: InputRecord,
  index: number,
): TemplateConfigMap {
  return {
    name: reader.string(`${path}.name`, getField(raw, 'name'), `configmap${index + 1}`),
    namespace: reader.string(`${path}.namespace`, getField(raw, 'namespace'), 'default'),
    data: reader.stringMap(`${path}.data`, getField(raw, 'data')),
  };
}

/** Printable UTF-8 text without control characters other than tab and newlines. */
function looksLikeText(bytes: Buffer): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  // eslint-disable-next-line no-control-regex
  return !text.includes('\uFFFD') && !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text);
}

/**
 * A Secret's `data` is base64 in Kubernetes, but hand-written seed files often
 * hold plain text there. A value is decoded only when it is canonical base64
 * of readable text; anything else is taken literally.
 */
function decodeSecretValue(value: string): string {
  if (value === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return value;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value || !looksLikeText(bytes)) return value;
  return bytes.toString('utf8');
}

function readSecret(reader: InputReader, path: string, raw: InputRecord, index: number): TemplateSecret {
  const data = reader.stringMap(`${path}.data`, getField(raw, 'data'));
  const decoded = Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, decodeSecretValue(value)]),
  );
  return {
    name: reader.string(`${path}.name`, getField(raw, 'name'), `secret${index + 1}`),
    namespace: reader.string(`${path}.namespace`, getField(raw, 'namespace'), 'default'),
    type: reader.string(`${path}.type`, getField(raw, 'type'), 'Opaque'),
    // stringData wins over data for the same key, as the API server merges them.
    stringData: { ...decoded, ...reader.stringMap(`${path}.stringData`, getField(raw, 'stringData')) },
  };
}

function readDeployment(
  reader: InputReader,
  path: string,
  raw: InputRecord,
  index: number,
): TemplateDeployment {
  const name = reader.string(`${path}.name`, getField(raw, 'name'), `deployment${index + 1}`);
  const labels = reader.stringMap(`${path}.labels`, getField(raw, 'labels'));
  return {
    name,
    namespace: reader.string(`${path}.namespace`, getField(raw, 'namespace'), 'default'),
    replicas: reader.integer(`${path}.replicas`, getField(raw, 'replicas'), 1),
    // A Deployment needs a selector, which is built from these labels.
    labels: Object.keys(labels).length > 0 ? labels : { app: name },
    containers: readContainers(reader, path, raw),
  };
}

/**
 * Reads a parsed seed-format document (the object YAML/JSON parsing gave).
 * Throws TemplateError listing every shape problem found.
 */
export function parseSeedTemplate(input: unknown, name = 'custom'): ClusterTemplate {
  const reader = new InputReader();
  if (!isRecord(input)) {
    reader.problem('template', 'must be a mapping with nodes, pods, services, ...');
    throwIfProblems(reader.problems, name);
  }
  const root = isRecord(input) ? input : {};
  const nodes = entries(reader, 'nodes', getField(root, 'nodes')).map(([path, raw], index) =>
    readNode(reader, path, raw, index),
  );
  const template: ClusterTemplate = {
    name: reader.string('name', getField(root, 'name'), name),
    nodes,
    pods: entries(reader, 'pods', getField(root, 'pods')).map(([path, raw], index) =>
      readPod(reader, path, raw, index, nodes),
    ),
    services: entries(reader, 'services', getField(root, 'services')).map(([path, raw], index) =>
      readService(reader, path, raw, index),
    ),
    configMaps: entries(reader, 'configMaps', getField(root, 'configMaps', 'configs')).map(
      ([path, raw], index) => readConfigMap(reader, path, raw, index),
    ),
    secrets: entries(reader, 'secrets', getField(root, 'secrets')).map(([path, raw], index) =>
      readSecret(reader, path, raw, index),
    ),
    deployments: entries(reader, 'deployments', getField(root, 'deployments')).map(([path, raw], index) =>
      readDeployment(reader, path, raw, index),
    ),
  };
  throwIfProblems(reader.problems, template.name);
  return template;
}
