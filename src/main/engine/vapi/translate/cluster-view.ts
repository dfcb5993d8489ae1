/**
 * One simulated cluster's view of the main cluster's names: its namespaces
 * under their own names, its cluster-scoped objects under their own names.
 *
 * Namespaces: cluster namespace N lives in host namespace hostNamespace(T, N)
 * (readable, hashed, labelled with T and N). Host -> cluster uses the labels
 * from the shared namespace watch, plus namespaces this process just made.
 *
 * Cluster-scoped objects a cluster creates (ClusterRoles, ClusterRoleBindings)
 * are stored as `sca:<cluster>:<name>` and labelled; built-in RBAC
 * (system:*, cluster-admin, admin, edit, view) is shared and read-only.
 */
import type { ClusterCaches } from '../../provisioning/cluster-caches';
import { hostNamespace, CLUSTER_LABEL, CLUSTER_NAMESPACE_LABEL } from '../../provisioning/main-cluster-names';

const BUILTIN_ROLES = new Set(['cluster-admin', 'admin', 'edit', 'view']);

export function isBuiltinRbacName(name: string): boolean {
  return name.startsWith('system:') || BUILTIN_ROLES.has(name);
}

/** Host namespaces made through a virtual API, known before the watch reports them. */
const recentlyCreated = new Map<string, { cluster: string; ns: string }>();

export class ClusterView {
  readonly ownedPrefix: string;
  /** Host names this request mapped, so errors about namespaces that do not exist read in the cluster's names too. */
  private readonly mapped = new Map<string, string>();

  constructor(
    readonly cluster: string,
    private readonly caches: ClusterCaches,
  ) {
    this.ownedPrefix = `sca:${cluster}:`;
  }

  hostNs(ns: string): string {
    const host = hostNamespace(this.cluster, ns);
    this.mapped.set(host, ns);
    return host;
  }

  /** The cluster's name for a host namespace, or undefined when it is not this cluster's. */
  clusterNs(host: string): string | undefined {
    const labels = this.caches.namespaces.get(host)?.metadata.labels;
    if (labels) return labels[CLUSTER_LABEL] === this.cluster ? labels[CLUSTER_NAMESPACE_LABEL] : undefined;
    const recent = recentlyCreated.get(host);
    return recent?.cluster === this.cluster ? recent.ns : undefined;
  }

  rememberNamespace(ns: string): void {
    recentlyCreated.set(this.hostNs(ns), { cluster: this.cluster, ns });
    if (recentlyCreated.size > 10_000) recentlyCreated.delete(recentlyCreated.keys().next().value as string);
  }

  /** Host namespaces of this cluster that exist now. */
  hostNamespaces(): string[] {
    return this.caches.namespaces
      .list()
      .filter(
        (n) =>
          n.metadata.labels?.[CLUSTER_LABEL] === this.cluster && n.metadata.labels?.[CLUSTER_NAMESPACE_LABEL],
      )
      .map((n) => n.metadata.name);
  }

  ownedHostName(name: string): string {
    return `${this.ownedPrefix}${name}`;
  }

  /** Cluster's name for a host cluster-scoped object name; undefined for another cluster's. */
  clusterScopedName(host: string, labels: Record<string, string> | undefined): string | undefined {
    if (host.startsWith(this.ownedPrefix)) return host.slice(this.ownedPrefix.length);
    if (host.startsWith('sca:')) return undefined;
    const owner = labels?.[CLUSTER_LABEL];
    return owner === undefined ? host : undefined;
  }

  /** A roleRef to a ClusterRole points at the cluster's own role unless it is built-in. */
  roleRefToHost(name: string): string {
    return isBuiltinRbacName(name) ? name : this.ownedHostName(name);
  }

  roleRefFromHost(name: string): string {
    return name.startsWith(this.ownedPrefix) ? name.slice(this.ownedPrefix.length) : name;
  }

  /** Rewrites host namespace and owned names in a message (errors) to the cluster's names. */
  scrubMessage(text: string): string {
    let out = text.split(this.ownedPrefix).join('');
    for (const [host, ns] of this.mapped) if (out.includes(host)) out = out.split(host).join(ns);
    for (const host of this.hostNamespaces()) {
      const ns = this.clusterNs(host);
      if (ns && out.includes(host)) out = out.split(host).join(ns);
    }
    return out;
  }
}
