import { describe, expect, it } from 'vitest';
import { createLogger, maskSecrets } from './logger';

function capture(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(l) } });
  return { lines, logger };
}

const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlc2lnbmF0dXJl';
const API_TOKEN = 'token-abc12:' + 'q'.repeat(54);
const REG_TOKEN = 'bcdfghjklmnpqrstvwxz2456789bcdfghjklmnpqrstvwxz2456789';

describe('secret redaction in logs', () => {
  it('masks tokens inside free text', () => {
    const text = `dial failed with ${JWT} and ${API_TOKEN}; header Authorization: Bearer stv-cluster-${REG_TOKEN}`;
    const masked = maskSecrets(text);
    for (const secret of [JWT, API_TOKEN, REG_TOKEN]) expect(masked).not.toContain(secret);
    expect(masked).toContain('Bearer [redacted]');
  });

  it('removes secrets from fields, nested objects, errors and messages', () => {
    const { lines, logger } = capture();
    logger.info(
      { token: 'plain-secret', cfg: { BearerToken: API_TOKEN }, headers: { authorization: 'Bearer x' } },
      'connect',
    );
    logger.error({ err: new Error(`401 for ${JWT}`) }, `registration ${REG_TOKEN}`);
    const out = lines.join('\n');
    for (const secret of ['plain-secret', API_TOKEN, JWT, REG_TOKEN]) expect(out).not.toContain(secret);
    expect(out).toContain('connect');
    expect(out).toContain('401 for [redacted]');
  });

  it('keeps ordinary values', () => {
    const { lines, logger } = capture();
    logger.info({ cluster: 'test-cluster-012', port: 8447 }, 'Starting endpoint');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      cluster: 'test-cluster-012',
      port: 8447,
      msg: 'Starting endpoint',
    });
  });
});
