/**
 * Cluster names are checked before anything is created. A name becomes the
 * tenant namespace `cluster-<name>` and node names `<name>-node<N>`, so it
 * must be a lowercase RFC 1123 label short enough for both.
 */

/** `cluster-` takes 8 of a namespace's 63 characters. */
export const MAX_CLUSTER_NAME_LENGTH = 63 - 'cluster-'.length;

/** Returns the rule the name breaks, or undefined when it is valid. */
export function clusterNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'name must be a string';
  if (name.length === 0) return 'name must not be empty';
  if (name.length > MAX_CLUSTER_NAME_LENGTH) {
    return `name must be at most ${MAX_CLUSTER_NAME_LENGTH} characters (the namespace cluster-<name> is limited to 63), got ${name.length}`;
  }
  if (/[A-Z]/.test(name)) return 'name must be lowercase (RFC 1123 label)';
  if (!/^[a-z0-9-]+$/.test(name))
    return 'name may contain only lowercase letters, digits and "-" (RFC 1123 label)';
  if (!/^[a-z0-9]/.test(name)) return 'name must start with a lowercase letter or digit (RFC 1123 label)';
  if (!/[a-z0-9]$/.test(name)) return 'name must end with a lowercase letter or digit (RFC 1123 label)';
  return undefined;
}
