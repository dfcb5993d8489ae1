import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, OpenApiDocumentCache, type UpstreamDocument } from './openapi-document-cache';

const IMMUTABLE = {
  'content-type': 'application/json',
  'cache-control': 'public, immutable',
  vary: 'Accept',
};

const doc = (body: string, headers: Record<string, string> = IMMUTABLE, status = 200): UpstreamDocument => ({
  status,
  headers: { ...headers, date: 'Tue, 08 Dec 2026 00:00:00 GMT', 'audit-id': 'per-request' },
  body: Buffer.from(body),
});

const key = (path: string, accept = 'application/json') =>
  OpenApiDocumentCache.keyOf('GET', new URL(path, 'https://vapi.local'), accept);

describe('OpenApiDocumentCache', () => {
  it('keys only GETs of OpenAPI v3 documents by hash, with no query but hash and timeout', () => {
    expect(key('/openapi/v3/api/v1?hash=AB&timeout=32s')).toBe(
      '/openapi/v3/api/v1?hash=AB\napplication/json',
    );
    // The Accept header chooses JSON or protobuf: another key.
    expect(
      key('/openapi/v3/api/v1?hash=AB', 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf'),
    ).not.toBe(key('/openapi/v3/api/v1?hash=AB'));
    expect(key('/openapi/v3/api/v1')).toBeUndefined(); // no hash: may change at any time
    expect(key('/openapi/v3?hash=AB')).toBeUndefined(); // the index
    expect(key('/openapi/v2?hash=AB')).toBeUndefined();
    expect(key('/openapi/v3/api/v1?hash=AB&pretty=true')).toBeUndefined();
    expect(key('/api/v1/namespaces?hash=AB')).toBeUndefined();
    expect(
      OpenApiDocumentCache.keyOf('HEAD', new URL('https://x/openapi/v3/api/v1?hash=AB'), ''),
    ).toBeUndefined();
  });

  it('loads a document once for all who ask at the same moment, then serves the kept copy', async () => {
    const cache = new OpenApiDocumentCache();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return doc('{"openapi":"3.0.0"}');
    };
    const k = key('/openapi/v3/api/v1?hash=AB')!;
    const [a, b] = await Promise.all([cache.get(k, load), cache.get(k, load)]);
    expect(loads).toBe(1);
    expect([a.hit, b.hit]).toEqual([false, false]);
    const c = await cache.get(k, load);
    expect(loads).toBe(1);
    expect(c.hit).toBe(true);
    expect(c.doc.body.toString()).toBe('{"openapi":"3.0.0"}');
    // Per-request headers are not replayed to later callers.
    expect(c.doc.headers).toEqual(IMMUTABLE);
    expect(cache.size).toEqual({ documents: 1, bytes: 19 });
  });

  it('passes on, and does not keep, what the apiserver does not declare immutable', async () => {
    const cache = new OpenApiDocumentCache();
    const k = key('/openapi/v3/api/v1?hash=OLD')!;
    const moved = doc(
      '',
      { 'cache-control': 'no-cache, private', location: '/openapi/v3/api/v1?hash=NEW' },
      301,
    );
    const first = await cache.get(k, async () => moved);
    expect(first.doc.status).toBe(301);
    expect(first.doc.headers.location).toBe('/openapi/v3/api/v1?hash=NEW');
    const error = await cache.get(k, async () => doc('{"kind":"Status"}', IMMUTABLE, 503));
    expect([first.hit, error.hit, error.doc.status]).toEqual([false, false, 503]);
    expect(cache.size.documents).toBe(0);
  });

  it('forgets a failed load, so the next request tries again', async () => {
    const cache = new OpenApiDocumentCache();
    const k = key('/openapi/v3/api/v1?hash=AB')!;
    await expect(cache.get(k, () => Promise.reject(new Error('connection refused')))).rejects.toThrow(
      'connection refused',
    );
    expect((await cache.get(k, async () => doc('{}'))).doc.status).toBe(200);
  });

  it('stays under its byte limit by dropping the least recently served documents', async () => {
    const cache = new OpenApiDocumentCache(25);
    const k = (n: string) => key(`/openapi/v3/apis/g${n}/v1?hash=${n}`)!;
    await cache.get(k('1'), async () => doc('1'.repeat(10)));
    await cache.get(k('2'), async () => doc('2'.repeat(10)));
    await cache.get(k('1'), async () => doc('unused')); // served: now the most recent
    await cache.get(k('3'), async () => doc('3'.repeat(10)));
    expect(cache.size).toEqual({ documents: 2, bytes: 20 });
    expect((await cache.get(k('1'), async () => doc('x'))).hit).toBe(true);
    expect((await cache.get(k('2'), async () => doc('2'.repeat(10)))).hit).toBe(false);
    // A document larger than the whole limit is served but never kept.
    await cache.get(k('4'), async () => doc('4'.repeat(30)));
    expect((await cache.get(k('4'), async () => doc('4'.repeat(30)))).hit).toBe(false);
  });

  it('compresses a document once', async () => {
    const cache = new OpenApiDocumentCache();
    const { doc: kept } = await cache.get(key('/openapi/v3/api/v1?hash=AB')!, async () =>
      doc('{"a":1}'.repeat(100)),
    );
    const zipped = await cache.gzipped(kept);
    expect(await cache.gzipped(kept)).toBe(zipped);
    expect(gunzipSync(zipped).toString()).toBe('{"a":1}'.repeat(100));
    expect(zipped.length).toBeLessThan(kept.body.length);
  });
});

describe('acceptsGzip', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.8', true],
    ['*', true],
    ['GZIP', true],
    [undefined, false],
    ['', false],
    ['identity', false],
    ['gzip;q=0', false],
    ['deflate, gzip;q=0.0', false],
    ['x-gzip', false],
  ])('%j: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
