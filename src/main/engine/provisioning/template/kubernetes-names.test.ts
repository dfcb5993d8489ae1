import { describe, expect, it } from 'vitest';
import {
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelValue,
  isQualifiedName,
} from './kubernetes-names';

describe('Kubernetes name rules', () => {
  it('DNS-1123 labels', () => {
    expect(['a', 'node1', 'kube-system', 'a'.repeat(63)].every(isDns1123Label)).toBe(true);
    expect(['', 'A', '-a', 'a-', 'a.b', 'a_b', 'a'.repeat(64)].some(isDns1123Label)).toBe(false);
  });

  it('DNS-1123 subdomains', () => {
    expect(['a.b', 'pod-1', 'x.y.z'].every(isDns1123Subdomain)).toBe(true);
    expect(['a..b', '.a', 'A.b', 'a'.repeat(254)].some(isDns1123Subdomain)).toBe(false);
  });

  it('DNS-1035 labels', () => {
    expect(isDns1035Label('svc-1')).toBe(true);
    expect(isDns1035Label('1svc')).toBe(false);
  });

  it('label keys and values', () => {
    expect(['app', 'k8s-app', 'app.kubernetes.io/name', 'a_b.c'].every(isQualifiedName)).toBe(true);
    expect(['', '/a', 'a/', 'a/b/c', 'Bad_Prefix/x', '-a'].some(isQualifiedName)).toBe(false);
    expect(['', 'v1.2', 'a_b-c'].every(isLabelValue)).toBe(true);
    expect(['has space', '-a', 'a'.repeat(64)].some(isLabelValue)).toBe(false);
  });

  it('configmap keys', () => {
    expect(['a', 'app.properties', '.env', 'A_B-c'].every(isConfigMapKey)).toBe(true);
    expect(['', '.', '..', 'a/b', 'a b'].some(isConfigMapKey)).toBe(false);
  });
});
