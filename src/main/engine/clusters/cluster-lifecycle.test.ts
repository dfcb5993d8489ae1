import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RancherIntegration } from '../rancher/rancher-integration';
import { createLogger } from '../telemetry/logger';
import type { ClusterProvisioner } from '../provisioning/cluster-provisioner';
import { ClusterLifecycle } from './cluster-lifecycle';
import { ClusterRegistry } from './cluster-registry';

const logger = createLogger({ level: 'error', destination: { write: () => undefined } });

/**
 * The main cluster's side, as the lifecycle sees it: provisioning succeeds, fails once
 * with `failFirst`, or hangs until aborted with `hang`; every call is recorded.
 */
function fakeProvisioner(options: { failFirst?: string; hang?: boolean } = {}) {
  const calls: string[] = [];
  let failures = options.failFirst ? 1 : 0;
  const provisioner = {
    provision: async (name: string, _t: unknown, o?: { signal?: AbortSignal }) => {
      calls.push(`provision ${name}`);
      if (failures-- > 0) throw new Error(options.failFirst);
      if (options.hang)
        await new Promise((_, reject) =>
          o?.signal?.addEventListener('abort', () => reject(o.signal?.reason)),
        );
    },
    counts: () => ({ nodes: 1, pods: 5 }),
    delete: async (name: string) => void calls.push(`delete ${name}`),
  } as unknown as ClusterProvisioner;
  return { provisioner, calls };
}

/** A Rancher that imports through the seed's steps and removes on request, recording the order. */
function fakeRancher(calls: string[]) {
  return {
    hasTunnels: () => false,
    importCluster: async (name: string, setStatus: (s: string) => void) => {
      for (const s of ['getting_yaml', 'applying_yaml', 'waiting_service_account', 'testing_api'])
        setStatus(s);
      calls.push(`import ${name}`);
      return 'c-abc12';
    },
    removeFromRancher: async (name: string, rancherId: string) => {
      calls.push(`rancher delete ${name} ${rancherId}`);
      return {};
    },
  } as unknown as RancherIntegration;
}

function setup(clusterOptions: Parameters<typeof fakeProvisioner>[0] = {}, withRancher = false) {
  const registry = new ClusterRegistry();
  const { provisioner, calls } = fakeProvisioner(clusterOptions);
  const rancher = withRancher ? fakeRancher(calls) : undefined;
  const lifecycle = new ClusterLifecycle({
    registry,
    logger,
    provisioner: async () => provisioner,
    rancher: () => rancher,
  });
  const statusOf = (name: string) => (registry.has(name) ? registry.get(name).status : 'gone');
  return { registry, lifecycle, calls, statusOf };
}

afterEach(() => vi.useRealTimers());

