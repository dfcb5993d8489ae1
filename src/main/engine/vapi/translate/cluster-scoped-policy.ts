/**
 * What a simulated cluster may do with each cluster-scoped resource. One
 * main apiserver hosts every cluster, so each kind is either made the
 * cluster's own, filtered to the cluster, shared, or refused, and says why.
 */

export type ClusterScopedPolicy =
  /** Namespaces: translated both ways (see ClusterView). */
  | 'namespaces'
  /** Nodes: only the cluster's own, by label; writes to them allowed. */
  | 'cluster-nodes'
  /** RBAC the cluster creates is its own (stored under a cluster prefix); built-ins shared read-only. */
  | 'cluster-owned'
  /** Reviews (token, access) act on their body only: passed through. */
  | 'reviews'
  /**
   * CRDs: one apiserver has one definition per name, so definitions are
   * shared; creating one that exists is harmless, but no cluster may delete
   * one every other cluster may be using.
   */
  | 'shared-definitions'
  /**
   * Admission webhooks and policies, and API services: the main apiserver
   * would act on them for every cluster, and no webhook pod runs under KWOK.
   */
  | 'refused'
  /** Everything else cluster-scoped (priority classes, storage classes, ...): shared, read-only. */
  | 'shared-readonly';

const BY_RESOURCE: Record<string, ClusterScopedPolicy> = {
  '/namespaces': 'namespaces',
  '/nodes': 'cluster-nodes',
  'rbac.authorization.k8s.io/clusterroles': 'cluster-owned',
  'rbac.authorization.k8s.io/clusterrolebindings': 'cluster-owned',
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
