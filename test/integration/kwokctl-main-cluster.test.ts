/**
 * The local main cluster for real: kwokctl with the built kube-apiserver,
 * controller-manager, etcd and kwok; a KWOK node created through
 * @kubernetes/client-node turns Ready; then the cluster is deleted.
 */
import { existsSync, rmSync } from 'node:fs';
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalProvider } from '../../src/main/engine/main-cluster/external-provider';
import { KwokctlProvider } from '../../src/main/engine/main-cluster/kwokctl-provider';
import { freePort } from '../helpers/free-port';
import { requireKubeStack, tempKwokWorkdir } from '../helpers/kube-stack';
import { memoryLogger } from '../helpers/test-logger';

describe('kwokctl main cluster', () => {
  const workdir = tempKwokWorkdir();
  let provider: KwokctlProvider;

  beforeAll(async () => {
    const binDir = requireKubeStack();
    provider = new KwokctlProvider({
      name: 'main-cluster',
      apiPort: await freePort(),
      workdir,
      binaries: { binDir, pathEnv: '' },
      logger: memoryLogger().logger,
    });
  });

  afterAll(async () => {
    await provider?.delete().catch(() => undefined);
    rmSync(workdir, { recursive: true, force: true });
  });

  it('reports absent before creation', async () => {
    expect((await provider.status()).state).toBe('absent');
  });

  it('creates the cluster, reuses it when running, and serves HTTPS', async () => {
    const info = await provider.ensure();
    expect(info.state).toBe('running');
    expect(info.apiEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(info.kubeVersion).toBe('v1.36.1');
    expect(info.nodeCount).toBe(0);
    expect(existsSync(provider.caCertPath)).toBe(true);
    // A second ensure finds it running and changes nothing.
    const again = await provider.ensure();
    expect(again.apiEndpoint).toBe(info.apiEndpoint);
  });

  it('a KWOK node created through client-node becomes Ready', async () => {
    const core = provider.kubeConfig().makeApiClient(CoreV1Api);
    const node: V1Node = {
      metadata: {
        name: 'it-node-1',
        annotations: { 'kwok.x-k8s.io/node': 'fake' },
        labels: { type: 'kwok' },
      },
    };
    await core.createNode({ body: node });
    const deadline = Date.now() + 60_000;
    let ready = false;
    while (!ready && Date.now() < deadline) {
      const got = await core.readNode({ name: 'it-node-1' });
      ready = got.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      if (!ready) await new Promise((r) => setTimeout(r, 500));
    }
    expect(ready).toBe(true);
    expect((await provider.status()).nodeCount).toBe(1);
  });

  it('serves as an external main cluster through its kubeconfig', async () => {
    const external = new ExternalProvider(provider.kubeconfigPath);
    const info = await external.ensure();
    expect(info).toMatchObject({
      provider: 'external',
      state: 'running',
      kubeVersion: 'v1.36.1',
      nodeCount: 1,
    });
    await expect(external.stop()).rejects.toThrow(/not managed by the agent/);
    const missing = new ExternalProvider('/nonexistent/kubeconfig');
    expect(await missing.status()).toMatchObject({
      state: 'error',
      message: expect.stringMatching(/does not exist/),
    });
  });

  it('stops, starts again with its data, and deletes', async () => {
    await provider.stop();
    expect((await provider.status()).state).toBe('stopped');
    const restarted = await provider.ensure();
    expect(restarted.state).toBe('running');
    expect(restarted.nodeCount).toBe(1);
    await provider.delete();
    expect((await provider.status()).state).toBe('absent');
    expect(existsSync(provider.clusterDir)).toBe(false);
  });
});
