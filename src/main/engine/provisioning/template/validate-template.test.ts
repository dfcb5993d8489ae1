import { describe, expect, it } from 'vitest';
import type { ClusterTemplate } from './cluster-template';
import { parseSeedTemplate } from './parse-seed-template';
import { TemplateError, templateProblems, validateTemplate } from './validate-template';

/** A small valid seed-format template; each case below breaks one thing. */
function baseInput() {
  return {
    nodes: [
      { name: 'node1', roles: ['control-plane'], capacity: { cpu: '4', memory: '8Gi', pods: '110' } },
      { name: 'node2', roles: ['worker'], capacity: { cpu: '4', memory: '8Gi', pods: '110' } },
    ],
    pods: [
      { name: 'a', namespace: 'default', node: 'node1', requests: { cpu: '100m' } },
      { name: 'b', namespace: 'default', node: 'node2' },
    ],
    services: [{ name: 'svc', namespace: 'default', ports: [{ port: 80 }], selector: { app: 'a' } }],
    configmaps: [{ name: 'cfg', namespace: 'default', data: { key: 'value' } }],
    secrets: [{ name: 'sec', namespace: 'default', stringData: { key: 'value' } }],
    deployments: [{ name: 'dep', namespace: 'default', replicas: 2 }],
  };
}

type Input = ReturnType<typeof baseInput>;

function problemsOf(change: (input: Input) => void): ReturnType<typeof templateProblems> {
  const input = baseInput();
  change(input);
  return templateProblems(parseSeedTemplate(input));
}

