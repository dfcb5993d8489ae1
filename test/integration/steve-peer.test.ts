/**
 * The real rancher/steve (v0.9.18, the Steve v1 API behind Rancher's cluster
 * explorer) pointed at a simulated cluster's exported kubeconfig: proof that
 * the virtual API is good enough for it, in steve's default in-memory mode and
 * in its SQL cache mode (Rancher's ui-sql-cache). Cluster sa (template
 * "default") is the one steve sees; cluster sb (template "tiny") runs beside
 * it and must stay invisible. A failure names the request and carries steve's
 * output and the agent's log.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Engine } from '../../src/main/engine/engine';
import { kubectlOk } from '../helpers/kubectl';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import { EXPLORER_SCHEMA_IDS, startStevePeer, type StevePeer } from '../helpers/steve-peer';
import { testConfig } from '../helpers/test-config';
import { memoryLogger } from '../helpers/test-logger';

/** The pods of the "default" template, as steve ids (namespace/name). */
const DEFAULT_TEMPLATE_PODS = [
  'default/nginx',
  'default/redis',
  'kube-system/coredns',
  'kube-system/metrics-server',
];
const SCHEMA_IDS = EXPLORER_SCHEMA_IDS;

interface SteveObject {
  id: string;
  type: string;
  metadata: {
    name: string;
    namespace?: string;
    state?: { name: string; error: boolean; transitioning: boolean };
  };
  spec?: { nodeName?: string };
}
interface SteveCollection<T = SteveObject> {
  type: string;
  resourceType: string;
  count?: number;
  data: T[];
}
interface SteveAnswer {
  status: number;
  body: string;
  json?: unknown;
}

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();

