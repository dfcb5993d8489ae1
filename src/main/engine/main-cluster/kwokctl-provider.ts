/**
 * The local main cluster, managed with kwokctl's binary runtime: etcd,
 * kube-apiserver (HTTPS on MainAPIPort), kube-controller-manager (service
 * account tokens, namespaces, replica sets) and the kwok controller. No
 * scheduler: simulated pods are pinned to their nodes by nodeName.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { MainClusterInfo } from '../../../shared/main-cluster';
import { EngineError } from '../../../shared/errors';
import type { Logger } from '../telemetry/logger';
import { findKubeBinaries, type BinarySearch, type KubeBinaryPaths } from '../kube/kube-binaries';
import type { MainClusterProvider } from './main-cluster-provider';
import { describeKubeError, infoFromProbe, probeApiserver } from './probe-apiserver';
import { runCommand } from '../kube/run-command';

export interface KwokctlProviderOptions {
  name: string;
  apiPort: number;
  /** kwokctl's working folder (KWOK_WORKDIR); default ~/.kwok. */
  workdir?: string;
  binaries: BinarySearch;
  logger: Logger;
  /** How long create/start may take before it is an error. */
  startTimeoutMs?: number;
}

export class KwokctlProvider implements MainClusterProvider {
  readonly kind = 'kwokctl' as const;
  readonly name: string;
  private readonly workdir: string;
  private readonly startTimeoutMs: number;
  private ensuring: Promise<MainClusterInfo> | undefined;

  constructor(private readonly options: KwokctlProviderOptions) {
    this.name = options.name;
    this.workdir = options.workdir || join(homedir(), '.kwok');
    this.startTimeoutMs = options.startTimeoutMs ?? 180_000;
  }

  get clusterDir(): string {
    return join(this.workdir, 'clusters', this.name);
  }

  get kubeconfigPath(): string {
    return join(this.clusterDir, 'kubeconfig.yaml');
  }

  get caCertPath(): string {
    return join(this.clusterDir, 'pki', 'ca.crt');
  }

  kubeConfig(): KubeConfig {
    if (!existsSync(this.kubeconfigPath)) {
      throw new EngineError(
        'unavailable',
        `main cluster ${this.name} has no kubeconfig yet (${this.kubeconfigPath})`,
      );
    }
    const kc = new KubeConfig();
    kc.loadFromFile(this.kubeconfigPath);
    return kc;
  }

  async status(): Promise<MainClusterInfo> {
    const base = { provider: this.kind, name: this.name, updatedAt: new Date().toISOString() };
    if (!existsSync(this.kubeconfigPath)) {
      return { ...base, state: 'absent', message: `no kwokctl cluster ${this.name} in ${this.workdir}` };
    }
    return infoFromProbe(base, await probeApiserver(this.kubeConfig(), 3000), 'stopped');
  }

  /** Concurrent callers share one ensure, so two creates never race. */
  ensure(): Promise<MainClusterInfo> {
    this.ensuring ??= this.doEnsure().finally(() => {
      this.ensuring = undefined;
    });
    return this.ensuring;
  }

  private async doEnsure(): Promise<MainClusterInfo> {
    const current = await this.status();
    if (current.state === 'running') return current;
    const bins = findKubeBinaries(this.options.binaries);
    const log = this.options.logger;
    if (current.state === 'absent') {
      log.info(
        { cluster: this.name, port: this.options.apiPort },
        `Creating main cluster ${this.name} with kwokctl`,
      );
      await this.kwokctl(bins, this.createArgs(bins));
    } else {
      log.info({ cluster: this.name }, `Starting stopped main cluster ${this.name}`);
      await this.kwokctl(bins, [
        'start',
        'cluster',
        '--name',
        this.name,
        '--wait',
        `${Math.round(this.startTimeoutMs / 1000)}s`,
      ]);
    }
    const after = await this.waitRunning();
    log.info(
      { cluster: this.name, endpoint: after.apiEndpoint, version: after.kubeVersion },
      `Main cluster ${this.name} is running`,
    );
    return after;
  }

  private createArgs(bins: KubeBinaryPaths): string[] {
    return [
      'create',
      'cluster',
      '--name',
      this.name,
      '--runtime',
      'binary',
      '--kube-apiserver-port',
      String(this.options.apiPort),
      // The seed's lesson: Rancher needs HTTPS; the insecure port breaks it.
      '--secure-port=true',
      '--disable',
      'kube-scheduler',
      // Thousands of simulated objects: the default client QPS limits would
      // make the controller-manager and kwok the bottleneck.
      '--disable-qps-limits',
      // Every simulated cluster has services: the default /24 runs out at
      // about 250 of them. A /12 holds a million.
      '--extra-args',
      'kube-apiserver=service-cluster-ip-range=10.96.0.0/12',
      '--kube-apiserver-binary',
      bins['kube-apiserver'],
      '--kube-controller-manager-binary',
      bins['kube-controller-manager'],
      '--etcd-binary',
      bins.etcd,
      '--kwok-controller-binary',
      bins.kwok,
      // Leave the user's ~/.kube/config alone; our kubeconfig is in the cluster folder.
      '--kubeconfig',
      '',
      '--wait',
      `${Math.round(this.startTimeoutMs / 1000)}s`,
    ];
  }

  private async waitRunning(): Promise<MainClusterInfo> {
    const deadline = Date.now() + this.startTimeoutMs;
    let last: MainClusterInfo | undefined;
    while (Date.now() < deadline) {
      last = await this.status();
      if (last.state === 'running') return last;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new EngineError(
      'unavailable',
      `main cluster ${this.name} did not come up: ${last?.message ?? 'unknown'}`,
    );
  }

  async stop(): Promise<void> {
    const bins = findKubeBinaries(this.options.binaries);
    await this.kwokctl(bins, ['stop', 'cluster', '--name', this.name]);
  }

  async delete(): Promise<void> {
    const bins = findKubeBinaries(this.options.binaries);
    await this.kwokctl(bins, ['delete', 'cluster', '--name', this.name]);
  }

  private async kwokctl(bins: KubeBinaryPaths, args: string[]): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env, KWOK_WORKDIR: this.workdir };
    try {
      await runCommand(bins.kwokctl, args, { env, timeoutMs: this.startTimeoutMs + 30_000 });
    } catch (err) {
      throw new EngineError('unavailable', `main cluster ${this.name}: ${describeKubeError(err)}`);
    }
  }
}
