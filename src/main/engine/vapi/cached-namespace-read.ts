/**
 * Reads of one namespace answered from the engine's namespace watch instead
 * of the main apiserver. Rancher's health check reads each cluster's
 * kube-system namespace every 15 s (healthsyncer), so at 1,000 clusters the
 * apiserver took 67 quorum reads a second for namespaces the engine already
 * watches, and the agent paid for a TLS round trip and a JSON parse each.
 *
 * Only the plain case is served: a GET of one namespace, no Table, present in
 * a synced cache, with no query but the ones a cache answers as well:
 * `timeout` (client-go adds its configured timeout to every request; Rancher
 * sets 45 s) and `resourceVersion` "0" or empty (any version will do). A cluster that wrote any namespace through its
 * API in the last few seconds reads from the apiserver until the watch has
 * surely caught up, so a client always reads its own writes.
 */
import type { ClusterCaches } from '../provisioning/cluster-caches';
import type { ClusterView } from './translate/cluster-view';
import { ObjectTranslator, type Json } from './translate/object-translator';

/** How long after a cluster's namespace write its reads go upstream (the watch lagged seconds at worst). */
export const READ_UPSTREAM_AFTER_WRITE_MS = 15_000;

export class CachedNamespaceReads {
  /** When each cluster last wrote a namespace through its API. */
  private readonly lastWrite = new Map<string, number>();
  /**
   * Each cached namespace's answer, translated once: the health check reads
   * the same unchanged kube-system every 15 s. Keyed by the cache's object,
   * which the watch replaces on every change, so an entry never goes stale
   * and goes away with the object it was made from. Answers are only read.
   */
  private readonly translated = new WeakMap<object, Json>();
  constructor(private readonly caches: ClusterCaches) {}

  /** A cluster wrote (created, changed, deleted) a namespace through its API. */
  wrote(cluster: string): void {
    this.lastWrite.set(cluster, Date.now());
  }

  /** The namespace as the cluster sees it, or undefined when the apiserver must answer. */
  read(view: ClusterView, name: string, url: URL, accept: string | undefined): Json | undefined {
    if (!cacheableQuery(url.searchParams) || /as=Table/i.test(accept ?? '')) return undefined;
    if (!this.caches.namespaces.synced) return undefined;
    const wroteAt = this.lastWrite.get(view.cluster);
    if (wroteAt !== undefined) {
      if (Date.now() - wroteAt < READ_UPSTREAM_AFTER_WRITE_MS) return undefined;
      this.lastWrite.delete(view.cluster);
    }
    const cached = this.caches.namespaces.get(view.hostNs(name));
    if (!cached) return undefined;
    let answer = this.translated.get(cached);
    if (!answer) {
      // The translation rewrites in place: it gets a copy, never the cache's object.
      const copy = { ...structuredClone(cached), apiVersion: 'v1', kind: 'Namespace' } as Json;
      answer = new ObjectTranslator(view, 'Namespace').toCluster(copy);
      if (answer) this.translated.set(cached, answer);
    }
    return answer;
  }
}

function cacheableQuery(query: URLSearchParams): boolean {
  for (const [key, value] of query) {
    if (key === 'timeout') continue;
    if (key === 'resourceVersion' && (value === '' || value === '0')) continue;
    return false;
  }
  return true;
}
