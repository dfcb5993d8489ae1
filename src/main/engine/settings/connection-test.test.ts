import { describe, expect, it } from 'vitest';
import { classifyConnectionError, judgeAnswer } from './connection-test';

const target = { url: 'https://rancher.example.com', insecure: false };
const err = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('connection test verdicts', () => {
  it('reads each failure code as what failed', () => {
    const cases: [string, string, RegExp][] = [
      ['ECONNREFUSED', 'refused', /Nothing accepts connections at rancher\.example\.com:443/],
      ['ENOTFOUND', 'dns', /rancher\.example\.com does not resolve \(DNS: ENOTFOUND\)/],
      ['EAI_AGAIN', 'dns', /could not be resolved now/],
      ['EHOSTUNREACH', 'unreachable', /unreachable from this machine/],
      ['ETIMEDOUT', 'timeout', /No answer from rancher\.example\.com:443 within 10 s/],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-hostname', /not for rancher\.example\.com/],
      [
        'SELF_SIGNED_CERT_IN_CHAIN',
        'tls-untrusted',
        /not signed by a CA this agent trusts.*\/v3\/settings\/cacerts/,
      ],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls-untrusted', /trusts/],
      ['CERT_HAS_EXPIRED', 'tls-expired', /validity period/],
      ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls-handshake', /http:\/\/ port given as https/],
      ['ECONNRESET', 'unreachable', /closed the connection/],
    ];
    for (const [code, failure, message] of cases) {
      const verdict = classifyConnectionError(target, err(code), 10_000);
      expect(verdict.failure, code).toBe(failure);
      expect(verdict.message, code).toMatch(message);
    }
  });

  it('reads each answer of Rancher', () => {
    expect(judgeAnswer(target, 401, '{"code":"Unauthorized"}')).toMatchObject({
      ok: false,
      failure: 'unauthorized',
    });
    expect(judgeAnswer(target, 403, '')).toMatchObject({ ok: false, failure: 'forbidden' });
    expect(judgeAnswer(target, 404, 'not found')).toMatchObject({ ok: false, failure: 'not-rancher' });
    expect(judgeAnswer(target, 302, '')).toMatchObject({
      ok: false,
      failure: 'http-error',
      message: /redirect/,
    });
    expect(judgeAnswer(target, 503, 'upstream down')).toMatchObject({
      message: /answered HTTP 503: upstream down/,
    });
    expect(judgeAnswer(target, 200, '<html>hello</html>')).toMatchObject({
      ok: false,
      failure: 'not-rancher',
    });
    expect(judgeAnswer(target, 200, '{"type":"setting","value":"v2.12.3"}')).toEqual({
      ok: true,
      version: 'v2.12.3',
      message: 'Connected to Rancher v2.12.3 at https://rancher.example.com; the API token is accepted.',
    });
    expect(
      judgeAnswer({ ...target, insecure: true }, 200, '{"type":"setting","value":"v2.9.0"}'),
    ).toMatchObject({
      message: /NOT verified/,
    });
  });
});
