/**
 * Built-in templates, from a one-node smoke test to a 50-node cluster.
 * "default" is the seed's cluster.yaml default, with modest requests and
 * limits added so Rancher's "requested" figures are not all zero.
 */

import type { PresetName } from '../../../../shared/template-presets';
import type { ClusterTemplate } from './cluster-template';
import { expandGenerator, parseGeneratorSpec } from './generator';
import { parseSeedTemplate } from './parse-seed-template';

const DEFAULT_NODE = {
  version: 'v1.31.4',
  osImage: 'Ubuntu 22.04.5 LTS',
  kernel: '5.15.0-130-generic',
  containerRuntime: 'containerd://1.7.24',
  capacity: { cpu: '4', memory: '8Gi', pods: '110' },
  allocatable: { cpu: '3800m', memory: '7Gi', pods: '110' },
};

/** The seed's default in its own format, which also keeps that format's reader honest. */
const SEED_DEFAULT = {
  nodes: [
    { name: 'node1', roles: ['control-plane', 'etcd'], internalIP: '10.0.0.2', ...DEFAULT_NODE },
    { name: 'node2', roles: ['worker'], internalIP: '10.0.0.3', ...DEFAULT_NODE },
  ],
  pods: [
    {
      name: 'nginx',
      namespace: 'default',
      node: 'node2',
      labels: { app: 'nginx' },
      containers: [
        {
          name: 'nginx',
          image: 'nginx:1.27',
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
        },
      ],
    },
    {
      name: 'redis',
      namespace: 'default',
      node: 'node2',
      labels: { app: 'redis' },
      containers: [
        {
          name: 'redis',
          image: 'redis:7.4',
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
        },
      ],
    },
    {
      name: 'coredns',
      namespace: 'kube-system',
      node: 'node1',
      labels: { 'k8s-app': 'kube-dns' },
      containers: [
        {
          name: 'coredns',
          image: 'registry.k8s.io/coredns/coredns:v1.11.3',
          resources: { requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi' } },
        },
      ],
    },
    {
      name: 'metrics-server',
      namespace: 'kube-system',
      node: 'node1',
      labels: { 'k8s-app': 'metrics-server' },
      containers: [
        {
          name: 'metrics-server',
          image: 'registry.k8s.io/metrics-server/metrics-server:v0.7.2',
          resources: { requests: { cpu: '100m', memory: '200Mi' } },
        },
      ],
    },
  ],
  services: [
    {
      name: 'nginx',
      namespace: 'default',
      selector: { app: 'nginx' },
      ports: [{ port: 80, targetPort: 80 }],
    },
    {
      name: 'redis',
      namespace: 'default',
      selector: { app: 'redis' },
      ports: [{ port: 6379, targetPort: 6379 }],
    },
    {
      name: 'kube-dns',
      namespace: 'kube-system',
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, targetPort: 9153 },
      ],
    },
  ],
  configmaps: [
    { name: 'nginx-config', namespace: 'default', data: { 'index.html': '<h1>scale-cluster-agent</h1>\n' } },
  ],
  secrets: [{ name: 'redis-auth', namespace: 'default', stringData: { password: 'not-a-secret' } }],
  deployments: [],
};

const GENERATED_PRESETS = {
  tiny: {
    kind: 'generator',
    nodes: 1,
    podsPerNode: 5,
    nodeSize: 'small',
    roles: { controlPlane: 1, etcd: 1, worker: 1 },
    workloads: { services: 1, configMaps: 1, secrets: 1 },
    namespaces: ['default', 'kube-system'],
  },
  medium: {
    kind: 'generator',
    nodes: 10,
    podsPerNode: 15,
    nodeSize: 'medium',
    roles: { controlPlane: 3, etcd: 3 },
    workloads: { deployments: 5, replicas: 3, services: 10, configMaps: 20, secrets: 20 },
  },
  large: {
    kind: 'generator',
    nodes: 50,
    podsPerNode: 30,
    nodeSize: 'large',
    roles: { controlPlane: 3, etcd: 3 },
    workloads: { deployments: 20, replicas: 5, services: 40, configMaps: 100, secrets: 100 },
  },
} as const;

/** A fresh copy of a preset, so callers may change it freely. */
export function getPreset(name: PresetName): ClusterTemplate {
  if (name === 'default') return parseSeedTemplate(SEED_DEFAULT, 'default');
  return expandGenerator(parseGeneratorSpec(GENERATED_PRESETS[name], name));
}

export {
  PRESET_DESCRIPTIONS,
  PRESET_NAMES,
  isPresetName,
  type PresetName,
} from '../../../../shared/template-presets';
