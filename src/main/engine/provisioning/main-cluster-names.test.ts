import { describe, expect, it } from 'vitest';
import { anchorNamespace, hostNamespace, nodeName } from './main-cluster-names';

describe('cluster names', () => {
  it('keeps the seed names for the anchor namespace and nodes', () => {
    expect(anchorNamespace('test-cluster-012')).toBe('cluster-test-cluster-012');
    expect(nodeName('test-cluster-012', 'node1')).toBe('test-cluster-012-node1');
  });

  it('maps cluster namespaces to distinct valid host names', () => {
    const a = hostNamespace('a', 'b-c');
    const b = hostNamespace('a-b', 'c');
    expect(a).not.toBe(b);
    for (const name of [
      a,
      b,
      hostNamespace('x'.repeat(55), 'y'.repeat(63)),
      hostNamespace('t', 'kube-system'),
    ]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(hostNamespace('t', 'kube-system')).toMatch(/^t-kube-system-[0-9a-f]{6}$/);
  });

  it('is stable', () => {
    expect(hostNamespace('scale-001', 'default')).toBe(hostNamespace('scale-001', 'default'));
  });
});
