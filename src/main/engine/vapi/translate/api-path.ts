/**
 * Parses a Kubernetes API request path into what the virtual API needs to
 * decide: discovery to pass through, or a resource request with its group,
 * version, namespace, resource, name and subresource.
 */

export interface ResourcePath {
  kind: 'resource';
  /** "/api/v1" or "/apis/<group>/<version>". */
  prefix: string;
  group: string;
  version: string;
  /** Namespace segment of the path, as the client wrote it. */
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
}

export type ApiPath = { kind: 'passthrough' } | { kind: 'unsupported'; reason: string } | ResourcePath;

const PASSTHROUGH_ROOTS = new Set(['version', 'openapi', 'healthz', 'livez', 'readyz', '.well-known']);

export function parseApiPath(pathname: string): ApiPath {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const root = parts[0];
  if (root === undefined) return { kind: 'passthrough' };
  if (PASSTHROUGH_ROOTS.has(root)) return { kind: 'passthrough' };
  let prefix: string;
  let group: string;
  let version: string;
  let rest: string[];
  if (root === 'api') {
    if (parts.length <= 2) return { kind: 'passthrough' }; // /api, /api/v1
    group = '';
    version = parts[1] ?? '';
    prefix = `/api/${version}`;
    rest = parts.slice(2);
  } else if (root === 'apis') {
    if (parts.length <= 3) return { kind: 'passthrough' }; // /apis, /apis/g, /apis/g/v
    group = parts[1] ?? '';
    version = parts[2] ?? '';
    prefix = `/apis/${group}/${version}`;
    rest = parts.slice(3);
  } else {
    return { kind: 'unsupported', reason: `unknown API path ${pathname}` };
  }
  if (rest[0] === 'watch') {
    return { kind: 'unsupported', reason: 'the deprecated /watch/ paths are not served; use ?watch=true' };
  }
  const base = { kind: 'resource' as const, prefix, group, version };
  if (
    group === '' &&
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    rest[2] !== 'status' &&
    rest[2] !== 'finalize'
  ) {
    // /api/v1/namespaces/{ns}/{resource}[/{name}[/{subresource}]]
    return withOptional({ ...base, namespace: rest[1], resource: rest[2] ?? '' }, rest[3], rest.slice(4));
  }
  if (group !== '' && rest[0] === 'namespaces' && rest.length >= 3) {
    return withOptional({ ...base, namespace: rest[1], resource: rest[2] ?? '' }, rest[3], rest.slice(4));
  }
  // Cluster-scoped objects, cluster-wide lists, and namespaces themselves.
  return withOptional({ ...base, resource: rest[0] ?? '' }, rest[1], rest.slice(2));
}

function withOptional(path: ResourcePath, name: string | undefined, sub: string[]): ResourcePath {
  if (name !== undefined) path.name = name;
  if (sub.length > 0) path.subresource = sub.join('/');
  return path;
}

/** The path again, with a different namespace and name. */
export function buildResourcePath(
  p: ResourcePath,
  namespace: string | undefined,
  name: string | undefined,
): string {
  const seg = (s: string): string => encodeURIComponent(s);
  let path = p.prefix;
  if (namespace !== undefined) path += `/namespaces/${seg(namespace)}`;
  path += `/${seg(p.resource)}`;
  if (name !== undefined) path += `/${seg(name)}`;
  if (p.subresource) path += `/${p.subresource.split('/').map(seg).join('/')}`;
  return path;
}
