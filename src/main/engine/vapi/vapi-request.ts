/**
 * Decides what one request to a simulated cluster's API becomes upstream:
 * the host path and query, whether the body and answer are translated, and
 * refusals with their reasons. No I/O except discovery lookups.
 */
import type { ApiResources } from './translate/api-resources';
import { buildResourcePath, parseApiPath, type ResourcePath } from './translate/api-path';
import {
  clusterScopedPolicy,
  REFUSED_REASON,
  type ClusterScopedPolicy,
} from './translate/cluster-scoped-policy';
import { isBuiltinRbacName, type ClusterView } from './translate/cluster-view';
import { CLUSTER_LABEL, CLUSTER_NAMESPACE_LABEL } from '../provisioning/main-cluster-names';

export type Plan =
  | { kind: 'refuse'; code: number; message: string }
  | { kind: 'raw'; path: string }
  | {
      kind: 'translate';
      path: string;
      /** Kind of the resource, for list items and Table rows that do not say theirs. */
      resourceKind?: string;
      /** A single object that is not the cluster's must read as 404. */
      single: boolean;
      notFoundName?: string;
      resourceLabel: string;
    };

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const KINDS: Record<string, string> = {
  namespaces: 'Namespace',
  clusterroles: 'ClusterRole',
  clusterrolebindings: 'ClusterRoleBinding',
  nodes: 'Node',
};
const NO_PROCESS_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

export async function planRequest(
  method: string,
  url: URL,
  view: ClusterView,
  resources: ApiResources,
): Promise<Plan> {
  const parsed = parseApiPath(url.pathname);
  if (parsed.kind === 'passthrough') return { kind: 'raw', path: url.pathname + url.search };
  if (parsed.kind === 'unsupported') return { kind: 'refuse', code: 404, message: parsed.reason };
  const p = parsed;
  const label = p.group ? `${p.resource}.${p.group}` : p.resource;
  const query = new URLSearchParams(url.search);

  if (p.subresource && NO_PROCESS_SUBRESOURCES.has(p.subresource.split('/')[0] ?? '')) {
    return {
      kind: 'refuse',
      code: 400,
      message: `${p.resource}/${p.subresource} is not supported by simulated clusters: their pods have no processes or network`,
    };
  }
  if (p.resource === 'pods' && p.subresource === 'log') {
    return {
      kind: 'refuse',
      code: 400,
      message: 'logs are not available: simulated (KWOK) pods run no containers',
    };
  }

  if (p.namespace !== undefined) {
    translateFieldSelector(query, view, 'metadata.namespace');
    return translated(buildResourcePath(p, view.hostNs(p.namespace), p.name), query, {
      single: p.name !== undefined,
      resourceLabel: label,
    });
  }

  if (p.group === '' && p.resource === 'namespaces') return planNamespaces(method, p, query, view);

  const namespaced = await resources.isNamespaced(p.prefix, p.resource);
  if (namespaced === undefined) return { kind: 'raw', path: url.pathname + url.search };
  if (namespaced) {
    // Cluster-wide list or watch of a namespaced resource: filtered to the cluster's namespaces.
    if (method !== 'GET' || p.name !== undefined)
      return {
        kind: 'refuse',
        code: 405,
        message: `${label} across all namespaces can only be listed or watched`,
      };
    translateFieldSelector(query, view, 'metadata.namespace');
    return translated(buildResourcePath(p, undefined, undefined), query, {
      single: false,
      resourceLabel: label,
    });
  }
  return planClusterScoped(method, p, query, view, clusterScopedPolicy(p.group, p.resource), label);
}

function planNamespaces(method: string, p: ResourcePath, query: URLSearchParams, view: ClusterView): Plan {
  if (p.name === undefined) {
    if (method === 'GET') {
      andLabelSelector(query, `${CLUSTER_LABEL}=${view.cluster},${CLUSTER_NAMESPACE_LABEL}`);
      const field = query.get('fieldSelector');
      if (field)
        query.set(
          'fieldSelector',
          field.replace(
            /metadata\.name(!?=)([^,]+)/g,
            (_m, op: string, n: string) => `metadata.name${op}${view.hostNs(n)}`,
          ),
        );
    }
    return translated(buildResourcePath(p, undefined, undefined), query, {
      single: false,
      resourceKind: 'Namespace',
      resourceLabel: 'namespaces',
    });
  }
  return translated(buildResourcePath(p, undefined, view.hostNs(p.name)), query, {
    single: true,
    resourceKind: 'Namespace',
    resourceLabel: 'namespaces',
    notFoundName: p.name,
  });
}

