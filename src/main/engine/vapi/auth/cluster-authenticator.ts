/**
 * Who may use a simulated cluster's API: a bearer token that is either one
 * we minted for that cluster (exported kubeconfigs; kept hashed), or a
 * service-account token issued by the main apiserver for a service account
 * in one of that cluster's own namespaces (what Rancher presents). Anything
 * else is refused before a byte reaches the main cluster. TokenReview
 * answers are cached briefly, by token hash, so Rancher's steady traffic
 * costs no review per request.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { KubeRest } from '../../kube/kube-rest';
import type { ClusterCaches } from '../../provisioning/cluster-caches';
import { CLUSTER_LABEL } from '../../provisioning/main-cluster-names';

interface CachedReview {
  /** Host namespace of the service account, or undefined when not authenticated. */
  namespace: string | undefined;
  expires: number;
}

const POSITIVE_TTL_MS = 60_000;
const NEGATIVE_TTL_MS = 5_000;
const MAX_CACHE = 50_000;

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class ClusterAuthenticator {
  private readonly minted = new Map<string, string>();
  /**
   * Hashes of minted tokens that outlive a restart (kubeconfigs), kept in the
   * state file, by cluster: every save asks for each cluster's, so a scan of
   * all tokens per cluster made each save quadratic in the cluster count.
   */
  private readonly durable = new Map<string, Set<string>>();
  private readonly reviews = new Map<string, CachedReview>();

  constructor(
    private readonly rest: KubeRest,
    private readonly caches: ClusterCaches,
  ) {}

  /** A new random token for `cluster` (for a kubeconfig); only its hash is kept. */
  mintToken(cluster: string, durable = true): string {
    const token = `sca_${randomBytes(32).toString('base64url')}`;
    const hash = tokenHash(token);
    this.minted.set(hash, cluster);
    if (durable) this.addDurable(cluster, hash);
    return token;
  }

  /** Restores minted tokens from their hashes (after a restart). */
  restoreMinted(entries: Iterable<[hash: string, cluster: string]>): void {
    for (const [hash, cluster] of entries) {
      this.minted.set(hash, cluster);
      this.addDurable(cluster, hash);
    }
  }

  /** Hashes of the kubeconfig tokens of a cluster, for the state file. */
  mintedHashes(cluster: string): string[] {
    const hashes = this.durable.get(cluster);
    return hashes ? [...hashes] : [];
  }

  private addDurable(cluster: string, hash: string): void {
    let hashes = this.durable.get(cluster);
    if (!hashes) this.durable.set(cluster, (hashes = new Set()));
    hashes.add(hash);
  }

  revokeCluster(cluster: string): void {
    for (const [hash, t] of this.minted) if (t === cluster) this.minted.delete(hash);
    this.durable.delete(cluster);
  }

  /** True when the Authorization header carries a token valid for `cluster`. */
  async authenticate(cluster: string, authorization: string | undefined): Promise<boolean> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return false;
    const hash = tokenHash(token);
    const mintedFor = this.minted.get(hash);
    if (mintedFor !== undefined) return mintedFor === cluster;
    if (token.startsWith('sca_')) return false;
    const namespace = await this.reviewedNamespace(hash, token);
    if (namespace === undefined) return false;
    const owner =
      this.caches.clusterOfNamespace(namespace) ?? (await this.clusterOfUncachedNamespace(namespace));
    return owner === cluster;
  }

  /**
   * The namespace cache follows a watch, which can lag a few seconds behind
   * a namespace made a moment ago when hundreds of clusters are being made
   * (a 1,000-cluster batch failed one import on it: its new cattle token
   * was refused). A miss asks the main cluster; a namespace that is not a
   * cluster's (or not there) still refuses.
   */
  private async clusterOfUncachedNamespace(namespace: string): Promise<string | undefined> {
    try {
      const ns = await this.rest.request<{ metadata?: { labels?: Record<string, string> } }>(
        'GET',
        `/api/v1/namespaces/${encodeURIComponent(namespace)}`,
      );
      return ns.metadata?.labels?.[CLUSTER_LABEL];
    } catch {
      return undefined;
    }
  }

  private async reviewedNamespace(hash: string, token: string): Promise<string | undefined> {
    const cached = this.reviews.get(hash);
    if (cached && cached.expires > Date.now()) return cached.namespace;
    let namespace: string | undefined;
    try {
      const review = await this.rest.request<{
        status?: { authenticated?: boolean; user?: { username?: string } };
      }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
        attempts: 2,
      });
      const user = review.status?.authenticated ? review.status.user?.username : undefined;
      namespace = /^system:serviceaccount:([^:]+):[^:]+$/.exec(user ?? '')?.[1];
    } catch {
      // The main apiserver cannot say: refuse, and do not cache the refusal long.
      return undefined;
    }
    if (this.reviews.size >= MAX_CACHE) this.reviews.clear();
    this.reviews.set(hash, {
      namespace,
      expires: Date.now() + (namespace ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS),
    });
    return namespace;
  }
}
