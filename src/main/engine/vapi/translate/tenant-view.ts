/**
 * One simulated cluster's view of the main cluster's names: its namespaces
 * under their own names, its cluster-scoped objects under their own names.
 *
 * Namespaces: tenant namespace N lives in host namespace hostNamespace(T, N)
 * (readable, hashed, labelled with T and N). Host -> tenant uses the labels
 * from the shared namespace watch, plus namespaces this process just made.
 *
 * Cluster-scoped objects a tenant creates (ClusterRoles, ClusterRoleBindings)
 * are stored as `sca:<tenant>:<name>` and labelled; built-in RBAC
 * (system:*, cluster-admin, admin, edit, view) is shared and read-only.
 */
import type { TenantCaches } from '../../tenant/tenant-caches';
import { hostNamespace, TENANT_LABEL, TENANT_NAMESPACE_LABEL } from '../../tenant/tenant-names';

const BUILTIN_ROLES = new Set(['cluster-admin', 'admin', 'edit', 'view']);

export function isBuiltinRbacName(name: string): boolean {
  return name.startsWith('system:') || BUILTIN_ROLES.has(name);
}

/** Host namespaces made through a virtual API, known before the watch reports them. */
const recentlyCreated = new Map<string, { tenant: string; ns: string }>();

export class TenantView {
  readonly ownedPrefix: string;
  /** Host names this request mapped, so errors about namespaces that do not exist read in the tenant's names too. */
  private readonly mapped = new Map<string, string>();

  constructor(
    readonly tenant: string,
    private readonly caches: TenantCaches,
  ) {
    this.ownedPrefix = `sca:${tenant}:`;
  }

  hostNs(ns: string): string {
    const host = hostNamespace(this.tenant, ns);
    this.mapped.set(host, ns);
    return host;
  }

  /** The tenant's name for a host namespace, or undefined when it is not this tenant's. */
  tenantNs(host: string): string | undefined {
    const labels = this.caches.namespaces.get(host)?.metadata.labels;
    if (labels) return labels[TENANT_LABEL] === this.tenant ? labels[TENANT_NAMESPACE_LABEL] : undefined;
    const recent = recentlyCreated.get(host);
    return recent?.tenant === this.tenant ? recent.ns : undefined;
  }

  rememberNamespace(ns: string): void {
    recentlyCreated.set(this.hostNs(ns), { tenant: this.tenant, ns });
    if (recentlyCreated.size > 10_000) recentlyCreated.delete(recentlyCreated.keys().next().value as string);
  }

  /** Host namespaces of this tenant that exist now. */
  hostNamespaces(): string[] {
    return this.caches.namespaces
      .list()
      .filter(
        (n) =>
          n.metadata.labels?.[TENANT_LABEL] === this.tenant && n.metadata.labels?.[TENANT_NAMESPACE_LABEL],
      )
      .map((n) => n.metadata.name);
  }

  ownedHostName(name: string): string {
    return `${this.ownedPrefix}${name}`;
  }

  /** Tenant's name for a host cluster-scoped object name; undefined for another tenant's. */
  clusterScopedName(host: string, labels: Record<string, string> | undefined): string | undefined {
    if (host.startsWith(this.ownedPrefix)) return host.slice(this.ownedPrefix.length);
    if (host.startsWith('sca:')) return undefined;
    const owner = labels?.[TENANT_LABEL];
    return owner === undefined ? host : undefined;
  }

  /** A roleRef to a ClusterRole points at the tenant's own role unless it is built-in. */
  roleRefToHost(name: string): string {
    return isBuiltinRbacName(name) ? name : this.ownedHostName(name);
  }

  roleRefFromHost(name: string): string {
    return name.startsWith(this.ownedPrefix) ? name.slice(this.ownedPrefix.length) : name;
  }

  /** Rewrites host namespace and owned names in a message (errors) to the tenant's names. */
  scrubMessage(text: string): string {
    let out = text.split(this.ownedPrefix).join('');
    for (const [host, ns] of this.mapped) if (out.includes(host)) out = out.split(host).join(ns);
    for (const host of this.hostNamespaces()) {
      const ns = this.tenantNs(host);
      if (ns && out.includes(host)) out = out.split(host).join(ns);
    }
    return out;
  }
}
