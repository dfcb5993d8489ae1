/**
 * Each simulated cluster's own API, with the real kubectl from the test stack
 * against two clusters A and B through their exported kubeconfigs, and the
 * same endpoint over an in-memory stream with TLS verified as Rancher does.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { duplexPair } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { testConfig } from '../helpers/test-config';
import { Engine } from '../../src/main/engine/engine';
import { advertisedHost } from '../../src/main/engine/vapi/pki/cluster-identity';
import { clusterRecord } from '../helpers/engine-view';
import { KUBE_BIN_DIR } from '../helpers/kube-stack';
import { KubeconfigClient, kubectl, kubectlOk as ok } from '../helpers/kubectl';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import { memoryLogger } from '../helpers/test-logger';

const MANIFEST = resolve(import.meta.dirname, '../fixtures/rancher-import-manifest.yaml');

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();

describe('virtual API per simulated cluster', () => {
  let main: TestMainCluster;
  let engine: Engine;
  const dir = mkdtempSync(join(tmpdir(), 'sca-vapi-'));
  const kc = { a: join(dir, 'a.yaml'), b: join(dir, 'b.yaml') };

  beforeAll(async () => {
    main = await startTestMainCluster();
    engine = new Engine({
      config: testConfig({ HomeDir: dir }),
      logger: memoryLogger().logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engine.start();
    await engine.handle('clusters.create', { name: 'ta', template: 'default' });
    await engine.handle('clusters.create', { name: 'tb', template: 'default' });
    await eventually(
      async () =>
        (await clusterRecord(engine, 'ta')).status === 'ready' &&
        (await clusterRecord(engine, 'tb')).status === 'ready',
      'both ready',
      60_000,
    );
    writeFileSync(kc.a, await engine.kubeconfig('ta'));
    writeFileSync(kc.b, await engine.kubeconfig('tb'));
  });
  afterAll(async () => {
    await engine?.stop();
    await main?.destroy();
  });

  /** Reads answered without the main apiserver, of one kind (the engine's metric). */
  const cachedReadsOf = async (what: string) =>
    (await engine.metrics.vapiCachedReads.get()).values.find((v) => v.labels.what === what)?.value ?? 0;

  it("kubectl get nodes shows only that cluster's nodes", async () => {
    expect(lines(await ok(kc.a, ['get', 'nodes', '-o', 'name']))).toEqual(['node/ta-node1', 'node/ta-node2']);
    expect(lines(await ok(kc.b, ['get', 'nodes', '-o', 'name']))).toEqual(['node/tb-node1', 'node/tb-node2']);
    const other = await kubectl(kc.a, ['get', 'node', 'tb-node1']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/NotFound|not found/);
  });

  it("kubectl get ns shows a fresh cluster's namespaces by their own names", async () => {
    const ns = lines(await ok(kc.a, ['get', 'ns', '-o', 'name']));
    expect(ns).toEqual(
      expect.arrayContaining([
        'namespace/default',
        'namespace/kube-system',
        'namespace/kube-public',
        'namespace/kube-node-lease',
      ]),
    );
    expect(ns.every((n) => !n.includes('tb') && !n.includes('ta-'))).toBe(true);
    const sa = await ok(kc.a, [
      'get',
      'serviceaccount',
      'default',
      '-n',
      'kube-system',
      '-o',
      'jsonpath={.metadata.namespace}',
    ]);
    expect(sa).toBe('kube-system');
    await eventually(
      async () => (await kubectl(kc.a, ['get', 'configmap', 'kube-root-ca.crt', '-n', 'default'])).code === 0,
      'kube-root-ca.crt',
    );
  });

  it("answers a namespace read from the engine's watch as the apiserver would, and a cluster's own writes from the apiserver", async () => {
    const cachedReads = () => cachedReadsOf('namespace');
    const before = await cachedReads();
    // Rancher's health check: one namespace, with client-go's timeout (Rancher configures 45 s).
    const cached = JSON.parse(
      await ok(kc.a, ['get', '--raw', '/api/v1/namespaces/kube-system?timeout=45s']),
    ) as {
      metadata: Record<string, unknown>;
    };
    expect(await cachedReads()).toBe(before + 1);
    // Other queries go to the apiserver: the two answers match but for the write history the cache drops.
    const upstream = JSON.parse(
      await ok(kc.a, ['get', '--raw', '/api/v1/namespaces/kube-system?pretty=false']),
    ) as { metadata: Record<string, unknown> };
    expect(await cachedReads()).toBe(before + 1);
    delete upstream.metadata.managedFields;
    expect(cached).toEqual(upstream);
    expect(cached).toMatchObject({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'kube-system' } });
    // B's kube-system is another object: each cluster reads its own.
    const other = JSON.parse(await ok(kc.b, ['get', '--raw', '/api/v1/namespaces/kube-system'])) as {
      metadata: { uid: string };
    };
    expect(other.metadata.uid).not.toBe(cached.metadata.uid);
    // A cluster reads its own write at once, however far the watch lags: it is asked upstream for a while.
    await ok(kc.a, ['label', 'namespace', 'kube-system', 'read-own-write=yes']);
    // kubectl label read the namespace (from the cache) before it patched it.
    expect(await cachedReads()).toBe(before + 3);
    expect(
      await ok(kc.a, ['get', 'ns', 'kube-system', '-o', 'jsonpath={.metadata.labels.read-own-write}']),
    ).toBe('yes');
    expect(await cachedReads()).toBe(before + 3);
  });

  it('serves OpenAPI documents from one copy for every cluster, gzipped to clients that take it', async () => {
    const hits = () => cachedReadsOf('openapi');
    const index = JSON.parse(await ok(kc.a, ['get', '--raw', '/openapi/v3'])) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    const path = index.paths['apis/apps/v1']!.serverRelativeURL;
    expect(path).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=\w+$/);
    const upstream = await main.rest.get<unknown>(path);

    const clientA = new KubeconfigClient(kc.a);
    const clientB = new KubeconfigClient(kc.b);
    const get = (client: KubeconfigClient, at: string, headers: Record<string, string> = {}) =>
      client.request('GET', at, { headers: { accept: 'application/json', ...headers } });
    const fromA = await get(clientA, path);
    expect(fromA.status).toBe(200);
    expect(fromA.headers['content-encoding']).toBeUndefined();
    expect(fromA.headers['cache-control']).toMatch(/immutable/);
    expect(JSON.parse(fromA.body.toString())).toEqual(upstream);
    // B's read is the copy A's brought in, compressed for a client that takes gzip (as Go's transport does).
    const before = await hits();
    const fromB = await get(clientB, path, { 'accept-encoding': 'gzip' });
    expect(await hits()).toBe(before + 1);
    expect(fromB.status).toBe(200);
    expect(fromB.headers['content-encoding']).toBe('gzip');
    expect(fromB.headers.vary).toMatch(/Accept-Encoding/);
    expect(fromB.body.length).toBeLessThan(fromA.body.length / 4);
    expect(JSON.parse(gunzipSync(fromB.body).toString())).toEqual(upstream);
    // The copy is shared, the cluster's own authentication is not.
    const stranger = await get(clientB, path, { authorization: 'Bearer wrong' });
    expect(stranger.status).toBe(401);
    // An outdated hash is the apiserver's redirect to the current one, passed on and not kept.
    const stale = await get(clientA, '/openapi/v3/apis/apps/v1?hash=00');
    expect(stale.status).toBe(301);
    expect(stale.headers.location).toBe(path);
    await get(clientA, '/openapi/v3/apis/apps/v1?hash=00');
    expect(await hits()).toBe(before + 1);
    clientA.close();
    clientB.close();
  });

  it('applies a Rancher-shaped import manifest unchanged on both clusters, each seeing only its own', async () => {
    for (const k of [kc.a, kc.b]) {
      const out = await ok(k, ['apply', '-f', MANIFEST]);
      expect(out).toMatch(
        /clusterrolebinding.rbac.authorization.k8s.io\/cattle-admin-binding (created|configured|unchanged)/,
      );
      expect(out).toMatch(/deployment.apps\/cattle-cluster-agent (created|configured|unchanged)/);
    }
    // Applying again converges.
    expect(await ok(kc.a, ['apply', '-f', MANIFEST])).toMatch(/unchanged/);
    const crb = lines(await ok(kc.a, ['get', 'clusterrolebindings', '-o', 'name'])).filter((n) =>
      n.includes('cattle-admin-binding'),
    );
    expect(crb).toEqual(['clusterrolebinding.rbac.authorization.k8s.io/cattle-admin-binding']);
    const ref = await ok(kc.a, [
      'get',
      'clusterrolebinding',
      'cattle-admin-binding',
      '-o',
      'jsonpath={.roleRef.name} {.subjects[0].namespace}',
    ]);
    expect(ref).toBe('cattle-admin cattle-system');
    expect(await ok(kc.b, ['get', 'clusterrole', 'cattle-admin', '-o', 'jsonpath={.metadata.name}'])).toBe(
      'cattle-admin',
    );
    // The agent Deployment's pod lands on the cluster's own nodes.
    const node = await eventually(
      async () => {
        const n = (
          await ok(kc.a, [
            'get',
            'pods',
            '-n',
            'cattle-system',
            '-l',
            'app=cattle-cluster-agent',
            '-o',
            'jsonpath={.items[0].spec.nodeName}',
          ])
        ).trim();
        return n || undefined;
      },
      'agent pod bound',
      60_000,
    );
    expect(node).toMatch(/^ta-node/);
  });

  it("kubectl get pods -A shows only the cluster's pods under its own namespaces", async () => {
    const a = lines(
      await ok(kc.a, [
        'get',
        'pods',
        '-A',
        '--no-headers',
        '-o',
        'custom-columns=NS:.metadata.namespace,NODE:.spec.nodeName',
      ]),
    );
    expect(a.length).toBeGreaterThan(0);
    for (const row of a) {
      const [ns, node] = row.split(/\s+/);
      expect(ns).not.toMatch(/-[0-9a-f]{6}$/);
      expect(node === '<none>' || node?.startsWith('ta-')).toBe(true);
    }
    const table = await ok(kc.a, ['get', 'pods', '-A']);
    expect(table).toMatch(/^NAMESPACE\s+NAME/);
    expect(table).not.toMatch(/tb-node|[a-z]-[0-9a-f]{6}\s/);
  });

  it("kubectl get pods -A -w streams only the cluster's pods", async () => {
    const watch = spawn(join(KUBE_BIN_DIR, 'kubectl'), [
      '--kubeconfig',
      kc.a,
      'get',
      'pods',
      '-A',
      '-w',
      '--no-headers',
      '-o',
      'custom-columns=NS:.metadata.namespace,NAME:.metadata.name',
    ]);
    let out = '';
    watch.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually(() => out.includes('cattle-cluster-agent'), 'initial list in the watch');
      await ok(kc.b, ['run', 'only-in-b', '--image=x', '-n', 'default']);
      await ok(kc.a, ['run', 'only-in-a', '--image=x', '-n', 'default']);
      await eventually(() => out.includes('only-in-a'), 'A pod in the watch');
      await new Promise((r) => setTimeout(r, 1000));
      expect(out).not.toContain('only-in-b');
      expect(out).toMatch(/^default\s+only-in-a/m);
    } finally {
      watch.kill();
    }
  });

  it("deleting A's cattle-system leaves B's intact", async () => {
    await ok(kc.a, ['delete', 'namespace', 'cattle-system', '--wait=true', '--timeout=60s']);
    expect((await kubectl(kc.a, ['get', 'ns', 'cattle-system'])).code).not.toBe(0);
    expect(
      await ok(kc.b, [
        'get',
        'deployment',
        'cattle-cluster-agent',
        '-n',
        'cattle-system',
        '-o',
        'jsonpath={.metadata.name}',
      ]),
    ).toBe('cattle-cluster-agent');
  });

  it('refuses a wrong token with 401 and writes to shared built-ins with 403', async () => {
    const bad = readFileSync(kc.a, 'utf8').replace(/token: \S+/, 'token: sca_not-a-real-token');
    writeFileSync(join(dir, 'bad.yaml'), bad);
    const r = await kubectl(join(dir, 'bad.yaml'), ['get', 'nodes']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Unauthorized|provide credentials/);
    // B's token is not A's.
    const cfgB = parseYaml(readFileSync(kc.b, 'utf8')) as { users: { user: { token: string } }[] };
    const swapped = readFileSync(kc.a, 'utf8').replace(/token: \S+/, `token: ${cfgB.users[0]!.user.token}`);
    writeFileSync(join(dir, 'swapped.yaml'), swapped);
    expect((await kubectl(join(dir, 'swapped.yaml'), ['get', 'nodes'])).stderr).toMatch(
      /Unauthorized|provide credentials/,
    );
    const write = await kubectl(kc.a, ['label', 'clusterrole', 'cluster-admin', 'owned=me']);
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/built-in shared by all simulated clusters and is read-only/);
    expect(await ok(kc.a, ['get', 'clusterrole', 'cluster-admin', '-o', 'jsonpath={.metadata.name}'])).toBe(
      'cluster-admin',
    );
  });

  it('watches of many clients share one HTTP/2 connection to the main apiserver, each seeing only its own events', async () => {
    const pool = (await engine.provisioner()).rest.watchStreams!;
    const before = pool.usage.streams;
    const open = (file: string, path: string) => {
      const k = parseYaml(readFileSync(file, 'utf8')) as {
        clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
        users: { user: { token: string } }[];
      };
      const server = new URL(k.clusters[0]!.cluster.server);
      let events = '';
      const req = httpsRequest(
        {
          hostname: server.hostname,
          port: server.port,
          path,
          ca: Buffer.from(k.clusters[0]!.cluster['certificate-authority-data'], 'base64'),
          headers: { authorization: `Bearer ${k.users[0]!.user.token}` },
        },
        (res) => res.on('data', (d: Buffer) => (events += d.toString())),
      );
      req.on('error', () => undefined);
      req.end();
      return { events: () => events, close: () => req.destroy() };
    };
    const rv = (
      JSON.parse(await ok(kc.a, ['get', '--raw', '/api/v1/nodes'])) as {
        metadata: { resourceVersion: string };
      }
    ).metadata.resourceVersion;
    const path = `/api/v1/nodes?watch=true&resourceVersion=${rv}`;
    const watches = {
      a: [open(kc.a, path), open(kc.a, path), open(kc.a, path)],
      b: [open(kc.b, path), open(kc.b, path)],
    };
    try {
      await eventually(() => pool.usage.streams === before + 5 || undefined, 'five upstream watch streams');
      expect(pool.usage.connections).toBe(1);
      await main.rest.mergePatch('/api/v1/nodes/ta-node2', { metadata: { labels: { shared: 'h2' } } });
      await main.rest.mergePatch('/api/v1/nodes/tb-node2', { metadata: { labels: { shared: 'h2' } } });
      for (const w of watches.a)
        await eventually(() => w.events().includes('"shared":"h2"'), 'A sees ta-node2');
      for (const w of watches.b)
        await eventually(() => w.events().includes('"shared":"h2"'), 'B sees tb-node2');
      for (const w of watches.a) expect(w.events()).not.toContain('tb-node2');
      for (const w of watches.b) expect(w.events()).not.toContain('ta-node2');
    } finally {
      for (const w of [...watches.a, ...watches.b]) w.close();
    }
    // A client that goes away ends its upstream stream.
    await eventually(() => pool.usage.streams === before || undefined, 'upstream streams ended');
  });

  it("the engine's in-memory client reuses its connection and leaves none open once idle", async () => {
    const vapi = await engine.virtualApi();
    const before = vapi.openConnections;
    const servedBefore = vapi.connectionsServed;
    const client = vapi.internalClient('tb');
    for (let i = 0; i < 10; i++) {
      const r = await client.request<{ items: unknown[] }>('GET', '/api/v1/namespaces');
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeGreaterThan(3);
    }
    // Back-to-back requests share a kept-alive connection (a TLS handshake each cost 10x the request).
    expect(vapi.connectionsServed - servedBefore).toBeLessThanOrEqual(2);
    // Idle, it closes: an idle cluster keeps no connection of the engine's own.
    await eventually(() => vapi.openConnections <= before || undefined, 'connections closed', 10_000);
  });

  it('serves the same API over an in-memory stream with TLS verified against the CA and the advertised name', async () => {
    const vapi = await engine.virtualApi();
    const token = (parseYaml(readFileSync(kc.a, 'utf8')) as { users: { user: { token: string } }[] })
      .users[0]!.user.token;
    // Each request gets its own in-memory stream pair: no TCP anywhere.
    let checked: { authorized: boolean; alpn: string | false } | undefined;
    const connectInMemory = (): import('node:net').Socket => {
      const [serverSide, clientSide] = duplexPair();
      void vapi.serveStream('ta', serverSide);
      const tls = tlsConnect({
        socket: clientSide as never,
        ca: vapi.identities.caPem,
        servername: advertisedHost('ta'),
        ALPNProtocols: ['http/1.1'],
      });
      tls.once(
        'secureConnect',
        () => (checked = { authorized: tls.authorized, alpn: tls.alpnProtocol ?? false }),
      );
      return tls;
    };
    const get = (path: string) =>
      new Promise<{ status: number; body: string; res: import('node:http').IncomingMessage }>(
        (done, fail) => {
          // Plain http over a socket that is already TLS: the TLS is ours, in memory.
          const req = httpRequest(
            {
              createConnection: connectInMemory,
              path,
              headers: { authorization: `Bearer ${token}`, host: advertisedHost('ta') },
            },
            (res) => {
              if (path.includes('watch')) return done({ status: res.statusCode ?? 0, body: '', res });
              let body = '';
              res.on('data', (d: Buffer) => (body += d.toString()));
              res.on('end', () => done({ status: res.statusCode ?? 0, body, res }));
            },
          );
          req.once('error', fail);
          req.end();
        },
      );
    const list = await get('/api/v1/nodes');
    expect(list.status).toBe(200);
    expect(checked).toEqual({ authorized: true, alpn: 'http/1.1' });
    const nodes = JSON.parse(list.body) as {
      items: { metadata: { name: string } }[];
      metadata: { resourceVersion: string };
    };
    expect(nodes.items.map((n) => n.metadata.name).sort()).toEqual(['ta-node1', 'ta-node2']);
    const watch = await get(`/api/v1/nodes?watch=true&resourceVersion=${nodes.metadata.resourceVersion}`);
    expect(watch.status).toBe(200);
    let events = '';
    watch.res.on('data', (d: Buffer) => (events += d.toString()));
    await main.rest.mergePatch('/api/v1/nodes/ta-node1', { metadata: { labels: { touched: 'yes' } } });
    await main.rest.mergePatch('/api/v1/nodes/tb-node1', { metadata: { labels: { touched: 'yes' } } });
    await eventually(() => events.includes('"touched":"yes"'), 'watch event for ta-node1');
    await new Promise((r) => setTimeout(r, 500));
    expect(events).not.toContain('tb-node1');
    watch.res.destroy();
  });
});
