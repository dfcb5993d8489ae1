/**
 * The clusters' side of state.json: what a snapshot holds (every cluster,
 * its template, its kubeconfig token hashes and its sealed Rancher
 * credentials) and the restart path that brings them all back.
 */
import type { RancherIntegration } from '../rancher/rancher-integration';
import type { PersistedCluster } from '../store/agent-state';
import type { SecretCipher } from '../store/secret-box';
import { StateStore } from '../store/state-store';
import type { Logger } from '../telemetry/logger';
import type { ClusterLifecycle } from './cluster-lifecycle';
import type { ClusterRegistry } from './cluster-registry';

export interface ClusterStateDeps {
  path: string;
  logger: Logger;
  registry: ClusterRegistry;
  lifecycle: ClusterLifecycle;
  rancher: RancherIntegration | undefined;
  cipher: SecretCipher;
  /** The hashes of the tokens minted for a cluster's kubeconfigs, once the virtual API runs (else undefined). */
  mintedHashes: (name: string) => string[] | undefined;
  /** Some cluster had a local endpoint before the restart: bring the virtual API up to listen again. */
  restoreLocalEndpoints: () => void;
}

/** Rancher credentials as the state file holds them (the same two fields, each sealed). */
type SealedCredentials = NonNullable<PersistedCluster['sealed']>;

export class ClusterState {
  readonly store: StateStore;
  /** Kubeconfig token hashes read from the state file (hash -> cluster), for the virtual API when it starts. */
  readonly restoredTokenHashes = new Map<string, string>();

  constructor(private readonly deps: ClusterStateDeps) {
    this.store = new StateStore(deps.path, () => this.snapshot(), deps.logger);
    deps.registry.on('changed', () => this.store.schedule());
  }

  /**
   * Each cluster's Rancher credentials, sealed once: every save writes every
   * cluster, and sealing them all again on each save was CPU spent for
   * nothing (the credentials object is replaced when they change).
   */
  private readonly sealed = new WeakMap<object, SealedCredentials>();

  private sealedOnce(creds: SealedCredentials, cipher: SecretCipher): SealedCredentials {
    let sealed = this.sealed.get(creds);
    if (!sealed) {
      sealed = {
        registrationToken: cipher.encrypt(creds.registrationToken),
        serviceAccountToken: cipher.encrypt(creds.serviceAccountToken),
      };
      this.sealed.set(creds, sealed);
    }
    return sealed;
  }

  /** What goes into the state file: every cluster, its template, and its sealed Rancher credentials. */
  private snapshot(): PersistedCluster[] {
    const { registry, lifecycle, rancher, cipher } = this.deps;
    return registry.list().map((record) => {
      const creds = rancher?.credentialsOf(record.name);
      const tokenHashes =
        this.deps.mintedHashes(record.name) ??
        [...this.restoredTokenHashes].filter(([, t]) => t === record.name).map(([h]) => h);
      return {
        record,
        template: lifecycle.templateSpec(record.name),
        ...(tokenHashes.length > 0 ? { tokenHashes } : {}),
        ...(creds ? { sealed: this.sealedOnce(creds, cipher) } : {}),
      };
    });
  }

  /**
   * The restart path: every acknowledged cluster comes back. Ready ones are
   * re-converged and reconnect (rate-limited); those caught mid-creation
   * resume from their first step (every step is idempotent; Rancher clusters
   * are adopted by name); failed ones stay failed with their reason;
   * deletions in progress finish.
   */
  restore(): void {
    const { registry, lifecycle, rancher, cipher, logger } = this.deps;
    const state = this.store.load();
    if (!state) return;
    for (const c of state.clusters) {
      try {
        lifecycle.adopt(c.record.name, c.template);
      } catch (err) {
        logger.error(
          { cluster: c.record.name, err },
          `state: cluster ${c.record.name} has an unusable template; kept as failed`,
        );
        c.record.status = 'failed';
        c.record.error = `template unusable after restart: ${(err as Error).message}`;
      }
      registry.restore({ ...c.record, tunnels: undefined });
      for (const hash of c.tokenHashes ?? []) this.restoredTokenHashes.set(hash, c.record.name);
      if (c.sealed && rancher) {
        try {
          rancher.restoreCredentials(c.record.name, {
            rancherId: c.record.rancherId,
            registrationToken: cipher.decrypt(c.sealed.registrationToken),
            serviceAccountToken: cipher.decrypt(c.sealed.serviceAccountToken),
          });
        } catch (err) {
          logger.error(
            { cluster: c.record.name, err },
            `state: cannot unseal the Rancher credentials of ${c.record.name}; it will be imported again`,
          );
          registry.update(c.record.name, { status: 'pending' });
        }
      }
    }
    logger.info(
      { clusters: state.clusters.length },
      `Restored ${state.clusters.length} clusters from ${this.store.path}`,
    );
    // Local endpoints come back on their recorded ports (with their kubeconfig tokens) once the main cluster is up.
    if (state.clusters.some((c) => c.record.localPort)) this.deps.restoreLocalEndpoints();
    for (const record of registry.list()) {
      if (
        record.status === 'ready' &&
        (record.rancherId === '' || rancher?.credentialsOf(record.name) || !rancher)
      )
        lifecycle.resumeReady(record.name);
      else if (record.status === 'deleting') void lifecycle.delete(record.name).catch(() => undefined);
      else if (record.status !== 'failed') {
        registry.setStatus(record.name, 'pending');
        lifecycle.start(record.name);
      }
    }
  }
}
