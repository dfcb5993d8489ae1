import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MainClusterInfo, MainClusterState } from '../../../shared/main-cluster';
import { createLogger } from '../telemetry/logger';
import type { MainClusterProvider } from './main-cluster-provider';
import { MainClusterSupervisor } from './main-cluster-supervisor';

const logger = createLogger({ level: 'error', destination: { write: () => undefined } });

/** A provider whose ensure() and status() answer what the test says, counting calls. */
function provider(ensureState: MainClusterState | Error, statusState: MainClusterState = 'running') {
  const info = (state: MainClusterState): MainClusterInfo => ({
    provider: 'kwokctl',
    name: 'main',
    state,
    updatedAt: new Date().toISOString(),
  });
  const calls = { ensure: 0, status: 0 };
  const p: MainClusterProvider = {
    kind: 'kwokctl',
    name: 'main',
    ensure: async () => {
      calls.ensure++;
      if (ensureState instanceof Error) throw ensureState;
      return info(ensureState);
    },
    status: async () => {
      calls.status++;
      return info(statusState);
    },
    stop: async () => undefined,
    delete: async () => undefined,
    kubeConfig: () => {
      throw new Error('not in this test');
    },
  };
  return { p, calls };
}

afterEach(() => vi.useRealTimers());

describe('MainClusterSupervisor', () => {
  it('brings a managed main cluster up at start and lets waiting work through once it runs', async () => {
    const { p, calls } = provider('running');
    const changes: string[] = [];
    const s = new MainClusterSupervisor({
      provider: p,
      logger,
      manage: true,
      onChanged: (i) => changes.push(i.state),
    });
    const waiting = s.waitRunning();
    s.start();
    await waiting;
    expect(calls.ensure).toBe(1);
    expect(s.info.state).toBe('running');
    expect(changes).toEqual(['starting', 'running']); // 'bringing up the main cluster', then up
  });

  it('only watches an unmanaged main cluster: status, never ensure', async () => {
    const { p, calls } = provider('running', 'stopped');
    const s = new MainClusterSupervisor({ provider: p, logger, manage: false, onChanged: () => undefined });
    s.start();
    await vi.waitFor(() => expect(s.info.state).toBe('stopped'));
    await s.tick();
    expect(calls.ensure).toBe(0);
  });

  it('keeps the reason of a failed ensure and tries again only after 30 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { p, calls } = provider(new Error('kwokctl: no such binary'));
    const s = new MainClusterSupervisor({ provider: p, logger, manage: true, onChanged: () => undefined });
    await s.ensure();
    expect(s.info).toMatchObject({ state: 'error', message: 'kwokctl: no such binary' });
    await s.tick(); // too soon: the error stays, no status read overwrites it
    expect(calls).toEqual({ ensure: 1, status: 0 });
    vi.setSystemTime(Date.now() + 30_000);
    await s.tick();
    expect(calls.ensure).toBe(2);
  });

  it('tells work still waiting when the agent stops, and refuses new waits', async () => {
    const { p } = provider('starting', 'starting');
    const s = new MainClusterSupervisor({ provider: p, logger, manage: true, onChanged: () => undefined });
    const waiting = s.waitRunning();
    s.stop();
    await expect(s.waitRunning()).rejects.toThrow('shutting down');
    s.abandonWaiters();
    await expect(waiting).rejects.toThrow('shutting down');
  });
});
