// Where Steve's links point: back through Rancher's proxy, as the dashboard follows them.
import { describe, expect, it } from 'vitest';
import { requestBase } from './request-base';

describe('requestBase', () => {
  it('uses Rancher’s prefix, the forwarded scheme and the user’s host', () => {
    expect(
      requestBase({
        host: 'rancher.example.com',
        'x-forwarded-proto': 'https',
        'x-api-url-prefix': '/k8s/clusters/c-abcde',
      }),
    ).toBe('https://rancher.example.com/k8s/clusters/c-abcde');
  });
  it('prefers X-API-Host, then X-Forwarded-Host, and takes the first of a list', () => {
    expect(requestBase({ host: 'h', 'x-forwarded-host': 'fwd, other', 'x-api-url-prefix': '/p/' })).toBe(
      'http://fwd/p',
    );
    expect(requestBase({ host: 'h', 'x-api-host': 'api', 'x-forwarded-host': 'fwd' })).toBe('http://api');
  });
  it('is plain http on the tunnel without headers', () => {
    expect(requestBase({})).toBe('http://localhost');
  });
});
