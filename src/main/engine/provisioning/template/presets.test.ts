import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, getPreset } from './presets';
import { templateTotals } from './template-totals';
import { templateProblems } from './validate-template';

describe('presets', () => {
  it.each(PRESET_NAMES)('%s is valid', (name) => {
    expect(templateProblems(getPreset(name))).toEqual([]);
  });

  it.each([
    ['tiny', 1, 5],
    ['default', 2, 4],
    ['medium', 10, 150],
    ['large', 50, 1500],
  ] as const)('%s has %i nodes and %i pods', (name, nodes, pods) => {
    const totals = templateTotals(getPreset(name));
    expect(totals.nodes).toBe(nodes);
    expect(totals.pods).toBe(pods);
    expect(totals.requests.pods).toBe(String(pods));
  });

  it('default matches the seed: 2 nodes of 4 CPU / 8Gi / 110 pods, 4 pods, 3 services', () => {
    const template = getPreset('default');
    for (const node of template.nodes) {
      expect(node.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
      expect(node.allocatable).toEqual({ cpu: '3800m', memory: '7Gi', pods: '110' });
    }
    expect(template.pods).toHaveLength(4);
    expect(template.services).toHaveLength(3);
    expect(template.deployments).toHaveLength(0);
  });

  it('default adds up to cpu 8 / 7600m allocatable and memory 16Gi / 14Gi, with requests shown', () => {
    expect(templateTotals(getPreset('default'))).toEqual({
      nodes: 2,
      pods: 4,
      capacity: { cpu: '8', memory: '16Gi', pods: '220' },
      allocatable: { cpu: '7600m', memory: '14Gi', pods: '220' },
      requests: { cpu: '550m', memory: '654Mi', pods: '4' },
      limits: { cpu: '700m', memory: '938Mi' },
    });
  });

  it('returns a fresh copy each time', () => {
    const first = getPreset('default');
    first.nodes.pop();
    expect(getPreset('default').nodes).toHaveLength(2);
  });
});
