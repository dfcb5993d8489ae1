import { describe, expect, it } from 'vitest';
import { mainTunnelHeaders, steveTunnelHeaders, tunnelParamsHeader } from './tunnel-params';

describe('tunnel headers', () => {
  it('encodes params as Rancher decodes them', () => {
    const header = tunnelParamsHeader({
      address: 'api.x.scale-agent.local:443',
      caPem: 'PEM',
      token: ' jwt\n',
    });
    const json = Buffer.from(header, 'base64').toString('utf8');
    expect(json).toBe('{"cluster":{"address":"api.x.scale-agent.local:443","caCert":"UEVN","token":"jwt"}}');
    expect(header).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('sends the registration token on both tunnels', () => {
    expect(mainTunnelHeaders('t0k', { address: 'a:1', caPem: 'c', token: 's' })['X-API-Tunnel-Token']).toBe(
      't0k',
    );
    expect(steveTunnelHeaders('t0k')).toEqual({ Authorization: 'Bearer stv-cluster-t0k' });
  });
});