describe('ClusterLifecycle', () => {
  it('walks a local-only cluster through its steps to ready, saying why it is local only', async () => {
    const { registry, lifecycle, statusOf } = setup();
    lifecycle.create('alpha', 'tiny');
    await vi.waitFor(() => expect(statusOf('alpha')).toBe('ready'));
    const record = registry.get('alpha');
    expect(record.steps.map((s) => s.status)).toEqual([
      'pending',
      'creating_backing',
      'populating_template',
      'ready',
    ]);
    expect(record).toMatchObject({ nodeCount: 1, podCount: 5, message: 'local only: no Rancher configured' });
  });

  it('imports into Rancher through the seed’s steps and records the Rancher id', async () => {
    const { registry, lifecycle, statusOf, calls } = setup({}, true);
    lifecycle.create('beta', 'tiny');
    await vi.waitFor(() => expect(statusOf('beta')).toBe('ready'));
    expect(registry.get('beta').steps.map((s) => s.status)).toEqual([
      'pending',
      'creating_backing',
      'populating_template',
      'getting_yaml',
      'applying_yaml',
      'waiting_service_account',
      'testing_api',
      'ready',
    ]);
    expect(registry.get('beta').rancherId).toBe('c-abc12');
    expect(calls).toEqual(['provision beta', 'import beta']);
  });

  it('fails with the reason, and only a failed cluster can be retried, to ready', async () => {
    const { registry, lifecycle, statusOf } = setup({ failFirst: 'quota exceeded' });
    lifecycle.create('gamma', 'tiny');
    await vi.waitFor(() => expect(statusOf('gamma')).toBe('failed'));
    expect(registry.get('gamma').error).toBe('quota exceeded');
    lifecycle.retry('gamma');
    await vi.waitFor(() => expect(statusOf('gamma')).toBe('ready'));
    expect(() => lifecycle.retry('gamma')).toThrow('only a failed cluster can be retried');
  });

  it('deletes a cluster half-way through its steps: Rancher first, then its objects, then the record', async () => {
    const { lifecycle, statusOf, calls } = setup({ hang: true }, true);
    lifecycle.create('delta', 'tiny');
    await vi.waitFor(() => expect(statusOf('delta')).toBe('populating_template'));
    await lifecycle.delete('delta');
    expect(statusOf('delta')).toBe('gone');
    expect(calls).toEqual(['provision delta', 'rancher delete delta ', 'delete delta']);
  });

  it('a shutdown stops a cluster mid-step where it is, never marking it failed', async () => {
    const { lifecycle, statusOf } = setup({ hang: true });
    lifecycle.create('eps', 'tiny');
    await vi.waitFor(() => expect(statusOf('eps')).toBe('populating_template'));
    await lifecycle.shutdown(50);
    expect(statusOf('eps')).toBe('populating_template');
    lifecycle.start('eps'); // nothing new starts while shutting down
    expect(lifecycle.isRunning('eps')).toBe(false);
  });

  it('refuses a bad name or template before recording anything', () => {
    const { registry, lifecycle } = setup();
    expect(() => lifecycle.create('Bad_Name', 'tiny')).toThrow();
    expect(() => lifecycle.create('ok-name', 'no-such-preset')).toThrow();
    expect(registry.list()).toEqual([]);
  });
});

describe('ClusterLifecycle: clusters made at once', () => {
  it('lets more clusters run while the main apiserver keeps up, and cuts back when it throttles', async () => {
    vi.useFakeTimers();
    const registry = new ClusterRegistry();
    const { provisioner, calls } = fakeProvisioner({ hang: true });
    const counters = { requests: 0, totalMs: 0, throttled: 0 };
    const lifecycle = new ClusterLifecycle({
      registry,
      logger,
      provisioner: async () => provisioner,
      rancher: () => undefined,
      apiserverCounters: () => counters,
    });
    for (let i = 1; i <= 40; i++) lifecycle.create(`c-${i}`, 'tiny');
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(8);
    // Ten seconds of flat 10 ms answers with every slot busy: the limit grows, and so does the work.
    for (let s = 0; s < 10; s++) {
      counters.requests += 50;
      counters.totalMs += 500;
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(lifecycle.concurrencyLimit).toBeGreaterThan(16);
    expect(calls.length).toBe(lifecycle.concurrencyLimit);
    const grown = lifecycle.concurrencyLimit;
    counters.throttled += 3;
    await vi.advanceTimersByTimeAsync(1000);
    expect(lifecycle.concurrencyLimit).toBe(Math.floor(grown * 0.7));
    for (let i = 1; i <= 40; i++) await lifecycle.cancel(`c-${i}`);
  });

  it('keeps a fixed limit without apiserver counters', async () => {
    const { lifecycle, calls } = setup({ hang: true });
    for (let i = 1; i <= 12; i++) lifecycle.create(`c-${i}`, 'tiny');
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(8);
    expect(lifecycle.concurrencyLimit).toBe(8);
    for (let i = 1; i <= 12; i++) await lifecycle.cancel(`c-${i}`);
  });
});
