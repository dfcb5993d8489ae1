// Inbound relationships: what pods and owners hold to an object, served on the object itself.
import { describe, expect, it } from 'vitest';
import type { ClusterKube } from './cluster-kube';
import { inboundOf, inboundRelationships } from './inbound-relationships';
import type { SteveSchema } from './schema-catalog';

function schema(
  id: string,
  kind: string,
  resource: string,
  apiPrefix: string,
  namespaced = true,
): SteveSchema {
  return {
    id,
    pluralName: resource,
    group: '',
    version: 'v1',
    kind,
    resource,
    namespaced,
    verbs: ['get', 'list', 'watch'],
    apiPrefix,
    columns: [],
  };
}

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', ...extra },
  spec: {
    serviceAccountName: 'default',
    containers: [{ name: 'c', image: 'nginx' }],
    volumes: [{ name: 'ca', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }] } }],
  },
  status: { phase: 'Running' },
});

/** A cluster API that answers lists from a table of paths, recording what was asked. */
function fakeKube(lists: Record<string, unknown[]>): ClusterKube & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    request: async <T>(method: string, path: string) => {
      asked.push(`${method} ${path}`);
      const items = lists[path];
      return (items ? { status: 200, body: { items } } : { status: 404, body: {} }) as {
        status: number;
        body: T;
      };
    },
    stream: () => ({ close: () => undefined }),
  };
}

const schemas = new Map<string, SteveSchema>([
  ['pod', schema('pod', 'Pod', 'pods', '/api/v1')],
  ['configmap', schema('configmap', 'ConfigMap', 'configmaps', '/api/v1')],
  ['serviceaccount', schema('serviceaccount', 'ServiceAccount', 'serviceaccounts', '/api/v1')],
  [
    'apps.replicaset',
    { ...schema('apps.replicaset', 'ReplicaSet', 'replicasets', '/apis/apps/v1'), group: 'apps' },
  ],
]);
const schemaIdOf = (apiVersion: string, kind: string) =>
  apiVersion.includes('/') ? `${apiVersion.split('/')[0]}.${kind.toLowerCase()}` : kind.toLowerCase();

describe('inboundRelationships', () => {
  it('puts the pods that use a ConfigMap or a ServiceAccount on it, with their state', async () => {
    // As in a List: items without apiVersion and kind.
    const asListItem = ({ apiVersion: _a, kind: _k, ...rest }: ReturnType<typeof pod>) => rest;
    const kube = fakeKube({ '/api/v1/pods': [asListItem(pod('a')), asListItem(pod('b'))] });
    const forCm = await inboundRelationships(kube, schemas, schemas.get('configmap')!, undefined, schemaIdOf);
    expect(
      inboundOf(forCm, 'configmap', 'default/kube-root-ca.crt').map((r) => [r.fromId, r.fromType, r.rel]),
    ).toEqual([
      ['default/a', 'pod', 'uses'],
      ['default/b', 'pod', 'uses'],
    ]);
    expect(inboundOf(forCm, 'configmap', 'default/other')).toEqual([]);
    const forSa = await inboundRelationships(
      kube,
      schemas,
      schemas.get('serviceaccount')!,
      undefined,
      schemaIdOf,
    );
    expect(inboundOf(forSa, 'serviceaccount', 'default/default')).toHaveLength(2);
    expect(inboundOf(forSa, 'serviceaccount', 'default/default')[0]).toMatchObject({ state: 'running' });
  });

  it('puts the pods a ReplicaSet owns on it, as toId entries', async () => {
    const owned = pod('rs-1-x', {
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs-1', uid: 'u', controller: true },
      ],
    });
    const kube = fakeKube({ '/api/v1/namespaces/default/pods': [owned] });
    const index = await inboundRelationships(
      kube,
      schemas,
      schemas.get('apps.replicaset')!,
      'default',
      schemaIdOf,
    );
    expect(inboundOf(index, 'apps.replicaset', 'default/rs-1')).toMatchObject([
      { toId: 'default/rs-1-x', toType: 'pod', rel: 'owner' },
    ]);
    expect(kube.asked).toEqual(['GET /api/v1/namespaces/default/pods']);
  });

  it('adds nothing for a type no other type refers to, and asks nothing', async () => {
    const kube = fakeKube({});
    const index = await inboundRelationships(kube, schemas, schemas.get('pod')!, undefined, schemaIdOf);
    expect(index.size).toBe(0);
    expect(kube.asked).toEqual([]);
  });
});
