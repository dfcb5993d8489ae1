/**
 * What each tunnel lets Rancher dial. The main tunnel: only TCP to the
 * cluster's own advertised address, which the virtual API serves in-process.
 * The Steve tunnel: any TCP address, but every one is served by the
 * in-process Steve handler (as Steve's own aggregation client does), so
 * neither tunnel ever reaches another port on this machine.
 */
export type AllowConnect = (proto: string, address: string) => boolean;

export function mainTunnelAllow(advertisedAddress: string): AllowConnect {
  return (proto, address) => proto === 'tcp' && address === advertisedAddress;
}

export const steveTunnelAllow: AllowConnect = (proto) => proto === 'tcp';
