import { describe, expect, it } from 'vitest';
import type { TenantCaches } from '../../tenant/tenant-caches';
import { hostNamespace, TENANT_LABEL, TENANT_NAMESPACE_LABEL } from '../../tenant/tenant-names';
import { ObjectTranslator } from './object-translator';
import { TenantView } from './tenant-view';

/** The namespace cache the view reads, holding the tenant's namespaces. */
function cachesWith(tenant: string, namespaces: string[]): TenantCaches {
  const objects = namespaces.map((ns) => ({
    metadata: {
      name: hostNamespace(tenant, ns),
      labels: { [TENANT_LABEL]: tenant, [TENANT_NAMESPACE_LABEL]: ns },
    },
  }));
  const byName = new Map(objects.map((o) => [o.metadata.name, o]));
  return {
    namespaces: { get: (n: string) => byName.get(n), list: () => objects },
  } as unknown as TenantCaches;
}

describe('owner references through the translation', () => {
  const view = () => new TenantView('t1', cachesWith('t1', ['imp']));

  it("names a tenant-owned ClusterRole owner by its host name, and back by the tenant's", () => {
    const sa = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'cattle-impersonation-u-1',
        namespace: 'imp',
        ownerReferences: [
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRole',
            name: 'cattle-impersonation-u-1',
            uid: 'a',
          },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRole',
            name: 'cluster-admin',
            uid: 'b',
          },
          { apiVersion: 'v1', kind: 'Namespace', name: 'imp', uid: 'c' },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'same-namespace', uid: 'd' },
        ],
      },
    };
    const host = new ObjectTranslator(view()).toHost(structuredClone(sa));
    const refs = (host.metadata as { ownerReferences: Array<{ name: string }> }).ownerReferences;
    expect(refs.map((r) => r.name)).toEqual([
      'sca:t1:cattle-impersonation-u-1',
      'cluster-admin',
      hostNamespace('t1', 'imp'),
      'same-namespace',
    ]);
    const back = new ObjectTranslator(view()).toTenant(host);
    expect(back).toEqual(sa);
  });
});
