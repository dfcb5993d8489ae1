/**
 * Simulated clusters in a real kwokctl main cluster: what provisioning
 * creates, the reconcilers' promises, isolation between clusters, idempotence
 * and deletion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { KubeList } from '../../src/main/engine/kube/kube-object';
import { getPreset } from '../../src/main/engine/provisioning/template/presets';
import { ClusterProvisioner } from '../../src/main/engine/provisioning/cluster-provisioner';
import { hostNamespace, CLUSTER_LABEL } from '../../src/main/engine/provisioning/main-cluster-names';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import { memoryLogger } from '../helpers/test-logger';

/** Independent arithmetic for the test: cpu in millicores, memory in MiB. */
function milli(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}
function mebi(q: string): number {
  if (q.endsWith('Gi')) return Number(q.slice(0, -2)) * 1024;
  if (q.endsWith('Mi')) return Number(q.slice(0, -2));
  if (q.endsWith('Ki')) return Number(q.slice(0, -2)) / 1024;
  return Number(q) / (1024 * 1024);
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const sorted = (m: Record<string, string>) =>
    JSON.stringify(Object.entries(m).sort(([x], [y]) => x.localeCompare(y)));
  return a !== undefined && sorted(a) === sorted(b);
}

describe('clusters in the main cluster', () => {
  let main: TestMainCluster;
  let clusters: ClusterProvisioner;
  const template = getPreset('default');
  const nodes = () => main.rest.get<KubeList<V1Node & { metadata: { name: string } }>>('/api/v1/nodes');
  const clusterPods = (t: string) =>
    main.rest.get<KubeList<V1Pod>>('/api/v1/pods', { labelSelector: `${CLUSTER_LABEL}=${t}` });

  beforeAll(async () => {
    main = await startTestMainCluster();
    clusters = new ClusterProvisioner(main.rest, memoryLogger().logger);
    await clusters.start();
  });
  afterAll(async () => {
    clusters?.stop();
    await main?.destroy();
  });

  it('provisions the default template: nodes, labels, status, pods, services', async () => {
    await clusters.provision('alpha', template);
    const alphaNodes = (await nodes()).items.filter((n) => n.metadata.labels?.[CLUSTER_LABEL] === 'alpha');
    expect(alphaNodes.map((n) => n.metadata.name).sort()).toEqual(
      template.nodes.map((n) => `alpha-${n.name}`).sort(),
    );
    for (const node of alphaNodes) {
      const t = template.nodes.find((n) => `alpha-${n.name}` === node.metadata.name)!;
      expect(node.metadata.labels).toMatchObject({
        'cluster-id': 'alpha',
        'logical-cluster': 'alpha',
        type: 'kwok',
      });
      for (const role of t.roles)
        expect(node.metadata.labels?.[`node-role.kubernetes.io/${role}`]).toBe('true');
      expect(node.metadata.annotations?.['kwok.x-k8s.io/node']).toBe('fake');
    }
    // kwok initializes a node's status as it first sees it; within moments the
    // status is the template's (created with it, and held by the reconciler).
    await eventually(
      async () => {
        const fresh = (await nodes()).items.filter((n) => n.metadata.labels?.[CLUSTER_LABEL] === 'alpha');
        return fresh.every((node) => {
          const t = template.nodes.find((n) => `alpha-${n.name}` === node.metadata.name)!;
          return (
            sameMap(node.status?.capacity, t.capacity) &&
            sameMap(node.status?.allocatable, t.allocatable) &&
            node.status?.nodeInfo?.kubeletVersion === t.version &&
            node.status?.addresses?.some((a) => a.type === 'InternalIP' && a.address === t.internalIP)
          );
        });
      },
      'node status as the template says',
      15_000,
    );
    await eventually(async () => {
      const fresh = (await nodes()).items.filter((n) => n.metadata.labels?.[CLUSTER_LABEL] === 'alpha');
      return fresh.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    }, 'alpha nodes Ready');

    const pods = (await clusterPods('alpha')).items;
    expect(pods).toHaveLength(template.pods.length);
    for (const p of template.pods) {
      const found = pods.find((x) => x.metadata?.name === p.name)!;
      expect(found.metadata?.namespace).toBe(hostNamespace('alpha', p.namespace));
      expect(found.spec?.nodeName).toBe(`alpha-${p.node}`);
    }
    for (const s of template.services) {
      const svc = await main.rest.get(
        `/api/v1/namespaces/${hostNamespace('alpha', s.namespace)}/services/${s.name}`,
      );
      expect(svc).toMatchObject({ metadata: { name: s.name } });
    }
    const ns = await main.rest.get<{ metadata: { labels: Record<string, string> } }>(
      '/api/v1/namespaces/cluster-alpha',
    );
    expect(ns.metadata.labels['logical-cluster']).toBe('alpha');
  });

  async function expectAnnotationsMatchPods(node: string): Promise<void> {
    await eventually(async () => {
      const pods = (
        await main.rest.get<KubeList<V1Pod>>('/api/v1/pods', { fieldSelector: `spec.nodeName=${node}` })
      ).items.filter((p) => !p.metadata?.deletionTimestamp);
      let cpu = 0;
      let mem = 0;
      for (const p of pods)
        for (const c of p.spec?.containers ?? []) {
          cpu += milli(c.resources?.requests?.cpu ?? '0');
          mem += mebi(c.resources?.requests?.memory ?? '0');
        }
      const n = await main.rest.get<V1Node>(`/api/v1/nodes/${node}`);
      const requests = JSON.parse(
        n.metadata?.annotations?.['management.cattle.io/pod-requests'] ?? '{}',
      ) as Record<string, string>;
      const ok =
        Number(requests.pods ?? -1) === pods.length &&
        milli(requests.cpu ?? '0') === cpu &&
        mebi(requests.memory ?? '0') === mem &&
        n.metadata?.annotations?.['management.cattle.io/pod-limits'] !== undefined;
      return ok || undefined;
    }, `pod-requests annotation of ${node} to match its pods`);
  }

  it('keeps pod-requests/pod-limits annotations exact as pods come and go', async () => {
    const node = `alpha-${template.nodes[0]!.name}`;
    await expectAnnotationsMatchPods(node);
    const ns = hostNamespace('alpha', 'default');
    await main.rest.request('POST', `/api/v1/namespaces/${ns}/pods`, {
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'extra', labels: { [CLUSTER_LABEL]: 'alpha' } },
        spec: {
          nodeName: node,
          containers: [
            {
              name: 'c',
              image: 'x',
              resources: {
                requests: { cpu: '250m', memory: '256Mi' },
                limits: { cpu: '1', memory: '512Mi' },
              },
            },
          ],
        },
      },
    });
    await expectAnnotationsMatchPods(node);
    const withExtra = await main.rest.get<V1Node>(`/api/v1/nodes/${node}`);
    const limits = JSON.parse(withExtra.metadata!.annotations!['management.cattle.io/pod-limits']!) as Record<
      string,
      string
    >;
    expect(milli(limits.cpu!)).toBeGreaterThanOrEqual(1000);
    await main.rest.request('DELETE', `/api/v1/namespaces/${ns}/pods/extra`, {
      query: { gracePeriodSeconds: 0 },
    });
    await expectAnnotationsMatchPods(node);
  });

  it('repairs node status drift', async () => {
    const t = template.nodes[0]!;
    const node = `alpha-${t.name}`;
    await main.rest.mergePatch(`/api/v1/nodes/${node}/status`, {
      status: { capacity: { cpu: '1', memory: '1Gi', pods: '3' } },
    });
    await eventually(async () => {
      const n = await main.rest.get<V1Node>(`/api/v1/nodes/${node}`);
      return JSON.stringify(n.status?.capacity) === JSON.stringify(t.capacity) || undefined;
    }, 'drifted capacity to be repaired');
  });

  it('keeps two clusters apart and binds controller-made pods to their own nodes', async () => {
    await clusters.provision('beta', template);
    const beta = (await clusterPods('beta')).items;
    expect(beta.every((p) => p.spec?.nodeName?.startsWith('beta-'))).toBe(true);
    expect((await clusterPods('alpha')).items.every((p) => p.spec?.nodeName?.startsWith('alpha-'))).toBe(
      true,
    );
    const ns = hostNamespace('beta', 'default');
    await main.rest.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'c', image: 'x' }] },
          },
        },
      },
    });
    const bound = await eventually(
      async () => {
        const pods = (
          await main.rest.get<KubeList<V1Pod>>(`/api/v1/namespaces/${ns}/pods`, { labelSelector: 'app=web' })
        ).items;
        return pods.length === 3 && pods.every((p) => p.spec?.nodeName) ? pods : undefined;
      },
      'deployment pods bound',
      60_000,
    );
    expect(bound.every((p) => p.spec!.nodeName!.startsWith('beta-'))).toBe(true);
  });

  it('converges when provisioned again, never duplicating', async () => {
    const before = { nodes: (await nodes()).items.length, pods: (await clusterPods('alpha')).items.length };
    await clusters.provision('alpha', template);
    expect((await nodes()).items.length).toBe(before.nodes);
    expect((await clusterPods('alpha')).items.length).toBe(before.pods);
  });

  it('deletes a cluster completely and leaves the other intact', async () => {
    await clusters.delete('alpha');
    const ns = await main.rest.get<KubeList<unknown>>('/api/v1/namespaces', {
      labelSelector: `${CLUSTER_LABEL}=alpha`,
    });
    expect(ns.items).toHaveLength(0);
    expect((await nodes()).items.filter((n) => n.metadata.labels?.[CLUSTER_LABEL] === 'alpha')).toHaveLength(
      0,
    );
    expect((await clusterPods('alpha')).items).toHaveLength(0);
    expect((await nodes()).items.filter((n) => n.metadata.labels?.[CLUSTER_LABEL] === 'beta')).toHaveLength(
      template.nodes.length,
    );
    expect(clusters.counts('beta').nodes).toBe(template.nodes.length);
  });
});
