/**
 * Which resources are namespaced, from the main apiserver's discovery,
 * cached: `/api/v1/pods` is a cluster-wide list of a namespaced resource,
 * `/api/v1/nodes` a cluster-scoped one, and only discovery can tell.
 */
import type { KubeRest } from '../../kube/kube-rest';

interface ApiResourceList {
  resources: { name: string; namespaced: boolean }[];
}

export class ApiResources {
  private readonly byGroupVersion = new Map<string, Promise<Map<string, boolean>>>();

  constructor(private readonly rest: KubeRest) {}

  /** True or false when known; undefined for a resource the apiserver does not have. */
  async isNamespaced(prefix: string, resource: string): Promise<boolean | undefined> {
    let known = await this.load(prefix, false);
    if (!known.has(resource)) known = await this.load(prefix, true); // a CRD may be new
    return known.get(resource);
  }

  private load(prefix: string, refresh: boolean): Promise<Map<string, boolean>> {
    let entry = this.byGroupVersion.get(prefix);
    if (!entry || refresh) {
      entry = this.rest
        .get<ApiResourceList>(prefix)
        .then(
          (list) =>
            new Map(list.resources.filter((r) => !r.name.includes('/')).map((r) => [r.name, r.namespaced])),
        )
        .catch(() => new Map<string, boolean>());
      this.byGroupVersion.set(prefix, entry);
    }
    return entry;
  }
}