describe('validateTemplate', () => {
  it('accepts the base template', () => {
    const template = parseSeedTemplate(baseInput());
    expect(templateProblems(template)).toEqual([]);
    expect(validateTemplate(template)).toBe(template);
  });

  it.each<[string, (input: Input) => void, string, RegExp]>([
    [
      'bad memory quantity',
      (t) => Object.assign(t.nodes[1]!.capacity, { memory: '8 Gi' }),
      'nodes[1].capacity.memory',
      /"8 Gi" is not a valid quantity/,
    ],
    [
      'negative cpu',
      (t) => Object.assign(t.nodes[0]!.capacity, { cpu: '-1' }),
      'nodes[0].capacity.cpu',
      /negative/,
    ],
    [
      'fractional pod capacity',
      (t) => Object.assign(t.nodes[0]!.capacity, { pods: '10.5' }),
      'nodes[0].capacity.pods',
      /whole number/,
    ],
    [
      'allocatable above capacity',
      (t) => Object.assign(t.nodes[0]!, { allocatable: { cpu: '5' } }),
      'nodes[0].allocatable.cpu',
      /"5" exceeds capacity "4"/,
    ],
    [
      'allocatable without capacity',
      (t) => Object.assign(t.nodes[0]!, { allocatable: { 'nvidia.com/gpu': '1' } }),
      'nodes[0].allocatable.nvidia.com/gpu',
      /no matching capacity/,
    ],
    [
      'pod on unknown node',
      (t) => Object.assign(t.pods[1]!, { node: 'node9' }),
      'pods[1].node',
      /"node9" is not a node/,
    ],
    ['duplicate pod', (t) => Object.assign(t.pods[1]!, { name: 'a' }), 'pods[1].name', /duplicate name "a"/],
    [
      'upper-case node name',
      (t) => Object.assign(t.nodes[0]!, { name: 'Node1' }),
      'nodes[0].name',
      /RFC 1123/,
    ],
    ['duplicate node', (t) => Object.assign(t.nodes[1]!, { name: 'node1' }), 'nodes[1].name', /duplicate/],
    [
      'bad namespace',
      (t) => Object.assign(t.pods[0]!, { namespace: 'My_NS' }),
      'pods[0].namespace',
      /namespace/,
    ],
    ['no nodes', (t) => Object.assign(t, { nodes: [], pods: [] }), 'nodes', /at least one node/],
    [
      'bad IP',
      (t) => Object.assign(t.nodes[0]!, { internalIP: '10.0.0' }),
      'nodes[0].internalIP',
      /not an IP/,
    ],
    [
      'bad version',
      (t) => Object.assign(t.nodes[0]!, { version: '1.30' }),
      'nodes[0].version',
      /kubelet version/,
    ],
    [
      'bad role',
      (t) => Object.assign(t.nodes[0]!, { roles: ['control plane'] }),
      'nodes[0].roles[0]',
      /role/,
    ],
    ['no roles', (t) => Object.assign(t.nodes[0]!, { roles: [] }), 'nodes[0].roles', /at least one role/],
    [
      'bad label value',
      (t) => Object.assign(t.pods[0]!, { labels: { app: 'has space' } }),
      'pods[0].labels.app',
      /label value/,
    ],
    [
      'request above limit',
      (t) => Object.assign(t.pods[0]!, { limits: { cpu: '50m' } }),
      'pods[0].containers[0].requests.cpu',
      /exceeds the limit/,
    ],
    [
      'bad container quantity',
      (t) => Object.assign(t.pods[0]!, { requests: { memory: '1 Gi' } }),
      'pods[0].containers[0].requests.memory',
      /not a valid quantity/,
    ],
    [
      'duplicate container name',
      (t) => Object.assign(t.pods[0]!, { containers: [{ name: 'x' }, { name: 'x' }] }),
      'pods[0].containers[1].name',
      /duplicate/,
    ],
    [
      'too many pods on a node',
      (t) => Object.assign(t.nodes[0]!, { allocatable: { pods: '0' } }),
      'nodes[0].allocatable.pods',
      /1 pods are pinned on "node1"/,
    ],
    [
      'requests beyond allocatable',
      (t) => Object.assign(t.pods[0]!, { requests: { cpu: '4' } }),
      'nodes[0].allocatable.cpu',
      /request 4 on "node1" but only 3800m/,
    ],
    [
      'service name starting with a digit',
      (t) => Object.assign(t.services[0]!, { name: '1svc' }),
      'services[0].name',
      /RFC 1035/,
    ],
    [
      'service without ports',
      (t) => Object.assign(t.services[0]!, { ports: [] }),
      'services[0].ports',
      /at least one/,
    ],
    [
      'service port out of range',
      (t) => Object.assign(t.services[0]!, { ports: [{ port: 70000 }] }),
      'services[0].ports[0].port',
      /not a port number/,
    ],
    [
      'unnamed ports',
      (t) => Object.assign(t.services[0]!, { ports: [{ port: 80 }, { port: 443 }] }),
      'services[0].ports[0].name',
      /required when there are several ports/,
    ],
    [
      'bad configmap key',
      (t) => Object.assign(t.configmaps[0]!, { data: { 'a b': 'c' } }),
      'configMaps[0].data',
      /not a valid key/,
    ],
    [
      'duplicate secret',
      (t) => t.secrets.push({ name: 'sec', namespace: 'default', stringData: { key: 'other' } }),
      'secrets[1].name',
      /duplicate name "sec" in namespace "default"/,
    ],
    [
      'negative replicas',
      (t) => Object.assign(t.deployments[0]!, { replicas: -1 }),
      'deployments[0].replicas',
      /0 or more/,
    ],
    [
      'too many replicas',
      (t) => Object.assign(t.deployments[0]!, { replicas: 100_000 }),
      'pods',
      /more than the limit of 100000/,
    ],
    [
      'bad deployment name',
      (t) => Object.assign(t.deployments[0]!, { name: 'Dep!' }),
      'deployments[0].name',
      /RFC 1123/,
    ],
  ])('rejects %s', (_label, change, field, message) => {
    const problems = problemsOf(change);
    const problem = problems.find((candidate) => candidate.field === field);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem?.message).toMatch(message);
  });

  it('allows the same name in different namespaces and kinds', () => {
    expect(
      problemsOf((t) => {
        t.pods.push({ name: 'a', namespace: 'other', node: 'node1' });
        t.services.push({ name: 'a', namespace: 'default', ports: [{ port: 1 }], selector: { app: 'a' } });
      }),
    ).toEqual([]);
  });

  it('collects all problems in one TemplateError with a readable message', () => {
    const input = baseInput();
    Object.assign(input.nodes[1]!.capacity, { memory: '8 Gi' });
    Object.assign(input.pods[1]!, { node: 'node9' });
    const template: ClusterTemplate = parseSeedTemplate(input, 'broken');
    try {
      validateTemplate(template);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      const templateError = error as TemplateError;
      expect(templateError.problems).toHaveLength(2);
      expect(templateError.message).toBe(
        'Cluster template "broken" is invalid (2 problems):\n' +
          '  - nodes[1].capacity.memory: "8 Gi" is not a valid quantity\n' +
          '  - pods[1].node: "node9" is not a node of this template',
      );
    }
  });

  it('summarizes very long problem lists', () => {
    const input = baseInput();
    input.pods = Array.from({ length: 40 }, (_, index) => ({
      name: `p${index}`,
      namespace: 'default',
      node: 'nope',
    }));
    const error = new TemplateError(templateProblems(parseSeedTemplate(input)));
    expect(error.problems).toHaveLength(40);
    expect(error.message).toContain('... and 10 more');
  });
});
