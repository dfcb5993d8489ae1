import { describe, expect, it } from 'vitest';
import { parseSeedTemplate } from './parse-seed-template';
import { templateTotals } from './template-totals';

describe('templateTotals', () => {
  it('sums nodes, pods and deployment replicas (each replica counted)', () => {
    const template = parseSeedTemplate({
      nodes: [
        {
          name: 'n1',
          capacity: { cpu: 2, memory: '4Gi', pods: 110 },
          allocatable: { cpu: '1900m', memory: '3Gi' },
        },
        { name: 'n2', capacity: { cpu: '2', memory: '4Gi', pods: '110' }, allocatable: { cpu: '1900m' } },
      ],
      pods: [
        { name: 'p1', node: 'n1', requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '500m' } },
        {
          name: 'p2',
          node: 'n2',
          containers: [
            { name: 'a', requests: { cpu: '250m', memory: '512Mi' } },
            { name: 'b', requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
          ],
        },
      ],
      deployments: [{ name: 'd', replicas: 3, requests: { cpu: '100m', memory: '128Mi' } }],
    });
    expect(templateTotals(template)).toEqual({
      nodes: 2,
      pods: 5,
      capacity: { cpu: '4', memory: '8Gi', pods: '220' },
      allocatable: { cpu: '3800m', memory: '6Gi', pods: '220' },
      requests: { cpu: '1050m', memory: '1920Mi', pods: '5' },
      limits: { cpu: '500m', memory: '1Gi' },
    });
  });

  it('counts zero pods and omits empty limits', () => {
    const totals = templateTotals(parseSeedTemplate({ nodes: [{ name: 'n1' }] }));
    expect(totals.pods).toBe(0);
    expect(totals.requests).toEqual({ pods: '0' });
    expect(totals.limits).toEqual({});
  });
});
