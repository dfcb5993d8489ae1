import { describe, expect, it } from 'vitest';
import type { LogsAppended } from '../../../shared/logs';
import { LogFeed } from './log-feed';
import { LogRing } from './log-ring';
import { createLogger } from './logger';

const API_TOKEN = 'token-abc12:' + 'q'.repeat(54);
const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlc2lnbmF0dXJl';

/** A real logger whose output is discarded and copied into a ring, as the shells wire it. */
function ringLogger(capacity: number, level: 'debug' | 'info' = 'debug') {
  const ring = new LogRing(capacity);
  const out: string[] = [];
  const logger = createLogger({
    level,
    destination: { write: (l: string) => void out.push(l) },
    copyTo: ring,
  });
  return { ring, logger, out };
}

describe('log ring', () => {
  it('keeps only the newest lines, numbered without gaps', () => {
    const { ring, logger } = ringLogger(100);
    for (let i = 1; i <= 250; i++) logger.info(`line ${i}`);
    expect(ring.size).toBe(100);
    expect(ring.lastSeq).toBe(250);
    const all = ring.tail({}, 5000);
    expect(all).toHaveLength(100);
    expect(all[0]).toMatchObject({ seq: 151, msg: 'line 151', level: 'info' });
    expect(all.at(-1)).toMatchObject({ seq: 250, msg: 'line 250' });
    expect(ring.tail({}, 3).map((l) => l.msg)).toEqual(['line 248', 'line 249', 'line 250']);
  });

  it('filters by lowest level, exact cluster and text, newest matches first to the limit', () => {
    const { ring, logger } = ringLogger(1000);
    logger.debug({ cluster: 'c-1' }, 'probing');
    logger.info({ cluster: 'c-1' }, 'Cluster c-1 accepted');
    logger.warn({ cluster: 'c-2', err: new Error('dial timeout') }, 'tunnel dropped');
    logger.error({ cluster: 'c-10' }, 'import failed');
    logger.info('Scale Cluster Agent serving');
    expect(ring.tail({ level: 'warn' }).map((l) => l.msg)).toEqual(['tunnel dropped', 'import failed']);
    expect(ring.tail({ cluster: 'c-1' }).map((l) => l.msg)).toEqual(['probing', 'Cluster c-1 accepted']);
    expect(ring.tail({ cluster: 'c-1', level: 'info' }).map((l) => l.level)).toEqual(['info']);
    // Text matches fields too: the error's message is kept as err=<message>.
    expect(ring.tail({ text: 'DIAL TIMEOUT' })).toMatchObject([
      { cluster: 'c-2', fields: 'err=dial timeout' },
    ]);
    expect(ring.tail({}, 2).map((l) => l.msg)).toEqual(['import failed', 'Scale Cluster Agent serving']);
    expect(ring.tail({ level: 'fatal' })).toEqual([]);
  });

  it('only ever holds redacted text', () => {
    const { ring, logger } = ringLogger(100);
    logger.info({ token: 'plain-secret', cfg: { BearerToken: API_TOKEN } }, `connect with ${API_TOKEN}`);
    logger.error({ err: new Error(`401 for ${JWT}`) }, 'import failed');
    logger.info(`header Authorization: Bearer ${JWT}`);
    const text = JSON.stringify(ring.tail({}, 100));
    for (const secret of ['plain-secret', API_TOKEN, JWT]) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    // A raw write that bypassed the logger is masked too.
    ring.write(`not json ${API_TOKEN}\n`);
    expect(ring.tail({}, 1)[0]?.msg).toBe('not json [redacted]');
  });

  it('answers lines since a seq, with how many fell out', () => {
    const { ring, logger } = ringLogger(10);
    for (let i = 1; i <= 25; i++) logger.info(`l${i}`);
    expect(ring.since(22).lines.map((l) => l.msg)).toEqual(['l23', 'l24', 'l25']);
    expect(ring.since(22).dropped).toBe(0);
    const late = ring.since(5);
    expect(late.lines.map((l) => l.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(late.dropped).toBe(10);
    expect(ring.since(20, 2)).toMatchObject({ dropped: 3, lines: [{ seq: 24 }, { seq: 25 }] });
    expect(ring.since(25).lines).toEqual([]);
  });

  it('refuses a useless capacity', () => {
    expect(() => new LogRing(0)).toThrow(/at least 1/);
  });
});

describe('log feed', () => {
  it('pushes new lines in batches, at most 4 a second, none lost in order', async () => {
    const { ring, logger } = ringLogger(5000);
    logger.info('before the feed started');
    const batches: LogsAppended[] = [];
    const feed = new LogFeed(ring, (b) => batches.push(b), 250);
    feed.start();
    const started = Date.now();
    let n = 0;
    // Log continuously for about a second, bounded in count.
    while (Date.now() - started < 1000 && n < 100_000) {
      for (let i = 0; i < 20; i++) logger.info(`burst ${++n}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 300));
    feed.stop();
    const elapsed = (Date.now() - started) / 1000;
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(elapsed * 4) + 1);
    const msgs = batches.flatMap((b) => b.lines.map((l) => l.msg));
    expect(msgs[0]).toBe('burst 1');
    expect(msgs).toHaveLength(n);
    expect(msgs.at(-1)).toBe(`burst ${n}`);
    expect(batches.every((b) => b.dropped === 0)).toBe(true);
  });

  it('reports a burst bigger than a batch as dropped', () => {
    const { ring, logger } = ringLogger(5000);
    const batches: LogsAppended[] = [];
    const feed = new LogFeed(ring, (b) => batches.push(b), 250, 100);
    for (let i = 0; i < 150; i++) logger.info(`x${i}`);
    feed.flush();
    feed.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]?.lines).toHaveLength(100);
    expect(batches[0]?.dropped).toBe(50);
    expect(batches[0]?.lines[0]?.msg).toBe('x50');
  });
});
