/**
 * What a template adds up to: the figures Rancher will show for the cluster
 * once it is imported, computed the way Rancher's agent computes them.
 */

import type { ClusterTemplate, ResourceList, TemplateTotals } from './cluster-template';
import { multiplyResourceList, podRequestsAndLimits, sumResourceLists } from '../quantity';

export function templateTotals(template: ClusterTemplate): TemplateTotals {
  const replicas = template.deployments.reduce((sum, deployment) => sum + deployment.replicas, 0);
  const pods = template.pods.length + replicas;
  const requests: ResourceList[] = [];
  const limits: ResourceList[] = [];
  for (const pod of template.pods) {
    const perPod = podRequestsAndLimits(pod);
    requests.push(perPod.requests);
    limits.push(perPod.limits);
  }
  // Every replica of a deployment is the same pod, so multiply once rather than add per replica.
  for (const deployment of template.deployments) {
    const perPod = podRequestsAndLimits(deployment);
    requests.push(multiplyResourceList(perPod.requests, deployment.replicas));
    limits.push(multiplyResourceList(perPod.limits, deployment.replicas));
  }
  // Rancher's agent puts the pod count into requests as "pods".
  requests.push({ pods: String(pods) });
  return {
    nodes: template.nodes.length,
    pods,
    capacity: sumResourceLists(template.nodes.map((node) => node.capacity)),
    allocatable: sumResourceLists(template.nodes.map((node) => node.allocatable)),
    requests: sumResourceLists(requests),
    limits: sumResourceLists(limits),
  };
}
