/**
 * How a simulated cluster's objects are named and labelled in the main
 * cluster. Every object a cluster owns carries CLUSTER_LABEL, so one label
 * selector finds (and deletes) all of it, and one shared watch per resource
 * serves every cluster.
 */
import { createHash } from 'node:crypto';

/** The key keeps its first wording ("tenant"): objects on existing main clusters already carry it. */
export const CLUSTER_LABEL = 'scale-agent.io/tenant';
/** On anchor namespaces: the agent (shard) that owns the cluster, when agents share a main cluster. */
export const AGENT_LABEL = 'scale-agent.io/agent';
/** On host namespaces: the namespace's name as the cluster sees it. */
export const CLUSTER_NAMESPACE_LABEL = 'scale-agent.io/namespace';
/** The seed's labels, kept for compatibility with its tooling. */
export const LOGICAL_CLUSTER_LABEL = 'logical-cluster';
export const CLUSTER_ID_LABEL = 'cluster-id';
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** The namespaces every fresh Kubernetes cluster has. */
export const FRESH_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

/** The seed's cluster namespace: the cluster's anchor in the main cluster. */
export function anchorNamespace(cluster: string): string {
  return `cluster-${cluster}`;
}

/**
 * Host namespace of cluster namespace `ns`: readable parts plus a short hash
 * of the exact pair, so (a, b-c) and (a-b, c) never collide and the result
 * always fits the 63-character limit. The reverse mapping is kept in labels.
 */
export function hostNamespace(cluster: string, ns: string): string {
  const hash = createHash('sha256').update(`${cluster}/${ns}`).digest('hex').slice(0, 6);
  const t = trimDashes(cluster.slice(0, 28));
  const n = trimDashes(ns.slice(0, 27));
  return `${t}-${n}-${hash}`;
}

export function nodeName(cluster: string, templateNodeName: string): string {
  return `${cluster}-${templateNodeName}`;
}

export function clusterSelector(cluster: string): string {
  return `${CLUSTER_LABEL}=${cluster}`;
}

function trimDashes(s: string): string {
  return s.replace(/-+$/, '') || 'x';
}
