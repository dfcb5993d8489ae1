import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError } from '../../../shared/errors';
import { createLogger } from '../telemetry/logger';
import { TunnelFaults, type TunnelControls } from './tunnel-faults';

const logger = createLogger({ level: 'error', destination: { write: () => undefined } });

/** Tunnels of clusters a, b and c, recording what the faults did to them. */
function tunnels() {
  const dropped: string[] = [];
  let refusingUntil = 0;
  let rate = 20;
  const controls: TunnelControls = {
    limiter: {
      get rate() {
        return rate;
      },
      setRate: (r) => void (rate = r),
    },
    get refusingUntil() {
      return refusingUntil;
    },
    hasTunnels: () => true,
    dropSessions: (cluster) => {
      dropped.push(cluster ?? '*');
      return cluster ? 1 : 3;
    },
    refuseConnects: (seconds) => void (refusingUntil = seconds > 0 ? Date.now() + seconds * 1000 : 0),
  };
  return { controls, dropped, rate: () => rate };
}

function faults(controls: TunnelControls | undefined) {
  const changed = vi.fn();
  const f = new TunnelFaults({
    logger,
    tunnels: () => controls,
    clusterNames: () => ['a', 'b', 'c'],
    requireCluster: (name) => {
      if (!['a', 'b', 'c'].includes(name)) throw new EngineError('not_found', `cluster ${name} not found`);
    },
    onChanged: changed,
  });
  return { f, changed };
}

afterEach(() => vi.useRealTimers());

describe('TunnelFaults', () => {
  it('drops the named clusters’ sessions, or all, and counts them; an unknown cluster changes nothing', () => {
    const t = tunnels();
    const { f } = faults(t.controls);
    expect(f.dropTunnels({ clusters: ['a', 'c'] })).toEqual({ dropped: 2 });
    expect(f.dropTunnels({})).toEqual({ dropped: 3 });
    expect(() => f.dropTunnels({ clusters: ['a', 'zz'] })).toThrow('cluster zz not found');
    expect(() => f.dropTunnels({ clusters: 'a' })).toThrow('"clusters" must be a list');
    expect(t.dropped).toEqual(['a', 'c', '*']);
    expect(f.summary().droppedSessions).toBe(5);
  });

  it('refuses connects for a while, lists it as a fault for all clusters, and clears it', () => {
    const t = tunnels();
    const { f, changed } = faults(t.controls);
    const { refuseConnectsUntil } = f.refuseConnects({ seconds: 30 });
    expect(refuseConnectsUntil).not.toBeNull();
    expect(f.active()).toEqual([expect.objectContaining({ id: 'refuse_connects', clusters: 'all' })]);
    expect(f.inEffect()).toEqual({ refuse_connects: 1, storm: 0 });
    expect(f.clear('refuse_connects')).toBe(true);
    expect(f.active()).toEqual([]);
    expect(changed).toHaveBeenCalled();
    expect(() => f.refuseConnects({ seconds: -1 })).toThrow('"seconds" must be a number from 0 to 86400');
  });

  it('storms at the asked rate, raising the connect rate meanwhile and giving it back when it ends', () => {
    vi.useFakeTimers();
    const t = tunnels();
    const { f } = faults(t.controls);
    f.startStorm({ ratePerSecond: 50, seconds: 1 });
    expect(t.rate()).toBe(50);
    f.setConnectRate(30); // saved in Settings during the storm: the one given back
    vi.advanceTimersByTime(200);
    expect(t.dropped.slice(0, 4)).toEqual(['a', 'b', 'c', 'a']);
    vi.advanceTimersByTime(1000);
    expect(f.active()).toEqual([]);
    expect(t.rate()).toBe(30);
    expect(() => f.startStorm({ ratePerSecond: 0, seconds: 1 })).toThrow('"ratePerSecond"');
  });

  it('says clearly that there are no tunnels to act on without a Rancher', () => {
    const { f } = faults(undefined);
    expect(() => f.dropTunnels({})).toThrow('no Rancher is configured');
    expect(f.summary()).toEqual({ refuseConnectsUntil: null, droppedSessions: 0, storm: null });
    expect(f.clear('f-123')).toBe(false);
  });
});
