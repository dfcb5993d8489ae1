// The v3 client against a small HTTP server playing Rancher: its
// User-Agent, and registration tokens while Rancher is still making the
// cluster's namespace.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isNamespaceMissing, RancherClient } from './rancher-client';
import { RancherError } from './rancher-errors';
import { agentVersion, userAgent } from './user-agent';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function fakeRancher(handler: Handler): Promise<{ client: RancherClient; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const client = new RancherClient({ url: `http://127.0.0.1:${port}`, token: 'token-x:y', attempts: 1 });
  return { client, seen };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const notFoundNamespace = (id: string) => ({
  type: 'error',
  status: 404,
  code: 'NotFound',
  message: `namespaces "${id}" not found`,
});

describe('RancherClient', () => {
  it('names itself scale-cluster-agent/<package.json version> on every v3 call', async () => {
    const { client, seen } = await fakeRancher((_req, _body, res) =>
      json(res, 200, { id: 'cacerts', value: 'pem' }),
    );
    await client.caCerts();
    await client.getCluster('c-abcde');
    expect(agentVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(seen.map((r) => r.headers['user-agent'])).toEqual([userAgent(), userAgent()]);
    expect(userAgent()).toBe(`scale-cluster-agent/${agentVersion()}`);
  });

  it("retries the registration token while Rancher answers 404 for the cluster's namespace, and reports it", async () => {
    let posts = 0;
    const { client } = await fakeRancher((req, _body, res) => {
      if (req.method === 'POST') {
        posts++;
        if (posts < 4) return json(res, 404, notFoundNamespace('c-abcde'));
        return json(res, 201, { id: 'c-abcde:crt-1', token: 't'.repeat(54), clusterId: 'c-abcde' });
      }
      const data =
        posts >= 4
          ? [{ id: 'c-abcde:crt-1', token: 't'.repeat(54), clusterId: 'c-abcde', manifestUrl: 'https://r/m' }]
          : [];
      json(res, 200, { data });
    });
    const progress: string[] = [];
    const token = await client.registrationToken('c-abcde', {
      retryDelayMs: () => 10,
      onProgress: (t) => progress.push(t),
    });
    expect(token.manifestUrl).toBe('https://r/m');
    expect(posts).toBe(4);
    expect(progress).toHaveLength(3);
    expect(progress[0]).toMatch(
      /^waiting for Rancher to create namespace c-abcde \(POST \/v3\/clusterregistrationtokens: 404, attempt 1, /,
    );
  });

  it('reuses a token Rancher already has instead of making another', async () => {
    let posts = 0;
    const { client } = await fakeRancher((req, _body, res) => {
      if (req.method === 'POST') posts++;
      json(res, 200, {
        data: [
          { id: 'c-abcde:crt-0', token: 'u'.repeat(54), clusterId: 'c-abcde', manifestUrl: 'https://r/m0' },
        ],
      });
    });
    expect((await client.registrationToken('c-abcde')).id).toBe('c-abcde:crt-0');
    expect(posts).toBe(0);
  });

  it('gives up after the bound with a clear error, and a 404 of another kind at once', async () => {
    const { client } = await fakeRancher((req, _body, res) =>
      req.method === 'POST' ? json(res, 404, notFoundNamespace('c-abcde')) : json(res, 200, { data: [] }),
    );
    const started = Date.now();
    const err = await client
      .registrationToken('c-abcde', { namespaceWaitMs: 300, retryDelayMs: () => 50 })
      .catch((e: unknown) => e as RancherError);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toBeInstanceOf(RancherError);
    expect((err as RancherError).message).toMatch(
      /^Rancher did not create the namespace of cluster c-abcde within 0.3 s: POST \/v3\/clusterregistrationtokens answered 404 \(namespaces "c-abcde" not found\) \d+ times/,
    );

    const other = await fakeRancher((req, _body, res) =>
      req.method === 'POST'
        ? json(res, 404, {
            type: 'error',
            status: 404,
            code: 'NotFound',
            message: 'clusters "c-abcde" not found',
          })
        : json(res, 200, { data: [] }),
    );
    let retries = 0;
    await expect(
      other.client.registrationToken('c-abcde', {
        retryDelayMs: () => {
          retries++;
          return 10;
        },
      }),
    ).rejects.toThrow(/not found in Rancher \(404 on POST \/v3\/clusterregistrationtokens\): clusters/);
    expect(retries).toBe(0);
    expect(other.seen.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('stops waiting when aborted', async () => {
    const { client } = await fakeRancher((req, _body, res) =>
      req.method === 'POST' ? json(res, 404, notFoundNamespace('c-abcde')) : json(res, 200, { data: [] }),
    );
    const abort = new AbortController();
    const waiting = client.registrationToken('c-abcde', {
      signal: abort.signal,
      retryDelayMs: () => 60_000,
      onProgress: () => abort.abort(new Error('cancelled')),
    });
    await expect(waiting).rejects.toThrow('cancelled');
  });
});

describe('isNamespaceMissing', () => {
  const e = (status: number, message: string) => new RancherError('x', status, 'NotFound', message);
  it("matches Rancher's 404 for that cluster's namespace only", () => {
    expect(isNamespaceMissing(e(404, 'namespaces "c-abcde" not found'), 'c-abcde')).toBe(true);
    expect(isNamespaceMissing(e(404, 'namespaces c-abcde not found'), 'c-abcde')).toBe(true);
    expect(isNamespaceMissing(e(404, 'namespaces "c-zzzzz" not found'), 'c-abcde')).toBe(false);
    expect(isNamespaceMissing(e(404, 'clusters "c-abcde" not found'), 'c-abcde')).toBe(false);
    expect(isNamespaceMissing(e(422, 'namespaces "c-abcde" not found'), 'c-abcde')).toBe(false);
    expect(isNamespaceMissing(new Error('namespaces "c-abcde" not found'), 'c-abcde')).toBe(false);
  });
});