function planClusterScoped(
  method: string,
  p: ResourcePath,
  query: URLSearchParams,
  view: ClusterView,
  policy: ClusterScopedPolicy,
  label: string,
): Plan {
  const write = WRITE_METHODS.has(method);
  const resourceKind = KINDS[p.resource];
  switch (policy) {
    case 'cluster-nodes':
      if (method === 'POST')
        return {
          kind: 'refuse',
          code: 403,
          message:
            'nodes of a simulated cluster come from its template; they cannot be created through its API',
        };
      if (p.name === undefined) andLabelSelector(query, `${CLUSTER_LABEL}=${view.cluster}`);
      return translated(buildResourcePath(p, undefined, p.name), query, {
        single: p.name !== undefined,
        resourceKind,
        resourceLabel: label,
        notFoundName: p.name,
      });
    case 'cluster-owned': {
      if (p.name === undefined)
        return translated(buildResourcePath(p, undefined, undefined), query, {
          single: false,
          resourceKind,
          resourceLabel: label,
        });
      if (isBuiltinRbacName(p.name)) {
        if (write)
          return {
            kind: 'refuse',
            code: 403,
            message: `${label} ${JSON.stringify(p.name)} is a built-in shared by all simulated clusters and is read-only`,
          };
        return translated(buildResourcePath(p, undefined, p.name), query, {
          single: true,
          resourceKind,
          resourceLabel: label,
          notFoundName: p.name,
        });
      }
      return translated(buildResourcePath(p, undefined, view.ownedHostName(p.name)), query, {
        single: true,
        resourceKind,
        resourceLabel: label,
        notFoundName: p.name,
      });
    }
    case 'reviews':
      return { kind: 'raw', path: buildResourcePath(p, undefined, p.name) + queryString(query) };
    case 'shared-definitions':
      if (method === 'DELETE')
        return {
          kind: 'refuse',
          code: 403,
          message: `${label} are shared by all simulated clusters: one cannot delete them for the others`,
        };
      return { kind: 'raw', path: buildResourcePath(p, undefined, p.name) + queryString(query) };
    case 'refused':
      if (write) return { kind: 'refuse', code: 403, message: `${label} ${REFUSED_REASON}` };
      return { kind: 'raw', path: buildResourcePath(p, undefined, p.name) + queryString(query) };
    case 'shared-readonly':
      if (write)
        return {
          kind: 'refuse',
          code: 403,
          message: `${label} are shared by all simulated clusters and read-only through a simulated cluster's API`,
        };
      return { kind: 'raw', path: buildResourcePath(p, undefined, p.name) + queryString(query) };
    case 'namespaces':
      return planNamespaces(method, p, query, view);
  }
}

function translated(
  path: string,
  query: URLSearchParams,
  opts: { single: boolean; resourceKind?: string; resourceLabel: string; notFoundName?: string },
): Plan {
  return { kind: 'translate', path: path + queryString(query), ...opts };
}

function queryString(q: URLSearchParams): string {
  const s = q.toString();
  return s ? `?${s}` : '';
}

function andLabelSelector(q: URLSearchParams, extra: string): void {
  const current = q.get('labelSelector');
  q.set('labelSelector', current ? `${current},${extra}` : extra);
}

function translateFieldSelector(q: URLSearchParams, view: ClusterView, field: string): void {
  const current = q.get('fieldSelector');
  if (!current) return;
  const re = new RegExp(`${field.replace('.', '\\.')}(!?==?)([^,]+)`, 'g');
  q.set(
    'fieldSelector',
    current.replace(re, (_m, op: string, ns: string) => `${field}${op}${view.hostNs(ns)}`),
  );
}
