/**
 * Owns every simulated cluster's presence in the main cluster: provisioning,
 * deletion, and the reconcilers that keep tenants looking real (node status,
 * pod-requests/pod-limits annotations, binding of controller-made pods).
 */
import type { ClusterNode } from '../../../shared/cluster-nodes';
import { tenantNodeDetails } from './tenant-node-details';
import type { KubeRest } from '../kube/kube-rest';
import type { Logger } from '../telemetry/logger';
import { deleteTenant } from './delete-tenant';
import { DesiredTenants } from './desired-tenants';
import { provisionTenant, type ProvisionOptions } from './provision-tenant';
import { NodeStatusReconciler } from './reconcilers/node-status-reconciler';
import { PodResourcesReconciler } from './reconcilers/pod-resources-reconciler';
import { TenantPodBinder } from './reconcilers/tenant-pod-binder';
import { TenantCaches } from './tenant-caches';
import { TENANT_LABEL } from './tenant-names';
import type { ClusterTemplate } from './template/cluster-template';

export interface TenantCounts {
  nodes: number;
  pods: number;
}

export class TenantManager {
  readonly caches: TenantCaches;
  readonly desired = new DesiredTenants();
  readonly nodeStatus: NodeStatusReconciler;
  readonly podResources: PodResourcesReconciler;
  readonly binder: TenantPodBinder;
  private started = false;

  constructor(
    readonly rest: KubeRest,
    private readonly logger: Logger,
  ) {
    this.caches = new TenantCaches(rest, logger);
    this.nodeStatus = new NodeStatusReconciler(rest, this.caches, this.desired, logger);
    this.podResources = new PodResourcesReconciler(rest, this.caches, logger);
    this.binder = new TenantPodBinder(rest, this.caches, logger);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.caches.start();
    this.nodeStatus.start();
    this.podResources.start();
    this.binder.start();
  }

  stop(): void {
    this.nodeStatus.stop();
    this.podResources.stop();
    this.binder.stop();
    this.caches.stop();
  }

  /** Tenants that have objects in the main cluster (from the namespace watch). */
  tenantsPresent(): Set<string> {
    const tenants = new Set<string>();
    for (const ns of this.caches.namespaces.list()) {
      const t = ns.metadata.labels?.[TENANT_LABEL];
      if (t) tenants.add(t);
    }
    return tenants;
  }

  /** Registers the template the reconcilers hold a tenant to (also after a restart). */
  keep(tenant: string, template: ClusterTemplate): void {
    this.desired.set(tenant, template);
    this.nodeStatus.recheckTenant(tenant);
  }

  async provision(tenant: string, template: ClusterTemplate, options?: ProvisionOptions): Promise<void> {
    this.keep(tenant, template);
    await provisionTenant(this.rest, this.logger, tenant, template, options);
  }

  async delete(tenant: string): Promise<void> {
    this.desired.forget(tenant);
    await deleteTenant(this.rest, this.logger, tenant);
  }

  /** The tenant's nodes with capacity and what their pods request, from the caches. */
  nodeDetails(tenant: string): ClusterNode[] {
    return tenantNodeDetails(this.caches, this.podResources, tenant);
  }

  counts(tenant: string): TenantCounts {
    return this.allCounts().get(tenant) ?? { nodes: 0, pods: 0 };
  }

  /** Node and pod counts of every tenant, in one pass over the caches. */
  allCounts(): Map<string, TenantCounts> {
    const counts = new Map<string, TenantCounts>();
    const entry = (t: string): TenantCounts => {
      let c = counts.get(t);
      if (!c) counts.set(t, (c = { nodes: 0, pods: 0 }));
      return c;
    };
    for (const n of this.caches.nodes.list()) {
      const t = n.metadata.labels?.[TENANT_LABEL];
      if (t) entry(t).nodes++;
    }
    for (const p of this.caches.pods.list()) {
      const t = this.caches.tenantOfNamespace(p.metadata.namespace);
      if (t) entry(t).pods++;
    }
    return counts;
  }
}