describe('the real steve against a simulated cluster', () => {
  let main: TestMainCluster;
  let engine: Engine;
  const log = memoryLogger('debug');
  const dir = mkdtempSync(join(tmpdir(), 'sca-steve-'));
  const kc = { sa: join(dir, 'sa.yaml'), sb: join(dir, 'sb.yaml') };
  let sbPods: string[] = [];

  beforeAll(async () => {
    main = await startTestMainCluster();
    engine = new Engine({
      config: testConfig({ HomeDir: dir }),
      logger: log.logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engine.start();
    await engine.handle('clusters.create', { name: 'sa', template: 'default' });
    await engine.handle('clusters.create', { name: 'sb', template: 'tiny' });
    await eventually(
      async () =>
        (await engine.handle('clusters.list', undefined)).filter((c) => c.status === 'ready').length === 2,
      'clusters sa and sb ready',
      120_000,
    );
    writeFileSync(kc.sa, (await engine.handle('clusters.kubeconfig', { name: 'sa' })).kubeconfig);
    writeFileSync(kc.sb, (await engine.handle('clusters.kubeconfig', { name: 'sb' })).kubeconfig);
    sbPods = lines(
      await kubectlOk(kc.sb, [
        'get',
        'pods',
        '-A',
        '-o',
        'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
      ]),
    );
  });
  afterAll(async () => {
    await engine?.stop();
    await main?.destroy();
  });

  describe.each([
    { mode: 'in-memory (default)', sqlCache: false },
    { mode: 'SQL cache', sqlCache: true },
  ])('steve in $mode mode', ({ sqlCache }) => {
    let steve: StevePeer;

    /** An Error naming what failed, with steve's output and the agent's log, for a failure to be diagnosable. */
    const explain = (what: string, err: unknown) =>
      new Error(
        `${what}: ${err instanceof Error ? err.message : String(err)}\n` +
          `--- steve output (tail) ---\n${steve?.output().slice(-6000) ?? ''}\n` +
          `--- agent log (tail) ---\n${log.lines.slice(-60).join('')}`,
      );

    async function get(path: string): Promise<SteveAnswer> {
      const res = await fetch(`${steve.url}${path}`, { signal: AbortSignal.timeout(30_000) });
      const body = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      return { status: res.status, body, json };
    }

    /** GET that must answer 200 with JSON satisfying `ok`, within a bounded wait (steve's caches fill lazily). */
    async function getUntil<T>(path: string, ok: (json: T) => boolean, timeoutMs = 60_000): Promise<T> {
      let last: SteveAnswer | undefined;
      try {
        await eventually(
          async () => {
            last = await get(path);
            return last.status === 200 && last.json !== undefined && ok(last.json as T);
          },
          `GET ${path}`,
          timeoutMs,
        );
      } catch (err) {
        throw explain(`GET ${path} last answered ${last?.status}: ${last?.body.slice(0, 2000)}`, err);
      }
      return last!.json as T;
    }

    beforeAll(async () => {
      steve = await startStevePeer(kc.sa, { sqlCache, readyTimeoutMs: 90_000 });
    });
    afterAll(async () => {
      await steve?.stop();
    });

    it('lists the schemas of the common kinds', async () => {
      const schemas = await getUntil<SteveCollection>('/v1/schemas', (c) =>
        SCHEMA_IDS.every((id) => c.data.some((s) => s.id === id)),
      );
      expect(schemas.type).toBe('collection');
      expect(schemas.resourceType).toBe('schema');
      expect(schemas.data.map((s) => s.id)).toEqual(expect.arrayContaining(SCHEMA_IDS));
      const pod = await getUntil<{ id: string; attributes?: { kind?: string } }>(
        '/v1/schemas/pod',
        (s) => s.id === 'pod',
      );
      expect(pod).toMatchObject({
        id: 'pod',
        type: 'schema',
        attributes: { kind: 'Pod', namespaced: true, version: 'v1' },
      });
    });

    it("lists exactly that cluster's own pods from its template, none of the other cluster's", async () => {
      const pods = await getUntil<SteveCollection>(
        '/v1/pods',
        (c) => c.data.length === DEFAULT_TEMPLATE_PODS.length,
      );
      expect(pods).toMatchObject({ type: 'collection', resourceType: 'pod' });
      const ids = pods.data.map((p) => p.id).sort();
      expect(ids).toEqual(DEFAULT_TEMPLATE_PODS);
      for (const p of pods.data) {
        expect(p.type).toBe('pod');
        expect(p.id).toBe(`${p.metadata.namespace}/${p.metadata.name}`);
        expect(p.spec?.nodeName).toMatch(/^sa-node[12]$/);
        expect(p.metadata.state).toMatchObject({ name: 'running', error: false });
      }
      expect(sbPods.length).toBeGreaterThan(0);
      expect(ids.filter((id) => sbPods.includes(id))).toEqual([]);
      // What kubectl sees through the same kubeconfig.
      const viaKubectl = lines(
        await kubectlOk(kc.sa, [
          'get',
          'pods',
          '-A',
          '-o',
          'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
        ]),
      );
      expect(ids).toEqual(viaKubectl);
      const nodes = await getUntil<SteveCollection>('/v1/nodes', (c) => c.data.length === 2);
      expect(nodes.data.map((n) => n.id).sort()).toEqual(['sa-node1', 'sa-node2']);
    });

    it('lists its namespaces', async () => {
      const viaKubectl = lines(await kubectlOk(kc.sa, ['get', 'namespaces', '-o', 'name'])).map((n) =>
        n.replace(/^namespace\//, ''),
      );
      const ns = await getUntil<SteveCollection>(
        '/v1/namespaces?exclude=metadata.managedFields',
        (c) => c.data.length === viaKubectl.length,
      );
      expect(ns).toMatchObject({ type: 'collection', resourceType: 'namespace' });
      const ids = ns.data.map((n) => n.id).sort();
      expect(ids).toEqual(viaKubectl);
      expect(ids).toEqual(
        expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']),
      );
      expect(ns.data.find((n) => n.id === 'default')?.metadata.state).toMatchObject({ name: 'active' });
    });

    it('answers /v1/counts with the pods counted by namespace', async () => {
      type Counts = Record<
        string,
        { summary: { count?: number }; namespaces?: Record<string, { count: number }> }
      >;
      const counts = await getUntil<SteveCollection<{ id: string; counts: Counts }>>(
        '/v1/counts',
        (c) => c.data[0]?.counts.pod?.summary.count === DEFAULT_TEMPLATE_PODS.length,
      );
      expect(counts).toMatchObject({ type: 'collection', resourceType: 'count' });
      expect(counts.data[0]!.id).toBe('count');
      expect(counts.data[0]!.counts.pod).toEqual({
        summary: { count: 4 },
        namespaces: { default: { count: 2 }, 'kube-system': { count: 2 } },
      });
      expect(counts.data[0]!.counts.node?.summary.count).toBe(2);
    });

    it('streams a pod created with kubectl over /v1/subscribe', async () => {
      const name = sqlCache ? 'watched-sql' : 'watched-mem';
      const ws = new WebSocket(`${steve.url.replace(/^http/, 'ws')}/v1/subscribe`);
      const seen: Array<{ name: string; resourceType?: string; data?: { id?: string } }> = [];
      ws.on('message', (m: Buffer) => seen.push(JSON.parse(m.toString('utf8')) as (typeof seen)[number]));
      try {
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        ws.send(JSON.stringify({ resourceType: 'pod' }));
        await eventually(() => seen.some((m) => m.name === 'resource.start'), 'resource.start', 30_000);
        await kubectlOk(kc.sa, ['run', name, '--image=nginx:1.27', '-n', 'default']);
        await eventually(
          () => seen.some((m) => m.name === 'resource.create' && m.data?.id === `default/${name}`),
          `resource.create for default/${name}`,
          30_000,
        ).catch((err: unknown) => {
          throw explain(`subscribe saw ${seen.map((m) => `${m.name}:${m.data?.id ?? ''}`).join(', ')}`, err);
        });
        await kubectlOk(kc.sa, ['delete', 'pod', name, '-n', 'default', '--wait=true']);
        await eventually(
          () => seen.some((m) => m.name === 'resource.remove' && m.data?.id === `default/${name}`),
          `resource.remove for default/${name}`,
          30_000,
        );
      } finally {
        ws.close();
      }
      expect(seen[0]).toMatchObject({ name: 'resource.start', resourceType: 'pod' });
      expect(seen.filter((m) => m.data?.id === `default/${name}`).map((m) => m.name)).toEqual(
        expect.arrayContaining(['resource.create', 'resource.change', 'resource.remove']),
      );
    });
  });
});
