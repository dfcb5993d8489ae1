/**
 * The agent's main-tunnel allow rule against Rancher's real Go remotedialer
 * server: a Connect to the cluster's own address is served; a Connect to any
 * other address (another local port) is refused with Go's "connect not
 * allowed" and reaches nothing.
 */
import { createServer, type Server } from 'node:net';
import { duplexPair } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClientSession, type ClientSession } from '../../src/main/engine/remotedialer';
import { mainTunnelAllow } from '../../src/main/engine/rancher/tunnel-allow';
import { buildPeers, GoServer, PEER_VERSIONS } from './go-peer';

const OWN = 'api.c1.scale-agent.local:443';

describe('tunnel allow rules (Go server v0.5.2)', () => {
  let server: GoServer;
  let session: ClientSession;
  let bait: Server;
  let baitHits = 0;

  beforeAll(async () => {
    buildPeers();
    server = await GoServer.start(PEER_VERSIONS[0]);
    // A real local port that a refused Connect must never reach.
    bait = createServer((s) => {
      baitHits++;
      s.destroy();
    });
    await new Promise<void>((r) => bait.listen(0, '127.0.0.1', () => r()));
    session = await connectClientSession({
      url: server.url,
      headers: { 'X-Test-Token': 'test-token', 'X-Test-Client': 'c1' },
      allow: mainTunnelAllow(OWN),
      // The cluster's own API, in memory: an echo stands in for it here.
      dial: async () => {
        const [ours, theirs] = duplexPair();
        ours.pipe(ours);
        return theirs;
      },
    });
    await new Promise((r) => setTimeout(r, 200));
  });
  afterAll(async () => {
    session?.close();
    bait?.close();
    await server?.stop();
  });

  it("serves a Connect to the cluster's own address", async () => {
    const job = await server.waitJob(
      await server.startJob({ kind: 'echo', client: 'c1', address: OWN, bytes: 4096 }),
    );
    expect(job.error ?? '').toBe('');
    expect(job.recvSha).toBe(job.sentSha);
  });

  it('refuses a Connect to any other address, and the other port is never reached', async () => {
    const port = (bait.address() as { port: number }).port;
    // A refused dial fails at once; the bound only turns a hang into a clear failure.
    const refused = async (address: string, proto = 'tcp'): Promise<string | undefined> => {
      const id = await server.startJob({ kind: 'echo', client: 'c1', address, proto, bytes: 16 });
      return (await server.waitJob(id, 20_000)).error;
    };
    for (const address of [`127.0.0.1:${port}`, 'localhost:6443', 'not-used:80']) {
      expect(await refused(address)).toMatch(/connect not allowed/);
    }
    expect(await refused(OWN, 'udp')).toMatch(/connect not allowed/);
    expect(baitHits).toBe(0);
    expect(session.isClosed).toBe(false);
  });
});
