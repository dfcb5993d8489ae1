/**
 * A main cluster the agent does not manage: any Kubernetes cluster running
 * the kwok controller, reached through a kubeconfig the user gives, or,
 * with none given inside a pod, the cluster the pod runs in (its service
 * account), which is how the Helm chart's shards use it.
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { MainClusterInfo } from '../../../shared/main-cluster';
import { EngineError } from '../../../shared/errors';
import type { MainClusterProvider } from './main-cluster-provider';
import { infoFromProbe, probeApiserver } from './probe-apiserver';

export class ExternalProvider implements MainClusterProvider {
  readonly kind = 'external' as const;
  readonly name: string;

  constructor(
    private readonly kubeconfigPath: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.name = kubeconfigPath || (this.inCluster() ? 'in-cluster' : '');
  }

  private inCluster(): boolean {
    return !this.kubeconfigPath && Boolean(this.env.KUBERNETES_SERVICE_HOST);
  }

  kubeConfig(): KubeConfig {
    if (this.inCluster()) {
      const kc = new KubeConfig();
      kc.loadFromCluster();
      return kc;
    }
    if (!this.kubeconfigPath) {
      throw new EngineError(
        'invalid',
        'MainClusterProvider is external but MainKubeconfig is not set (and the agent is not running in a pod)',
      );
    }
    if (!existsSync(this.kubeconfigPath)) {
      throw new EngineError('unavailable', `MainKubeconfig ${this.kubeconfigPath} does not exist`);
    }
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(this.kubeconfigPath);
    } catch (err) {
      throw new EngineError(
        'invalid',
        `MainKubeconfig ${this.kubeconfigPath} is not a valid kubeconfig: ${(err as Error).message}`,
      );
    }
    return kc;
  }

  async status(): Promise<MainClusterInfo> {
    const base = { provider: this.kind, name: this.name, updatedAt: new Date().toISOString() };
    let kc: KubeConfig;
    try {
      kc = this.kubeConfig();
    } catch (err) {
      return { ...base, state: 'error', message: (err as Error).message };
    }
    return infoFromProbe(base, await probeApiserver(kc), 'error');
  }

  async ensure(): Promise<MainClusterInfo> {
    const info = await this.status();
    if (info.state !== 'running')
      throw new EngineError('unavailable', `external main cluster: ${info.message}`);
    return info;
  }

  stop(): Promise<void> {
    return Promise.reject(
      new EngineError(
        'invalid',
        'an external main cluster is not managed by the agent: it cannot be stopped here',
      ),
    );
  }

  delete(): Promise<void> {
    return Promise.reject(
      new EngineError(
        'invalid',
        'an external main cluster is not managed by the agent: it cannot be deleted here',
      ),
    );
  }
}
