/**
 * What each simulated cluster tells Rancher about its API: the address it
 * advertises (Rancher dials it through the cluster's own tunnel, so it need
 * not resolve anywhere), and a serving certificate whose SANs cover it and
 * the loopback addresses of the optional local endpoint.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import { issueServingCert, type PemPair } from './x509';

export const ADVERTISED_PORT = 443;

export function advertisedHost(cluster: string): string {
  return `api.${cluster}.scale-agent.local`;
}

export function advertisedAddress(cluster: string): string {
  return `${advertisedHost(cluster)}:${ADVERTISED_PORT}`;
}

/**
 * Key exchange groups of the clusters' API servers, without the hybrid
 * post-quantum X25519MLKEM768 that OpenSSL 3.5 would pick: its key material
 * stays with each connection (about 6 KiB), and Rancher's connections to
 * these servers already run inside the tunnel's own TLS, which keeps it.
 * Clients offer X25519 alongside (Go and OpenSSL both do), so nothing is
 * renegotiated.
 */
const CLASSICAL_KEY_EXCHANGE = 'X25519:P-256:P-384';

/** Serving certificates per cluster, issued on first use and kept in memory (the CA is what persists). */
export class ClusterIdentities {
  private readonly contexts = new Map<string, Promise<SecureContext>>();
  private client: SecureContext | undefined;

  constructor(private readonly ca: PemPair) {}

  get caPem(): string {
    return this.ca.certPem;
  }

  /**
   * What the engine's own in-memory clients verify servers with: made once,
   * since every TLS connection given a bare \`ca\` would build its own context.
   */
  clientContext(): SecureContext {
    this.client ??= createSecureContext({ ca: this.ca.certPem });
    return this.client;
  }

  secureContext(cluster: string): Promise<SecureContext> {
    let ctx = this.contexts.get(cluster);
    if (!ctx) {
      ctx = issueServingCert(this.ca, {
        commonName: advertisedHost(cluster),
        dnsNames: [
          advertisedHost(cluster),
          'localhost',
          'kubernetes',
          'kubernetes.default',
          'kubernetes.default.svc',
        ],
        ips: ['127.0.0.1', '::1'],
      }).then((pair) =>
        createSecureContext({
          cert: pair.certPem,
          key: pair.keyPem,
          minVersion: 'TLSv1.2',
          ecdhCurve: CLASSICAL_KEY_EXCHANGE,
        }),
      );
      ctx.catch(() => this.contexts.delete(cluster));
      this.contexts.set(cluster, ctx);
    }
    return ctx;
  }

  forget(cluster: string): void {
    this.contexts.delete(cluster);
  }
}
