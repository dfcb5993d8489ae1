import { describe, expect, it } from 'vitest';
import type { KubeRest } from '../../kube/kube-rest';
import type { ClusterCaches } from '../../provisioning/cluster-caches';
import { CLUSTER_LABEL } from '../../provisioning/main-cluster-names';
import { ClusterAuthenticator, tokenHash } from './cluster-authenticator';

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
      const cluster = namespaces[name];
      return { metadata: { name, labels: cluster ? { [CLUSTER_LABEL]: cluster } : {} } };
    },
  } as unknown as KubeRest;
}

function caches(known: Record<string, string>): ClusterCaches {
  return {
    clusterOfNamespace: (ns: string | undefined) => (ns ? known[ns] : undefined),
  } as unknown as ClusterCaches;
}

describe('ClusterAuthenticator: service-account tokens', () => {
  it('accepts a token of a namespace the cache knows for that cluster, without asking for the namespace', async () => {
    const calls: string[] = [];
    const auth = new ClusterAuthenticator(fakeRest('h-cattle-a', {}, calls), caches({ 'h-cattle-a': 'a' }));
    expect(await auth.authenticate('a', 'Bearer tok-a')).toBe(true);
    expect(await auth.authenticate('b', 'Bearer tok-a')).toBe(false);
    expect(calls.filter((c) => c.startsWith('GET'))).toEqual([]);
  });

  it('asks the main cluster when the cache has not seen a new namespace yet, and still keeps clusters apart', async () => {
    const calls: string[] = [];
    const rest = fakeRest('h-new', { 'h-new': 'a' }, calls);
    const auth = new ClusterAuthenticator(rest, caches({}));
    expect(await auth.authenticate('a', 'Bearer tok-new')).toBe(true);
    expect(await auth.authenticate('b', 'Bearer tok-new')).toBe(false);
    expect(calls).toContain('GET /api/v1/namespaces/h-new');
  });

  it('refuses a token of a namespace that is no cluster’s, or that the main cluster does not have', async () => {
    const calls: string[] = [];
    const notCluster = new ClusterAuthenticator(
      fakeRest('kube-system', { 'kube-system': undefined }, calls),
      caches({}),
    );
    expect(await notCluster.authenticate('a', 'Bearer tok-ks')).toBe(false);
    const gone = new ClusterAuthenticator(fakeRest('h-gone', {}, calls), caches({}));
    expect(await gone.authenticate('a', 'Bearer tok-gone')).toBe(false);
  });
});

/** Minted tokens never ask the main cluster: neither of these is touched. */
const authenticator = () => new ClusterAuthenticator({} as KubeRest, {} as ClusterCaches);

describe('ClusterAuthenticator: minted tokens', () => {
  it("keeps each cluster's durable token hashes for the state file, not the engine's own tokens", async () => {
    const auth = authenticator();
    const a1 = auth.mintToken('a');
    const a2 = auth.mintToken('a');
    const own = auth.mintToken('a', false);
    const b1 = auth.mintToken('b');
    expect(new Set(auth.mintedHashes('a'))).toEqual(new Set([tokenHash(a1), tokenHash(a2)]));
    expect(auth.mintedHashes('b')).toEqual([tokenHash(b1)]);
    expect(auth.mintedHashes('c')).toEqual([]);
    expect(await auth.authenticate('a', `Bearer ${own}`)).toBe(true);
    expect(await auth.authenticate('b', `Bearer ${a1}`)).toBe(false);
  });

  it('revokes every token of a forgotten cluster, and only its own', async () => {
    const auth = authenticator();
    const a = auth.mintToken('a');
    const own = auth.mintToken('a', false);
    const b = auth.mintToken('b');
    auth.revokeCluster('a');
    expect(auth.mintedHashes('a')).toEqual([]);
    expect(await auth.authenticate('a', `Bearer ${a}`)).toBe(false);
    expect(await auth.authenticate('a', `Bearer ${own}`)).toBe(false);
    expect(await auth.authenticate('b', `Bearer ${b}`)).toBe(true);
    expect(auth.mintedHashes('b')).toEqual([tokenHash(b)]);
  });

  it('takes back the hashes read from the state file after a restart', async () => {
    const auth = authenticator();
    const before = authenticator();
    const token = before.mintToken('a');
    auth.restoreMinted([[tokenHash(token), 'a']]);
    expect(auth.mintedHashes('a')).toEqual([tokenHash(token)]);
    expect(await auth.authenticate('a', `Bearer ${token}`)).toBe(true);
  });
});
