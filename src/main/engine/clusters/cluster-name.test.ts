import { describe, expect, it } from 'vitest';
import { clusterNameProblem, MAX_CLUSTER_NAME_LENGTH } from './cluster-name';

describe('cluster names', () => {
  it('accepts lowercase RFC 1123 labels that fit cluster-<name>', () => {
    for (const ok of ['a', 'test-cluster-012', '0abc', 'x'.repeat(MAX_CLUSTER_NAME_LENGTH)]) {
      expect(clusterNameProblem(ok)).toBeUndefined();
    }
  });

  it('says which rule a bad name breaks', () => {
    expect(clusterNameProblem('')).toBe('name must not be empty');
    expect(clusterNameProblem('Test')).toMatch(/lowercase/);
    expect(clusterNameProblem('a_b')).toMatch(/only lowercase letters, digits and "-"/);
    expect(clusterNameProblem('a.b')).toMatch(/only lowercase letters/);
    expect(clusterNameProblem('-ab')).toMatch(/must start with/);
    expect(clusterNameProblem('ab-')).toMatch(/must end with/);
    expect(clusterNameProblem('x'.repeat(56))).toMatch(/at most 55 characters .* got 56/);
    expect(clusterNameProblem(42)).toBe('name must be a string');
  });
});
