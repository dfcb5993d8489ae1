/**
 * The main tunnel's headers, byte for byte as Rancher's agent sends them
 * (spec B.1/B.2): the registration token, and base64 (standard, padded) of
 * the JSON params with keys in Go's sorted order.
 */
export interface ClusterTunnelParams {
  /** host:port the cluster advertises; Rancher dials it through this tunnel. */
  address: string;
  /** PEM of the CA that signs the cluster API's certificate. */
  caPem: string;
  /** The cattle service account's token. */
  token: string;
}

export function tunnelParamsHeader(p: ClusterTunnelParams): string {
  // JSON.stringify keeps insertion order: address, caCert, token is Go's sorted order.
  const json = JSON.stringify({
    cluster: { address: p.address, caCert: Buffer.from(p.caPem).toString('base64'), token: p.token.trim() },
  });
  return Buffer.from(json).toString('base64');
}

export function mainTunnelHeaders(registrationToken: string, p: ClusterTunnelParams): Record<string, string> {
  return { 'X-API-Tunnel-Token': registrationToken, 'X-API-Tunnel-Params': tunnelParamsHeader(p) };
}

export function steveTunnelHeaders(registrationToken: string): Record<string, string> {
  return { Authorization: `Bearer stv-cluster-${registrationToken}` };
}
