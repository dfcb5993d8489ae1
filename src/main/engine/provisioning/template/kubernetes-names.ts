/**
 * The API server's name rules (k8s.io/apimachinery validation), checked up
 * front so a template fails with a field path instead of a 422 halfway
 * through provisioning a cluster.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** Namespaces, container names: lower-case alphanumerics and '-', at most 63. */
export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name);
}

/** Most object names (pods, nodes, configmaps): dot-separated labels, at most 253. */
export function isDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && name.split('.').every((part) => DNS1123_LABEL.test(part));
}

/** Service names: like a DNS-1123 label but starting with a letter. */
export function isDns1035Label(name: string): boolean {
  return name.length <= 63 && DNS1035_LABEL.test(name);
}

/** Label and annotation keys: optional "<dns subdomain>/" prefix, then a name of at most 63. */
export function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts.pop() ?? '';
  const prefix = parts[0];
  if (prefix !== undefined && (prefix === '' || !isDns1123Subdomain(prefix))) return false;
  return name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

/** Label values: empty, or at most 63 alphanumerics with '-', '_' and '.' inside. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** ConfigMap and Secret data keys. */
export function isConfigMapKey(key: string): boolean {
  return key.length <= 253 && key !== '.' && key !== '..' && CONFIG_MAP_KEY.test(key);
}
