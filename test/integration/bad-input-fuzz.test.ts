/**
 * Bad input changes nothing: 10,000 random malformed REST requests and
 * 10,000 random channel calls (what IPC and the WebSocket carry) each get a
 * 4xx / an error with a message, and the set of clusters stays as it was.
 * Seeded, so a failure can be replayed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_CHANNELS, type RequestChannel } from '../../src/shared/channels';
import { validateRequest } from '../../src/main/engine/channels/request-validation';
import { EngineError } from '../../src/shared/errors';
import { clusterNames } from '../helpers/engine-view';
import { startApiOnlyAgent } from '../helpers/test-engine';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const JUNK = [
  '',
  '{',
  '}',
  '[]',
  'null',
  '1',
  '"x"',
  '{"name":',
  '{"name":123}',
  '{"name":null}',
  '{"name":["a"]}',
  '{"name":"A_B"}',
  '{"name":"-x"}',
  '{"name":"x-"}',
  '{"name":"../etc"}',
  '{"name":"a/b"}',
  '{"name":"%2e%2e"}',
  '{"name":"ok-name","extra":1}',
  '{"name":"ok-name","template":"no-such-preset"}',
  '{"name":"ok-name","template":{"kind":"generator","nodes":-1}}',
  '{"name":"ok-name","template":[1]}',
  '\u0000\u0001',
  '{"pattern":"x-{1..2}","concurrency":"many"}',
];
const PATHS = [
  '/clusters',
  '/clusters/batch',
  '/clusters/..%2F..%2Fetc',
  '/clusters/%00',
  '/clusters/a/b/c',
  '/batches/../x',
  '/batches/nope',
  '/clusters/nope/retry',
  '/clusters/nope/import',
  '/clusters/nope/kubeconfig',
  '/main-cluster',
];
const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'POST', 'POST'];

describe('bad input', () => {
  let agent: Awaited<ReturnType<typeof startApiOnlyAgent>>;
  beforeAll(async () => {
    agent = await startApiOnlyAgent();
    await agent.engine.handle('clusters.create', { name: 'keep-me' });
  });
  afterAll(() => agent.stop());

  it('answers 10,000 random malformed REST requests with a 4xx and a message, changing nothing', async () => {
    const random = rng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const before = (await clusterNames(agent.engine)).sort();
    const seen = new Map<number, number>();
    const deadline = Date.now() + 120_000;
    for (let i = 0; i < 10_000 && Date.now() < deadline; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, async () => {
          let body = pick(JUNK);
          if (random() < 0.3)
            body += String.fromCharCode(Math.floor(random() * 256)).repeat(Math.floor(random() * 5));
          const method = pick(METHODS);
          const res = await fetch(`${agent.web.url}${pick(PATHS)}`, {
            method,
            body: method === 'DELETE' ? undefined : body,
          });
          const text = await res.text();
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          expect(res.status, `${method} -> ${res.status} ${text}`).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(text.length).toBeGreaterThan(0);
        }),
      );
    }
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(10_000);
    expect((await clusterNames(agent.engine)).sort()).toEqual(before);
  });

  it('answers 10,000 random channel calls with an error and changes nothing', async () => {
    const random = rng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const before = (await clusterNames(agent.engine)).sort();
    const payloads: unknown[] = [
      undefined,
      null,
      1,
      'x',
      [],
      {},
      { name: 5 },
      { name: 'Bad Name' },
      { name: 'keep-me' },
      { id: 7 },
      { id: 'b-none' },
      { name: 'x', template: 'nope' },
      { pattern: 'no-range' },
      { name: 'y', bogus: true },
    ];
    // Reads whose request is empty or optional take any payload and answer: they cannot refuse, so
    // they are left out (found by asking the validator, so a new such channel needs no edit here).
    const takesAnything = (c: RequestChannel): boolean => {
      try {
        validateRequest(c, undefined);
        return true;
      } catch {
        return false;
      }
    };
    const channels = [
      // clusters.delete would delete the cluster the test keeps.
      ...REQUEST_CHANNELS.filter((c) => !takesAnything(c) && c !== 'clusters.delete'),
      'no.such',
      '__proto__',
      'constructor',
    ];
    let errors = 0;
    for (let i = 0; i < 10_000; i++) {
      const channel = pick(channels);
      let payload = pick(payloads);
      // A valid create would create: only names that break a rule, or already exist.
      if (
        channel === 'clusters.create' &&
        typeof payload === 'object' &&
        payload !== null &&
        'name' in payload &&
        (payload as { name: unknown }).name === 'x'
      )
        payload = { name: 'keep-me' };
      try {
        await agent.engine.handle(channel as never, payload);
      } catch (err) {
        expect(err).toBeInstanceOf(EngineError);
        expect((err as EngineError).message.length).toBeGreaterThan(0);
        errors++;
      }
    }
    // Reads of a missing record and refused writes are all errors; nothing was created or removed.
    expect(errors).toBeGreaterThan(9_000);
    expect((await clusterNames(agent.engine)).sort()).toEqual(before);
  });
});
