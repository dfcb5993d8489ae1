/**
 * The base URL every link in a Steve answer starts with, as rancher/apiserver
 * builds it: scheme from X-Forwarded-Proto (else http, tunnels are plain),
 * host from X-API-Host, X-Forwarded-Host or Host, then Rancher's
 * X-API-URL-Prefix (`/k8s/clusters/<id>`). The dashboard follows these links
 * verbatim (a schema's links.collection is its next list URL), so they must
 * point back through Rancher's proxy.
 */
import type { IncomingHttpHeaders } from 'node:http';

export function requestBase(headers: IncomingHttpHeaders): string {
  const first = (v: string | string[] | undefined): string | undefined =>
    (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim() || undefined;
  const proto = first(headers['x-forwarded-proto']) ?? 'http';
  const host =
    first(headers['x-api-host']) ?? first(headers['x-forwarded-host']) ?? first(headers.host) ?? 'localhost';
  const prefix = (first(headers['x-api-url-prefix']) ?? '').replace(/\/+$/, '');
  return `${proto}://${host}${prefix}`;
}
