/**
 * Creates or converges one simulated cluster's objects in the main cluster.
 * Server-side apply makes every write idempotent: provisioning again after a
 * crash or a partial failure converges and never duplicates. Writes run
 * concurrently with a bound; KubeRest retries conflicts and throttling.
 */
import { isAlreadyExists } from '../kube/kube-api-error';
import type { KubeRest } from '../kube/kube-rest';
import type { Logger } from '../telemetry/logger';
import { mapConcurrent } from '../util/map-concurrent';
import type { ClusterTemplate } from './template/cluster-template';
import {
  anchorNamespaceManifest,
  initialNodeStatusPatch,
  namespaceManifest,
  nodeManifest,
  objectPath,
  podManifests,
  clusterNamespaceNames,
  workloadManifests,
  type Manifest,
} from './cluster-objects';
import { anchorNamespace, nodeName } from './main-cluster-names';

export interface ProvisionProgress {
  done: number;
  total: number;
}

export interface ProvisionOptions {
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: ProvisionProgress) => void;
  /** The agent written as the cluster's owner on its anchor namespace. */
  owner?: string;
}

/** How many writes provisioning makes for a template (progress totals, benchmarks). */
export function provisionObjectCount(template: ClusterTemplate): number {
  return (
    (1 + clusterNamespaceNames(template).length) * 2 +
    template.nodes.length * 2 +
    podManifests('x', template).length +
    workloadManifests('x', template).length
  );
}

export async function provisionCluster(
  rest: KubeRest,
  logger: Logger,
  cluster: string,
  template: ClusterTemplate,
  options: ProvisionOptions = {},
): Promise<void> {
  const concurrency = options.concurrency ?? 8;
  const namespaces = [
    anchorNamespaceManifest(cluster, template.name, options.owner),
    ...clusterNamespaceNames(template).map((ns) => namespaceManifest(cluster, ns)),
  ];
  const nodes = template.nodes;
  const rest2 = [...podManifests(cluster, template), ...workloadManifests(cluster, template)];
  const total = namespaces.length + nodes.length * 2 + rest2.length;
  let done = 0;
  const step = (): void => {
    done++;
    options.onProgress?.({ done, total });
  };
  const apply = async (m: Manifest): Promise<void> => {
    await rest.apply(objectPath(m), m);
    step();
  };

  logger.info(
    { cluster },
    `populateTenantFromTemplate: start for ${cluster} (tenant-ns=${anchorNamespace(cluster)})`,
  );
  // Namespaces first: everything else lives in them. Each gets its default
  // ServiceAccount from us rather than waiting for the controller-manager:
  // pod admission refuses pods until it exists.
  await mapConcurrent(
    namespaces,
    concurrency,
    async (ns) => {
      await apply(ns);
      await rest.apply(`/api/v1/namespaces/${ns.metadata.name}/serviceaccounts/default`, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: ns.metadata.name },
      });
    },
    options.signal,
  );
  await mapConcurrent(
    nodes,
    concurrency,
    async (node) => {
      const name = nodeName(cluster, node.name);
      logger.debug(
        { cluster, node: name },
        `Applying node ${name}: capacity(cpu=${node.capacity.cpu}, memory=${node.capacity.memory}, pods=${node.capacity.pods}) allocatable(cpu=${node.allocatable.cpu}, memory=${node.allocatable.memory}, pods=${node.allocatable.pods})`,
      );
      // Created with its status in one write: kwok initializes a node from
      // the status it finds, and fills in its own defaults (1k CPUs, 1Ti)
      // when a separate status patch has not landed yet.
      const manifest = { ...nodeManifest(cluster, node), ...initialNodeStatusPatch(cluster, node) };
      try {
        await rest.request('POST', '/api/v1/nodes', { body: manifest });
        step();
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        await apply(nodeManifest(cluster, node));
      }
      await rest.mergePatch(`/api/v1/nodes/${name}/status`, initialNodeStatusPatch(cluster, node));
      logger.debug({ cluster, node: name }, `Patched node/${name} status (capacity/allocatable)`);
      step();
    },
    options.signal,
  );
  // Pods after their nodes, so they never point at a node that does not exist.
  await mapConcurrent(rest2, concurrency, apply, options.signal);
  logger.info({ cluster, objects: total }, `populateTenantFromTemplate: done for ${cluster}`);
}
