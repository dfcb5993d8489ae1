import { describe, expect, it } from 'vitest';
import type { KubeRest } from '../../kube/kube-rest';
import type { TenantCaches } from '../../tenant/tenant-caches';
import { TENANT_LABEL } from '../../tenant/tenant-names';
import { TenantAuthenticator } from './tenant-authenticator';

/** A main apiserver that reviews every token as the `cattle` account of `namespace`, and knows `namespaces`. */
function fakeRest(
  namespace: string,
  namespaces: Record<string, string | undefined>,
  calls: string[],
): KubeRest {
  return {
    request: async (method: string, path: string) => {
      calls.push(`${method} ${path}`);
      if (path.endsWith('/tokenreviews'))
        return {
          status: { authenticated: true, user: { username: `system:serviceaccount:${namespace}:cattle` } },
        };
      const name = decodeURIComponent(path.split('/').pop() ?? '');
      if (!(name in namespaces)) throw new Error('404 not found');
      const tenant = namespaces[name];
      return { metadata: { name, labels: tenant ? { [TENANT_LABEL]: tenant } : {} } };
    },
  } as unknown as KubeRest;
}

function caches(known: Record<string, string>): TenantCaches {
  return {
    tenantOfNamespace: (ns: string | undefined) => (ns ? known[ns] : undefined),
  } as unknown as TenantCaches;
}

describe('TenantAuthenticator: service-account tokens', () => {
  it('accepts a token of a namespace the cache knows for that tenant, without asking for the namespace', async () => {
    const calls: string[] = [];
    const auth = new TenantAuthenticator(fakeRest('h-cattle-a', {}, calls), caches({ 'h-cattle-a': 'a' }));
    expect(await auth.authenticate('a', 'Bearer tok-a')).toBe(true);
    expect(await auth.authenticate('b', 'Bearer tok-a')).toBe(false);
    expect(calls.filter((c) => c.startsWith('GET'))).toEqual([]);
  });

  it('asks the main cluster when the cache has not seen a new namespace yet, and still keeps tenants apart', async () => {
    const calls: string[] = [];
    const rest = fakeRest('h-new', { 'h-new': 'a' }, calls);
    const auth = new TenantAuthenticator(rest, caches({}));
    expect(await auth.authenticate('a', 'Bearer tok-new')).toBe(true);
    expect(await auth.authenticate('b', 'Bearer tok-new')).toBe(false);
    expect(calls).toContain('GET /api/v1/namespaces/h-new');
  });

  it('refuses a token of a namespace that is no tenant’s, or that the main cluster does not have', async () => {
    const calls: string[] = [];
    const notTenant = new TenantAuthenticator(
      fakeRest('kube-system', { 'kube-system': undefined }, calls),
      caches({}),
    );
    expect(await notTenant.authenticate('a', 'Bearer tok-ks')).toBe(false);
    const gone = new TenantAuthenticator(fakeRest('h-gone', {}, calls), caches({}));
    expect(await gone.authenticate('a', 'Bearer tok-gone')).toBe(false);
  });
});
