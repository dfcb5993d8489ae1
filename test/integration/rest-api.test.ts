/**
 * The seed-compatible REST API over real HTTP: every endpoint, bad names,
 * bad JSON and duplicates, and that a refused request creates nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiOnlyAgent } from '../helpers/test-engine';

describe('REST API', () => {
  let agent: Awaited<ReturnType<typeof startApiOnlyAgent>>;
  let base: string;

  beforeAll(async () => {
    agent = await startApiOnlyAgent();
    base = agent.web.url;
  });
  afterAll(() => agent.stop());

  const post = (body: string, type = 'application/json') =>
    fetch(`${base}/clusters`, { method: 'POST', body, headers: { 'content-type': type } });
  const names = async () =>
    ((await (await fetch(`${base}/clusters`)).json()) as { clusters: string[] }).clusters;

  it('answers /healthz with ok', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it('creates a cluster with the seed response and lists it', async () => {
    const res = await post('{"name":"test-cluster-012"}');
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      success: true,
      message: 'Cluster test-cluster-012 created successfully',
      clusterID: '',
    });
    const list = await (await fetch(`${base}/clusters`)).json();
    expect(list).toEqual({ clusters: ['test-cluster-012'], count: 1 });
  });

  it('accepts a JSON body sent as curl -d does (form content type)', async () => {
    const res = await post('{"name":"from-curl"}', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(201);
  });

  it('returns one cluster record, or 404', async () => {
    const res = await fetch(`${base}/clusters/test-cluster-012`);
    expect(res.status).toBe(200);
    const record = (await res.json()) as { status: string };
    expect(record).toMatchObject({
      name: 'test-cluster-012',
      rancherId: '',
      template: 'default',
      nodeCount: 0,
    });
    // No main cluster in this test: the cluster waits at its first step.
    expect(['pending', 'creating_backing']).toContain(record.status);
    const missing = await fetch(`${base}/clusters/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ success: false, error: 'not_found' });
  });

  it('refuses a duplicate with 409 and keeps one record', async () => {
    const before = await names();
    const res = await post('{"name":"test-cluster-012"}');
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      success: false,
      error: 'conflict',
      message: 'cluster "test-cluster-012" already exists',
    });
    expect(await names()).toEqual(before);
  });

  it.each([
    ['{"name":"Upper"}', /lowercase/],
    ['{"name":"under_score"}', /only lowercase letters, digits and "-"/],
    ['{"name":"-lead"}', /must start with/],
    [`{"name":"${'a'.repeat(56)}"}`, /at most 55 characters/],
    ['{"name":""}', /name is required/],
    ['{}', /name is required/],
    ['{"name":7}', /"name" must be a string/],
    ['{"name":', /not valid JSON/],
    ['', /body is empty/],
    ['[1,2]', /must be a JSON object/],
  ])('refuses %s with 400 and creates nothing', async (body, why) => {
    const before = await names();
    const res = await post(body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { success: boolean; message: string };
    expect(json.success).toBe(false);
    expect(json.message).toMatch(why);
    expect(await names()).toEqual(before);
  });

  it('refuses oversized bodies', async () => {
    const res = await post(JSON.stringify({ name: 'big', pad: 'x'.repeat(70_000) }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/larger than/);
    expect(await names()).not.toContain('big');
  });

  it('deletes a cluster, then 404 on a second delete', async () => {
    const res = await fetch(`${base}/clusters/from-curl`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
    expect(await names()).not.toContain('from-curl');
    const again = await fetch(`${base}/clusters/from-curl`, { method: 'DELETE' });
    expect(again.status).toBe(404);
  });

  it('refuses an unknown template or field with 400 and creates nothing', async () => {
    const before = await names();
    const bad = await post('{"name":"tpl-bad","template":"huge"}');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/template/);
    const badNodes = await post('{"name":"tpl-bad","template":{"kind":"generator","nodes":0}}');
    expect(badNodes.status).toBe(400);
    expect(((await badNodes.json()) as { message: string }).message).toMatch(/nodes/);
    const unknown = await post('{"name":"tpl-bad","colour":"blue"}');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/unknown field "colour"/);
    expect(await names()).toEqual(before);
  });

  it('refuses a bad batch with 400 and creates nothing', async () => {
    const before = await names();
    const res = await fetch(`${base}/clusters/batch`, {
      method: 'POST',
      body: '{"pattern":"b-{1..3}","concurrency":0}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/concurrency/);
    const dup = await fetch(`${base}/clusters/batch`, {
      method: 'POST',
      body: '{"pattern":"test-cluster-01{1..3}"}',
    });
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as { message: string }).message).toMatch(
      /nothing created.*test-cluster-012.*already exists/,
    );
    expect(await names()).toEqual(before);
    expect((await fetch(`${base}/batches/b-nope`)).status).toBe(404);
  });

  it('changes the log level at run time, and refuses a bad one', async () => {
    const set = await fetch(`${base}/log-level`, { method: 'PUT', body: '{"level":"debug"}' });
    expect(await set.json()).toEqual({ level: 'debug' });
    expect(await (await fetch(`${base}/log-level`)).json()).toEqual({ level: 'debug' });
    const bad = await fetch(`${base}/log-level`, { method: 'PUT', body: '{"level":"loud"}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/must be one of trace, debug, info/);
    expect(await (await fetch(`${base}/log-level`)).json()).toEqual({ level: 'debug' });
    await fetch(`${base}/log-level`, { method: 'PUT', body: '{"level":"info"}' });
  });

  it('answers 405 for a wrong method', async () => {
    const res = await fetch(`${base}/clusters`, { method: 'PUT', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
  });

  it('reports the main cluster', async () => {
    const res = await fetch(`${base}/main-cluster`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ provider: 'kwokctl', name: 'main-cluster' });
  });
});

describe('access token when bound beyond loopback', () => {
  it('refuses to listen on a non-loopback address without a token', async () => {
    await expect(startApiOnlyAgent({ ListenAddress: '0.0.0.0' })).rejects.toThrow(/AccessToken/);
  });

  it('answers 401 without the token and 200 with it', async () => {
    const agent = await startApiOnlyAgent({ AccessToken: 'a-long-access-token' });
    try {
      expect((await fetch(`${agent.web.url}/clusters`)).status).toBe(401);
      const wrong = await fetch(`${agent.web.url}/clusters`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      const authorized = { headers: { authorization: 'Bearer a-long-access-token' } };
      const ok = await fetch(`${agent.web.url}/clusters`, authorized);
      expect(ok.status).toBe(200);
      const created = await fetch(`${agent.web.url}/clusters`, { method: 'POST', body: '{"name":"x"}' });
      expect(created.status).toBe(401);
      // Nothing was created: the list, as an authorized client reads it, is still empty.
      expect(await (await fetch(`${agent.web.url}/clusters`, authorized)).json()).toEqual({
        clusters: [],
        count: 0,
      });
      // Probes and the UI's own files need no token; data and effects do, the WebSocket included.
      const health = await fetch(`${agent.web.url}/healthz`);
      expect([health.status, await health.text()]).toEqual([200, 'ok']);
      expect((await fetch(`${agent.web.url}/healthz`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`${agent.web.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${agent.web.url}/main-cluster`)).status).toBe(401);
      expect((await fetch(`${agent.web.url}/some/ui/route`)).status).toBe(401);
      const page = await fetch(`${agent.web.url}/?token=wrong`);
      expect(page.status).not.toBe(401);
    } finally {
      await agent.stop();
    }
  });
});
