import { describe, expect, it } from 'vitest';
import { expandGenerator, isGeneratorInput, parseGeneratorSpec } from './generator';
import { TemplateError } from './template-error';
import { templateTotals } from './template-totals';
import { templateProblems } from './validate-template';

function generate(input: Record<string, unknown>) {
  return expandGenerator(parseGeneratorSpec({ kind: 'generator', ...input }));
}

function problemFields(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof TemplateError) return error.problems.map((problem) => problem.field);
    throw error;
  }
  return [];
}

describe('generator', () => {
  const spec = {
    nodes: 4,
    podsPerNode: 5,
    nodeSize: { cpu: '8', memory: '16Gi', pods: '110' },
    podRequests: { cpu: '50m', memory: '64Mi' },
    podLimits: { cpu: '100m', memory: '128Mi' },
    roles: { controlPlane: 1, etcd: 1 },
    workloads: { deployments: 2, replicas: 2, services: 3, configMaps: 2, secrets: 1 },
    namespaces: ['default', 'kube-system', 'app-1'],
  };

  it('is deterministic', () => {
    expect(generate(spec)).toEqual(generate(spec));
  });

  it('expands to the requested counts, with replicas carved out of the pod budget', () => {
    const template = generate(spec);
    expect(template.nodes.map((node) => node.name)).toEqual(['node1', 'node2', 'node3', 'node4']);
    expect(template.pods).toHaveLength(16);
    expect(template.deployments).toHaveLength(2);
    expect(templateTotals(template).pods).toBe(20);
    expect(template.services).toHaveLength(3);
    expect(template.configMaps).toHaveLength(2);
    expect(template.secrets).toHaveLength(1);
    expect(templateProblems(template)).toEqual([]);
  });

  it('spreads bare pods evenly over nodes and namespaces', () => {
    const template = generate(spec);
    const perNode = new Map<string, number>();
    for (const pod of template.pods) perNode.set(pod.node, (perNode.get(pod.node) ?? 0) + 1);
    expect([...perNode.values()]).toEqual([4, 4, 4, 4]);
    expect(new Set(template.pods.map((pod) => pod.namespace))).toEqual(
      new Set(['default', 'kube-system', 'app-1']),
    );
    // Workloads stay out of kube-system.
    expect(template.deployments.map((deployment) => deployment.namespace)).toEqual(['default', 'app-1']);
  });

  it('assigns roles: control plane and etcd from the front, workers the rest', () => {
    const template = generate(spec);
    expect(template.nodes.map((node) => node.roles)).toEqual([
      ['control-plane', 'etcd'],
      ['worker'],
      ['worker'],
      ['worker'],
    ]);
    const single = generate({ nodes: 1, podsPerNode: 1 });
    expect(single.nodes[0]?.roles).toEqual(['control-plane', 'etcd', 'worker']);
  });

  it('derives allocatable below capacity', () => {
    const node = generate(spec).nodes[0];
    expect(node?.capacity).toEqual({ cpu: '8', memory: '16Gi', pods: '110' });
    expect(node?.allocatable).toEqual({ cpu: '7600m', memory: '14417Mi', pods: '110' });
    expect(generate({ nodes: 1, nodeSize: 'medium' }).nodes[0]?.allocatable).toEqual({
      cpu: '3800m',
      memory: '7Gi',
      pods: '110',
    });
  });

  it('gives pods the requested resources and services a selector that matches', () => {
    const template = generate(spec);
    expect(template.pods[0]?.containers[0]?.requests).toEqual({ cpu: '50m', memory: '64Mi' });
    expect(template.services[0]?.selector).toEqual(template.deployments[0]?.labels);
    expect(generate({ nodes: 1, podsPerNode: 2, workloads: { services: 1 } }).services[0]?.selector).toEqual({
      app: 'sim-pod',
    });
  });

  it('accepts named node sizes', () => {
    expect(generate({ nodes: 1, nodeSize: 'Large' }).nodes[0]?.capacity).toEqual({
      cpu: '16',
      memory: '64Gi',
      pods: '250',
    });
  });

  it.each([
    [{ nodes: 0 }, 'nodes'],
    [{ nodes: 5001 }, 'nodes'],
    [{ nodes: 2.5 }, 'nodes'],
    [{ nodes: 'many' }, 'nodes'],
    [{ nodes: 2000, podsPerNode: 60 }, 'podsPerNode'],
    [{ podsPerNode: -1 }, 'podsPerNode'],
    [{ nodes: 2, roles: { controlPlane: 3 } }, 'roles.controlPlane'],
    [{ workloads: { deployments: -2 } }, 'workloads.deployments'],
    [{ nodes: 1, podsPerNode: 2, workloads: { deployments: 2, replicas: 2 } }, 'workloads'],
    [{ nodeSize: 'huge' }, 'nodeSize'],
    [{ nodeSize: { memory: '8 Gi' } }, 'nodeSize.memory'],
    [{ podRequests: { cpu: 'one' } }, 'podRequests.cpu'],
    [{ podRequests: { cpu: '2' }, podLimits: { cpu: '1' } }, 'podRequests.cpu'],
    [{ namespaces: ['Default'] }, 'namespaces[0]'],
    [{ namespaces: [] }, 'namespaces'],
  ])('rejects %j at %s', (input, field) => {
    expect(problemFields(() => generate(input))).toContain(field);
  });

  it('recognises the generator form', () => {
    expect(isGeneratorInput({ kind: 'Generator' })).toBe(true);
    expect(isGeneratorInput({ nodes: [] })).toBe(false);
    expect(isGeneratorInput('generator')).toBe(false);
  });
});
