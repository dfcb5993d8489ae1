import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { it } from 'vitest';
import { connectClientSession, FrameTap } from '/work/main/src/main/engine/remotedialer/index';
import { GoServer, PEER_VERSIONS } from '/work/main/test/interop/go-peer';
it('repro', async () => {
  const go = await GoServer.start(PEER_VERSIONS[0]);
  const tap = new FrameTap(200);
  tap.subscribe((r) => { if (r.typeName === 'Error' || r.typeName === 'Pause' || r.typeName === 'Resume') console.log(r.direction, r.typeName, r.connId, Buffer.from(r.head).toString()); });
  const dial = (address: string): Promise<Duplex> => new Promise((resolve, reject) => {
    const i = address.lastIndexOf(':');
    const s = connect({ host: address.slice(0, i), port: Number(address.slice(i + 1)) });
    s.once('connect', () => resolve(s)); s.once('error', reject);
  });
  const client = await connectClientSession({ url: go.url, headers: { 'X-Test-Token': 'test-token', 'X-Test-Client': 'r' }, allow: () => true, dial: (_p, a) => dial(a), tap });
  await new Promise((r) => setTimeout(r, 200));
  const ids = await Promise.all([1, 2, 3, 4].map((seed) => go.startJob({ kind: 'echo', client: 'r', address: go.echoAddress, bytes: 4 * 1024 * 1024, seed })));
  for (const id of ids) console.log(JSON.stringify(await go.waitJob(id)));
  client.close(); await go.stop();
}, 60000);
