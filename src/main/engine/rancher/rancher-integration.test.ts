// The deletion watcher against a small HTTP server playing Rancher: a
// cluster missing from the list pages is only a suspicion, confirmed or not
// by GET /v3/clusters/<id>.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/agent-config';
import { createLogger } from '../telemetry/logger';
import { RancherIntegration } from './rancher-integration';

const logger = createLogger({ level: 'fatal', destination: { write: () => undefined } });
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function watcherAgainst(byId: () => { status: number; body: unknown }) {
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/v3/clusters?')) return json(res, 200, { data: [] }); // missing from every page
    const answer = byId();
    json(res, answer.status, answer.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const notes: (string | undefined)[] = [];
  const gone: { why: string; removing: boolean }[] = [];
  const integration = new RancherIntegration({
    config: {
      ...defaultConfig('/nonexistent'),
      RancherURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      BearerToken: 'token-x:y',
      RancherDeletionWatchSeconds: 0.05,
    },
    logger,
    virtualApi: () => Promise.reject(new Error('not needed')),
    onTunnels: () => undefined,
    onGone: (_name, why, removing) => gone.push({ why, removing }),
    onNote: (_name, note) => notes.push(note),
    importedClusters: () => [{ name: 'a', rancherId: 'c-abcde' }],
  });
  integration.restoreCredentials('a', {
    rancherId: 'c-abcde',
    registrationToken: 'r',
    serviceAccountToken: 's',
  });
  integration.startDeletionWatcher();
  cleanups.push(() => integration.stop());
  return { notes, gone };
}

const until = async (check: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('deletion watcher', () => {
  it('keeps a cluster missing from the list pages that Rancher still has by id, and says so', async () => {
    const { notes, gone } = await watcherAgainst(() => ({
      status: 200,
      body: { id: 'c-abcde', name: 'a', state: 'active' },
    }));
    await until(() => notes.some((n) => n?.includes('still has')), 'the note');
    expect(notes.find((n) => n?.includes('still has'))).toBe(
      "cluster c-abcde is missing from Rancher's cluster list, but Rancher still has c-abcde (state active): keeping the cluster",
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(gone).toEqual([]);
  });

  it('confirms with a 404 by id', async () => {
    const { gone } = await watcherAgainst(() => ({
      status: 404,
      body: { type: 'error', status: 404, code: 'NotFound', message: 'clusters "c-abcde" not found' },
    }));
    await until(() => gone.length > 0, 'the confirmation');
    expect(gone[0]).toEqual({ why: 'GET /v3/clusters/c-abcde answered 404', removing: false });
  });
});
