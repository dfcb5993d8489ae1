/**
 * Nothing lost across a restart: clusters acknowledged by one agent come back
 * in the next (same home folder), reconnect to Rancher without duplicates,
 * and the state file holds no secret in clear text; a corrupt state file
 * falls back to its backup with a warning.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from '../../src/main/engine/config/agent-config';
import { Engine } from '../../src/main/engine/engine';
import { clusterNames, clusterRecord, clusterRecords, hasCluster } from '../helpers/engine-view';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../helpers/rancher-standin';
import { testConfig } from '../helpers/test-config';
import { memoryLogger } from '../helpers/test-logger';

interface StandInCluster {
  id: string;
  name: string;
  state: string;
  sessions: { main: { connects: number } };
}

describe('restart', () => {
  let main: TestMainCluster;
  let standin: StandIn;
  let config: AgentConfig;
  const engines: Engine[] = [];

  const startEngine = (): Engine => {
    const engine = new Engine({
      config,
      logger: memoryLogger().logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engine.start();
    engines.push(engine);
    return engine;
  };
  const clusters = async () => (await standin.get<{ data: StandInCluster[] }>('/clusters')).data;

  beforeAll(async () => {
    [main, standin] = await Promise.all([startTestMainCluster(), startStandIn()]);
    config = testConfig({
      RancherURL: standin.url,
      BearerToken: STANDIN_TOKEN,
      RancherCACert: standin.caPath,
      ConnectRatePerSecond: 20,
    });
  });
  afterAll(async () => {
    for (const e of engines) await e.stop().catch(() => undefined);
    await standin?.stop();
    await main?.destroy();
  });

  it('brings every acknowledged cluster back after a restart, reconnected, with no duplicate in Rancher', async () => {
    const first = startEngine();
    await first.handle('batches.create', { pattern: 'rs-{1..3}', template: 'tiny', concurrency: 3 });
    await eventually(
      async () => (await clusters()).filter((c) => c.state === 'active').length === 3 || undefined,
      'three active',
      120_000,
    );
    const before = (await clusterRecords(first))
      .map((c) => ({ name: c.name, rancherId: c.rancherId }))
      .sort((a, b) => a.name.localeCompare(b.name));
    await first.stop();

    const state = readFileSync(join(config.HomeDir, 'state.json'), 'utf8');
    expect(state).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./); // no service-account JWT in clear
    expect(state).not.toContain(STANDIN_TOKEN);
    expect(state).toContain('"sealed"');

    const second = startEngine();
    const after = (await clusterRecords(second))
      .map((c) => ({ name: c.name, rancherId: c.rancherId }))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(after).toEqual(before);
    await eventually(
      async () =>
        (await clusterRecords(second)).every(
          (c) =>
            c.status === 'ready' &&
            c.tunnels?.main.state === 'connected' &&
            c.tunnels.steve.state === 'connected',
        ) || undefined,
      'tunnels back after restart',
      120_000,
    );
    const inRancher = await clusters();
    expect(inRancher.filter((c) => c.name.startsWith('rs-'))).toHaveLength(3);
    for (const c of inRancher) expect(c.sessions.main.connects).toBeGreaterThanOrEqual(2);
    await eventually(
      async () => (await clusters()).every((c) => c.state === 'active') || undefined,
      'all active again',
      60_000,
    );
    await second.stop();
  });

  it('stops gracefully mid-batch without failing anything, and the next start finishes every cluster', async () => {
    const home = testConfig().HomeDir;
    const cfg = { ...config, HomeDir: home };
    const first = new Engine({
      config: cfg,
      logger: memoryLogger().logger,
      shell: 'headless',
      mainCluster: main.provider,
      shutdownGraceMs: 200,
    });
    engines.push(first);
    first.start();
    const names = ['gs-1', 'gs-2', 'gs-3', 'gs-4', 'gs-5', 'gs-6'];
    await first.handle('batches.create', { pattern: 'gs-{1..6}', template: 'default', concurrency: 2 });
    // Stop while some clusters are mid-step and others still wait for a slot.
    await eventually(
      async () =>
        (await clusterRecords(first)).some((c) => !['pending', 'ready'].includes(c.status)) || undefined,
      'a cluster mid-step',
      60_000,
    );
    await first.stop();
    const saved = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as {
      clusters: { record: { name: string; status: string } }[];
    };
    const statuses = saved.clusters.map((c) => c.record.status);
    expect(saved.clusters.map((c) => c.record.name).sort()).toEqual(names);
    expect(statuses).not.toContain('failed');
    expect(statuses.some((s) => s !== 'ready')).toBe(true);

    const second = new Engine({
      config: cfg,
      logger: memoryLogger().logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engines.push(second);
    second.start();
    await eventually(
      async () =>
        (await clusters()).filter((c) => names.includes(c.name) && c.state === 'active').length ===
          names.length || undefined,
      'all six active after the restart',
      180_000,
    );
    const inRancher = (await clusters()).filter((c) => names.includes(c.name));
    expect(inRancher.map((c) => c.name).sort()).toEqual(names); // each exactly once
    expect(
      (await clusterRecords(second)).filter((c) => names.includes(c.name)).every((c) => c.status === 'ready'),
    ).toBe(true);
    await second.stop();
  });

  it('makes a local-only cluster when import is turned off, and imports it later on request', async () => {
    const engine = new Engine({
      config: { ...config, HomeDir: testConfig().HomeDir },
      logger: memoryLogger().logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engines.push(engine);
    engine.start();
    await engine.handle('clusters.create', { name: 'lo-1', template: 'tiny', importToRancher: false });
    const ready = await eventually(
      async () => {
        const r = await clusterRecord(engine, 'lo-1');
        return r.status === 'ready' ? r : undefined;
      },
      'lo-1 ready',
      60_000,
    );
    expect(ready).toMatchObject({
      rancherId: '',
      localOnly: true,
      message: 'local only: Rancher import was turned off',
    });
    expect((await clusters()).some((c) => c.name === 'lo-1')).toBe(false);
    await expect(
      engine.handle('clusters.create', { name: 'lo-2', importToRancher: 'no' as unknown as boolean }),
    ).rejects.toThrow(/"importToRancher" must be true or false/);
    expect(await hasCluster(engine, 'lo-2')).toBe(false);
    await engine.handle('clusters.import', { name: 'lo-1' });
    await eventually(
      async () => (await clusters()).some((c) => c.name === 'lo-1' && c.state === 'active') || undefined,
      'lo-1 active in Rancher',
      120_000,
    );
    expect((await clusterRecord(engine, 'lo-1')).localOnly).toBeUndefined();
    await engine.stop();
  });

  it('imports a cluster made without Rancher later, with one action', async () => {
    const home = testConfig().HomeDir;
    const local = new Engine({
      config: { ...config, HomeDir: home, RancherURL: '', BearerToken: '' },
      logger: memoryLogger().logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engines.push(local);
    local.start();
    await local.handle('clusters.create', { name: 'later-1', template: 'tiny' });
    const ready = await eventually(
      async () => {
        const r = await clusterRecord(local, 'later-1');
        return r.status === 'ready' ? r : undefined;
      },
      'local cluster ready',
      60_000,
    );
    expect(ready.message).toBe('local only: no Rancher configured');
    expect(ready.rancherId).toBe('');
    await expect(local.handle('clusters.import', { name: 'later-1' })).rejects.toThrow(
      /no Rancher is configured/,
    );
    await local.stop();

    const withRancher = new Engine({
      config: { ...config, HomeDir: home },
      logger: memoryLogger().logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engines.push(withRancher);
    withRancher.start();
    expect(await clusterRecord(withRancher, 'later-1')).toMatchObject({ status: 'ready', rancherId: '' });
    await withRancher.handle('clusters.import', { name: 'later-1' });
    await eventually(
      async () => (await clusters()).some((c) => c.name === 'later-1' && c.state === 'active') || undefined,
      'later-1 active in Rancher',
      120_000,
    );
    expect((await clusterRecord(withRancher, 'later-1')).rancherId).toMatch(/^c-/);
    await withRancher.stop();
  });

  it('keeps a local endpoint and its kubeconfig working across a restart, and restarts a dead listener', async () => {
    const home = testConfig().HomeDir;
    const cfg = { ...config, HomeDir: home, RancherURL: '', BearerToken: '' };
    const first = new Engine({
      config: cfg,
      logger: memoryLogger().logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engines.push(first);
    first.start();
    await first.handle('clusters.create', { name: 'ep-1', template: 'tiny' });
    await eventually(
      async () => (await clusterRecord(first, 'ep-1')).status === 'ready' || undefined,
      'ep-1 ready',
      60_000,
    );
    const kubeconfig = await first.kubeconfig('ep-1');
    const port = Number(/https:\/\/127\.0\.0\.1:(\d+)/.exec(kubeconfig)?.[1]);
    const token = /token: (\S+)/.exec(kubeconfig)?.[1] ?? '';
    const ca = Buffer.from(
      /certificate-authority-data: (\S+)/.exec(kubeconfig)?.[1] ?? '',
      'base64',
    ).toString();
    const nodes = () =>
      new Promise<number>((resolve) => {
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port,
            path: '/api/v1/nodes',
            ca,
            servername: 'localhost',
            headers: { authorization: `Bearer ${token}` },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', () => resolve(0));
        req.end();
      });
    expect(await nodes()).toBe(200);
    await eventually(
      async () => (await clusterRecord(first, 'ep-1')).localPort === port || undefined,
      'port recorded',
      5_000,
    );

    // A listener that dies is started again on the same port.
    expect((await first.virtualApi()).killLocalListener('ep-1')).toBe(true);
    await eventually(async () => (await nodes()) === 200 || undefined, 'listener restarted', 10_000);
    await first.stop();
    expect(await nodes()).toBe(0);

    // After a restart the same kubeconfig (port and token) works again.
    const secondLog = memoryLogger();
    const second = new Engine({
      config: cfg,
      logger: secondLog.logger,
      shell: 'headless',
      mainCluster: main.provider,
    });
    engines.push(second);
    second.start();
    await eventually(async () => (await nodes()) === 200 || undefined, 'endpoint back after restart', 60_000);
    await second.stop();
  });

  it('falls back to the backup when the state file is corrupt, and says so', async () => {
    const path = join(config.HomeDir, 'state.json');
    writeFileSync(path, '{"version":1,"clusters":[{"record"');
    const log = memoryLogger();
    const third = new Engine({ config, logger: log.logger, shell: 'headless', mainCluster: main.provider });
    engines.push(third);
    third.start();
    expect((await clusterNames(third)).sort()).toEqual(['rs-1', 'rs-2', 'rs-3']);
    expect(log.lines.join('\n')).toMatch(
      /State file problem: .*state\.json is unreadable.*using the backup copy/,
    );
  });
});
