/**
 * What a simulated cluster may do with each cluster-scoped resource. One
 * main apiserver hosts every tenant, so each kind is either made the
 * tenant's own, filtered to the tenant, shared, or refused, and says why.
 */

export type ClusterScopedPolicy =
  /** Namespaces: translated both ways (see TenantView). */
  | 'namespaces'
  /** Nodes: only the tenant's own, by label; writes to them allowed. */
  | 'tenant-nodes'
  /** RBAC the tenant creates is its own (stored under a tenant prefix); built-ins shared read-only. */
  | 'tenant-owned'
  /** Reviews (token, access) act on their body only: passed through. */
  | 'reviews'
  /**
   * CRDs: one apiserver has one definition per name, so definitions are
   * shared; creating one that exists is harmless, but no tenant may delete
   * one every other tenant may be using.
   */
  | 'shared-definitions'
  /**
   * Admission webhooks and policies, and API services: the main apiserver
   * would act on them for every tenant, and no webhook pod runs under KWOK.
   */
  | 'refused'
  /** Everything else cluster-scoped (priority classes, storage classes, ...): shared, read-only. */
  | 'shared-readonly';

const BY_RESOURCE: Record<string, ClusterScopedPolicy> = {
  '/namespaces': 'namespaces',
  '/nodes': 'tenant-nodes',
  'rbac.authorization.k8s.io/clusterroles': 'tenant-owned',
  'rbac.authorization.k8s.io/clusterrolebindings': 'tenant-owned',
  'authentication.k8s.io/tokenreviews': 'reviews',
  'authentication.k8s.io/selfsubjectreviews': 'reviews',
  'authorization.k8s.io/subjectaccessreviews': 'reviews',
  'authorization.k8s.io/selfsubjectaccessreviews': 'reviews',
  'authorization.k8s.io/selfsubjectrulesreviews': 'reviews',
  'apiextensions.k8s.io/customresourcedefinitions': 'shared-definitions',
  'apiregistration.k8s.io/apiservices': 'refused',
};

export function clusterScopedPolicy(group: string, resource: string): ClusterScopedPolicy {
  if (group === 'admissionregistration.k8s.io') return 'refused';
  return BY_RESOURCE[`${group}/${resource}`] ?? 'shared-readonly';
}

export const REFUSED_REASON =
  'is not supported by simulated clusters: the main apiserver would apply it to every simulated cluster, and no webhook or API service pod can run under KWOK';
