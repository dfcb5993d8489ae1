/**
 * 10,000 malformed or hostile protobuf bodies sent to one simulated
 * cluster's API: truncated, bit-flipped, random, with a wrong envelope or
 * type, oversized, or valid but aimed at another cluster's host objects
 * (its host namespaces, its cluster-owned ClusterRole names). Every answer is
 * a clear Kubernetes Status (never a 5xx or a dropped connection), and the
 * other cluster's objects are exactly as they were.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostNamespace, CLUSTER_LABEL } from '../../src/main/engine/provisioning/main-cluster-names';
import { encodeProtobufObject } from '../../src/main/engine/vapi/protobuf/k8s-protobuf';
import { KubeconfigClient, kubectl, kubectlOk } from '../helpers/kubectl';
import {
  startClustersWithKubeconfigs,
  type ClustersWithKubeconfigs,
} from '../helpers/clusters-with-kubeconfigs';
import { eventually, type TestMainCluster } from '../helpers/main-cluster';

const BODIES = 10_000;
const CONCURRENCY = 16;
const TIME_BOUND_MS = 180_000;
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** A small seeded generator, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Target {
  method: string;
  path: string;
  object: Record<string, unknown>;
}

type HostItem = {
  metadata: { name: string; namespace?: string; resourceVersion: string; labels?: Record<string, string> };
};

describe('hostile protobuf bodies against a simulated cluster API', () => {
  let main: TestMainCluster;
  let stack: ClustersWithKubeconfigs;
  let client: KubeconfigClient;
  const dir = mkdtempSync(join(tmpdir(), 'sca-pbfuzz-'));
  const victimHostNs = hostNamespace('fb', 'victim');

  async function hostList(path: string): Promise<HostItem[]> {
    return (await main.rest.request<{ items: HostItem[] }>('GET', path)).items;
  }
  /** Everything of cluster fb in the main cluster: namespaces, configmaps, secrets, owned cluster roles. */
  async function victimSnapshot(): Promise<string[]> {
    const sel = `?labelSelector=${encodeURIComponent(`${CLUSTER_LABEL}=fb`)}`;
    const rows = [
      ...(await hostList(`/api/v1/namespaces${sel}`)),
      ...(await hostList(`/api/v1/namespaces/${victimHostNs}/configmaps`)),
      ...(await hostList(`/api/v1/namespaces/${victimHostNs}/secrets`)),
      ...(await hostList(`/apis/rbac.authorization.k8s.io/v1/clusterroles${sel}`)),
    ];
    return rows
      .map((i) => `${i.metadata.namespace ?? ''}/${i.metadata.name}@${i.metadata.resourceVersion}`)
      .sort();
  }

  beforeAll(async () => {
    stack = await startClustersWithKubeconfigs(['fa', 'fb'], dir);
    main = stack.main;
    const kcA = stack.kubeconfigs.fa!;
    const kcB = stack.kubeconfigs.fb!;
    await kubectlOk(kcB, ['create', 'namespace', 'victim']);
    // The main cluster's controllers add this to every namespace: wait for it, so the snapshot is settled.
    await eventually(
      async () => (await kubectl(kcB, ['get', 'configmap', 'kube-root-ca.crt', '-n', 'victim'])).code === 0,
      "the victim namespace's kube-root-ca.crt",
    );
    await kubectlOk(kcB, ['create', 'configmap', 'keep', '-n', 'victim', '--from-literal=k=v']);
    await kubectlOk(kcB, ['create', 'clusterrole', 'owned', '--verb=get', '--resource=pods']);
    client = new KubeconfigClient(kcA);
  });
  afterAll(async () => {
    client?.close();
    await stack?.stop();
  });

  it('answers each with a clear Status and writes nothing outside the cluster', async () => {
    const before = await victimSnapshot();
    expect(before.some((r) => r.startsWith(`${victimHostNs}/keep@`))).toBe(true);

    const rand = prng(13);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const name = () => `fz-${Math.floor(rand() * 1e9).toString(36)}`;
    // Valid objects, some of them aimed at cluster fb's objects in the main cluster.
    const targets = (): Target[] => [
      {
        method: 'POST',
        path: '/api/v1/namespaces/default/configmaps',
        object: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: name(), namespace: 'default' },
          data: { a: 'b' },
        },
      },
      {
        method: 'POST',
        path: `/api/v1/namespaces/${victimHostNs}/configmaps`,
        object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: victimHostNs } },
      },
      {
        method: 'PUT',
        path: '/api/v1/namespaces/victim/configmaps/keep',
        object: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'keep', namespace: 'victim' },
          data: { k: 'stolen' },
        },
      },
      {
        method: 'POST',
        path: '/api/v1/namespaces',
        object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: pick([victimHostNs, name()]) } },
      },
      {
        method: 'POST',
        path: '/api/v1/namespaces/default/secrets',
        object: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: name(), namespace: victimHostNs },
          data: { x: Buffer.from([0, 1, 2, 255]).toString('base64') },
        },
      },
      {
        method: 'POST',
        path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
        object: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: pick(['sca:fb:owned', 'owned', name()]) },
          rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
        },
      },
      {
        method: 'POST',
        path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
        object: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: name() },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'sca:fb:owned' },
          subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: victimHostNs }],
        },
      },
    ];

    const mutate = (bytes: Buffer): Buffer => {
      const b = Buffer.from(bytes);
      switch (Math.floor(rand() * 8)) {
        case 0: // valid
          return b;
        case 1: // truncated
          return b.subarray(0, Math.floor(rand() * b.length));
        case 2: {
          // bit flips
          for (let i = 0; i < 1 + Math.floor(rand() * 4); i++) {
            const at = Math.floor(rand() * b.length);
            b[at] = b[at]! ^ (1 << Math.floor(rand() * 8));
          }
          return b;
        }
        case 3: // random bytes behind the magic
          return Buffer.concat([
            Buffer.from('k8s\0'),
            Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256))),
          ]);
        case 4: // wrong magic
          return Buffer.concat([Buffer.from('k9s\0'), b.subarray(4)]);
        case 5: {
          // a length-delimited field declaring far more bytes than there are
          const huge = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
          return Buffer.concat([b.subarray(0, 4), huge, b.subarray(4, 40)]);
        }
        case 6: {
          // deep nesting: messages inside messages inside the envelope's raw field
          let inner = Buffer.alloc(0);
          for (let i = 0; i < 200; i++)
            inner = Buffer.concat([Buffer.from([0x0a]), varint(inner.length), inner]);
          return Buffer.concat([b.subarray(0, 4), Buffer.from([0x12]), varint(inner.length), inner]);
        }
        default: // duplicated tail (repeated fields and overrides)
          return Buffer.concat([b, b.subarray(4)]);
      }
    };

    const codes = new Map<number, number>();
    const started = Date.now();
    let sent = 0;
    const problems: string[] = [];
    const worker = async () => {
      while (sent < BODIES && Date.now() - started < TIME_BOUND_MS) {
        sent++;
        const t = pick(targets());
        const encoded = encodeProtobufObject(t.object);
        expect(encoded).toBeDefined();
        const body = mutate(encoded!);
        const r = await client.request(t.method, t.path, {
          body,
          headers: { 'content-type': PROTOBUF, accept: 'application/json' },
        });
        codes.set(r.status, (codes.get(r.status) ?? 0) + 1);
        if (r.status >= 500)
          problems.push(`${t.method} ${t.path} -> ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
        if (r.status >= 400) {
          const status = r.json;
          if (status?.kind !== 'Status' || typeof status.message !== 'string' || !status.message)
            problems.push(`${r.status} without a Status message: ${r.body.toString('utf8').slice(0, 200)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(problems.slice(0, 10)).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(BODIES);
    // Both kinds of outcome happened: writes inside the cluster, and refusals of bad bodies.
    expect(codes.get(201) ?? 0).toBeGreaterThan(0);
    expect(codes.get(400) ?? 0).toBeGreaterThan(1000);

    expect(await victimSnapshot()).toEqual(before);
    // Namespaces made during the fuzz are all cluster fa's.
    const stray = (await hostList('/api/v1/namespaces')).filter(
      (n) => n.metadata.name.includes('fz-') && n.metadata.labels?.[CLUSTER_LABEL] !== 'fa',
    );
    expect(stray).toEqual([]);
    // The API still serves.
    const nodes = await client.request('GET', '/api/v1/nodes', { headers: { accept: 'application/json' } });
    expect(nodes.status).toBe(200);
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
