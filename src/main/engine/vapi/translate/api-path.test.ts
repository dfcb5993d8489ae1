import { describe, expect, it } from 'vitest';
import { buildResourcePath, parseApiPath } from './api-path';

describe('parseApiPath', () => {
  it('passes discovery through', () => {
    for (const p of [
      '/api',
      '/api/v1',
      '/apis',
      '/apis/apps',
      '/apis/apps/v1',
      '/version',
      '/openapi/v2',
      '/readyz',
    ]) {
      expect(parseApiPath(p).kind).toBe('passthrough');
    }
  });

  it('reads namespaced, cluster-scoped and namespace paths', () => {
    expect(parseApiPath('/api/v1/namespaces/default/pods/web-1/log')).toMatchObject({
      namespace: 'default',
      resource: 'pods',
      name: 'web-1',
      subresource: 'log',
    });
    expect(parseApiPath('/apis/apps/v1/namespaces/x/deployments')).toMatchObject({
      group: 'apps',
      version: 'v1',
      namespace: 'x',
      resource: 'deployments',
    });
    expect(parseApiPath('/api/v1/nodes/n1/status')).toMatchObject({
      resource: 'nodes',
      name: 'n1',
      subresource: 'status',
    });
    expect(parseApiPath('/api/v1/pods')).toMatchObject({ resource: 'pods' });
    expect(parseApiPath('/api/v1/namespaces/cattle-system')).toMatchObject({
      resource: 'namespaces',
      name: 'cattle-system',
    });
    expect(parseApiPath('/api/v1/namespaces/cattle-system/finalize')).toMatchObject({
      resource: 'namespaces',
      name: 'cattle-system',
      subresource: 'finalize',
    });
    expect(parseApiPath('/apis/rbac.authorization.k8s.io/v1/clusterroles/cattle-admin')).toMatchObject({
      resource: 'clusterroles',
      name: 'cattle-admin',
    });
  });

  it('refuses what it cannot serve', () => {
    expect(parseApiPath('/api/v1/watch/pods').kind).toBe('unsupported');
    expect(parseApiPath('/metrics').kind).toBe('unsupported');
  });

  it('rebuilds paths with other names', () => {
    const p = parseApiPath('/api/v1/namespaces/default/pods/web-1/status');
    if (p.kind !== 'resource') throw new Error('not a resource');
    expect(buildResourcePath(p, 'h-default-abc', 'web-1')).toBe(
      '/api/v1/namespaces/h-default-abc/pods/web-1/status',
    );
  });
});
