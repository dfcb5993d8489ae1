import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseSeedTemplate } from './parse-seed-template';
import { TemplateError } from './template-error';

const SEED_YAML = `
nodes:
  - name: node1
    roles: [control-plane, etcd]
    version: v1.28.5
    internalIp: 192.168.1.10
    osImage: Ubuntu 20.04
    kernel: 5.4.0-150-generic
    containerRuntime: containerd://1.6.21
    capacity: {cpu: 4, memory: 8Gi, pods: 110}
    allocatable: {cpu: 3800m, memory: 7Gi, pods: 110}
  - Name: node2
    Roles: worker
    KernelVersion: 6.1.0
    ContainerRuntimeVersion: docker://24.0.7
    Capacity: {cpu: "8", memory: 16Gi, pods: "110"}
pods:
  - name: web
    namespace: default
    node: node2
    labels: {app: web}
  - name: api
    node: node1
    resources:
      requests: {cpu: 250m, memory: 256Mi}
      limits: {cpu: 500m}
  - name: job
    namespace: batch
services:
  - name: web
    namespace: default
    type: nodeport
    ports: [{port: 80, targetPort: 8080, name: http}]
    selector: {app: web}
  - name: dns
    ports: [53]
configmaps:
  - name: settings
    data: {mode: fast, retries: 3}
secrets:
  - name: creds
    type: kubernetes.io/basic-auth
    data: {username: YWRtaW4=, password: plain-text}
    stringData: {token: abc}
deployments:
  - name: worker
    replicas: 3
    containers:
      - name: app
        image: busybox:1.36
        resources: {requests: {cpu: 100m}}
`;

describe('parseSeedTemplate', () => {
  const template = parseSeedTemplate(parseYaml(SEED_YAML), 'cluster');

  it('reads nodes with the seed spellings and fills defaults', () => {
    expect(template.name).toBe('cluster');
    expect(template.nodes[0]).toEqual({
      name: 'node1',
      roles: ['control-plane', 'etcd'],
      version: 'v1.28.5',
      internalIP: '192.168.1.10',
      osImage: 'Ubuntu 20.04',
      kernelVersion: '5.4.0-150-generic',
      containerRuntimeVersion: 'containerd://1.6.21',
      architecture: 'amd64',
      operatingSystem: 'linux',
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '3800m', memory: '7Gi', pods: '110' },
      labels: {},
    });
    const node2 = template.nodes[1];
    expect(node2?.name).toBe('node2');
    expect(node2?.roles).toEqual(['worker']);
    expect(node2?.kernelVersion).toBe('6.1.0');
    expect(node2?.containerRuntimeVersion).toBe('docker://24.0.7');
    expect(node2?.internalIP).toBe('10.0.0.3');
    // Allocatable left out is derived from capacity like a kubelet reports it.
    // cpu less 5%, memory less 12% rounded to Mi (16Gi - 1967Mi).
    expect(node2?.allocatable).toEqual({ cpu: '7600m', memory: '14417Mi', pods: '110' });
  });

  it('gives bare pods one pause container and reads pod-level resources', () => {
    expect(template.pods[0]).toEqual({
      name: 'web',
      namespace: 'default',
      node: 'node2',
      labels: { app: 'web' },
      containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10', requests: {}, limits: {} }],
    });
    expect(template.pods[1]?.namespace).toBe('default');
    expect(template.pods[1]?.containers).toEqual([
      {
        name: 'main',
        image: 'registry.k8s.io/pause:3.10',
        requests: { cpu: '250m', memory: '256Mi' },
        limits: { cpu: '500m' },
      },
    ]);
    // A pod without a node is placed round-robin (third pod -> first node).
    expect(template.pods[2]?.node).toBe('node1');
  });

  it('reads services with case-insensitive types and port shorthand', () => {
    expect(template.services[0]).toEqual({
      name: 'web',
      namespace: 'default',
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    });
    expect(template.services[1]?.type).toBe('ClusterIP');
    expect(template.services[1]?.ports).toEqual([{ port: 53, targetPort: 53, protocol: 'TCP' }]);
  });

  it('reads configmaps and secrets, decoding base64 data only when it is text', () => {
    expect(template.configMaps).toEqual([
      { name: 'settings', namespace: 'default', data: { mode: 'fast', retries: '3' } },
    ]);
    expect(template.secrets).toEqual([
      {
        name: 'creds',
        namespace: 'default',
        type: 'kubernetes.io/basic-auth',
        stringData: { username: 'admin', password: 'plain-text', token: 'abc' },
      },
    ]);
  });

  it('reads deployments and defaults their labels to app: name', () => {
    expect(template.deployments).toEqual([
      {
        name: 'worker',
        namespace: 'default',
        replicas: 3,
        labels: { app: 'worker' },
        containers: [{ name: 'app', image: 'busybox:1.36', requests: { cpu: '100m' }, limits: {} }],
      },
    ]);
  });

  it('accepts JSON and an empty document section', () => {
    const fromJson = parseSeedTemplate(JSON.parse('{"nodes":[{"name":"a"}],"pods":null}'));
    expect(fromJson.nodes).toHaveLength(1);
    expect(fromJson.nodes[0]?.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(fromJson.pods).toEqual([]);
  });

  it('reports every shape problem with its field', () => {
    const bad = {
      nodes: [{ name: 'n1', capacity: 'big', roles: { a: 1 } }, 'node2'],
      pods: { name: 'x' },
      services: [{ name: 's', type: 'Ingress', ports: [{ port: 'eighty', protocol: 'HTTP' }] }],
      deployments: [{ name: 'd', replicas: 1.5 }],
    };
    try {
      parseSeedTemplate(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      const fields = (error as TemplateError).problems.map((problem) => problem.field);
      expect(fields).toEqual(
        expect.arrayContaining([
          'nodes[0].capacity',
          'nodes[0].roles',
          'nodes[1]',
          'pods',
          'services[0].type',
          'services[0].ports[0].port',
          'services[0].ports[0].protocol',
          'deployments[0].replicas',
        ]),
      );
    }
  });

  it('rejects a document that is not a mapping', () => {
    expect(() => parseSeedTemplate(['nodes'])).toThrow(TemplateError);
  });
});
