import { describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/logger';
import { askRancher, DeletionConfirmer, type PresenceVerdict } from './deletion-confirmer';
import type { RancherCluster } from './rancher-client';
import { describeNetworkError, RancherError } from './rancher-errors';

const logger = createLogger({ level: 'fatal', destination: { write: () => undefined } });

function harness(
  answer: () => Promise<PresenceVerdict>,
  over: { removing?: Set<string>; now?: () => number } = {},
) {
  const notes: (string | undefined)[] = [];
  const confirmed: { name: string; kind: string }[] = [];
  let asked = 0;
  const confirmer = new DeletionConfirmer({
    ask: () => {
      asked++;
      return answer();
    },
    rancherIdOf: (name) => (name === 'never-imported' ? undefined : 'c-abcde'),
    isBeingRemoved: (name) => over.removing?.has(name) ?? false,
    onNote: (_name, note) => notes.push(note),
    onConfirmed: (name, verdict) => confirmed.push({ name, kind: verdict.kind }),
    logger,
    minIntervalMs: 5000,
    ...(over.now ? { now: over.now } : {}),
  });
  return { confirmer, notes, confirmed, asked: () => asked };
}

const steve401 = 'Rancher refused the Steve tunnel (401 failed authentication)';

describe('askRancher: what a GET /v3/clusters/<id> answer proves', () => {
  const cluster = (state: string): RancherCluster => ({ id: 'c-abcde', name: 'x', state });
  it('404 and removing confirm; any other state keeps the cluster', async () => {
    expect((await askRancher(async () => undefined, 'c-abcde')).kind).toBe('gone');
    expect((await askRancher(async () => cluster('removing'), 'c-abcde')).kind).toBe('removing');
    expect(await askRancher(async () => cluster('active'), 'c-abcde')).toEqual({
      kind: 'present',
      state: 'active',
    });
    expect(await askRancher(async () => cluster('unavailable'), 'c-abcde')).toEqual({
      kind: 'present',
      state: 'unavailable',
    });
  });

  it('an unreachable Rancher, a 5xx or a refused API token prove nothing', async () => {
    const unreachable = describeNetworkError(
      'https://r',
      Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    );
    for (const err of [
      unreachable,
      new RancherError('Rancher answered 503', 503),
      new RancherError('refused the API token', 401),
    ]) {
      const verdict = await askRancher(() => Promise.reject(err), 'c-abcde');
      expect(verdict.kind).toBe('unknown');
    }
  });
});

describe('DeletionConfirmer', () => {
  it('keeps a cluster Rancher still has, says so, and clears the note once the tunnel is back', async () => {
    const h = harness(async () => ({ kind: 'present', state: 'active' }));
    h.confirmer.suspect('a', 'steve', steve401);
    expect(h.notes.at(-1)).toBe(`${steve401}; confirming with Rancher`);
    await h.confirmer.settled();
    expect(h.confirmed).toEqual([]);
    expect(h.notes.at(-1)).toBe(
      `${steve401}, but Rancher still has c-abcde (state active): keeping the cluster and reconnecting`,
    );
    h.confirmer.cleared('a', 'steve');
    expect(h.notes.at(-1)).toBeUndefined();
    expect(h.confirmer.isSuspected('a')).toBe(false);
  });

  it('confirms on 404 and on removing', async () => {
    const gone = harness(async () => ({ kind: 'gone', why: 'GET /v3/clusters/c-abcde answered 404' }));
    gone.confirmer.suspect('a', 'main', 'Rancher refused the main tunnel (400 cluster not found)');
    await gone.confirmer.settled();
    expect(gone.confirmed).toEqual([{ name: 'a', kind: 'gone' }]);
    const removing = harness(async () => ({ kind: 'removing', why: 'state removing' }));
    removing.confirmer.suspect('a', 'list', "missing from Rancher's cluster list");
    await removing.confirmer.settled();
    expect(removing.confirmed).toEqual([{ name: 'a', kind: 'removing' }]);
  });

  it('deletes nothing when Rancher cannot be asked, and asks again on a later suspicion', async () => {
    let t = 0;
    const h = harness(
      async () => ({ kind: 'unknown', why: 'Rancher at https://r is unreachable (ECONNREFUSED)' }),
      {
        now: () => t,
      },
    );
    h.confirmer.suspect('a', 'steve', steve401);
    await h.confirmer.settled();
    expect(h.confirmed).toEqual([]);
    expect(h.notes.at(-1)).toBe(
      `${steve401}; cannot confirm with Rancher (Rancher at https://r is unreachable (ECONNREFUSED)): nothing is deleted, reconnecting`,
    );
    // Refusals repeat under backoff: within the interval Rancher is not asked again.
    t = 1000;
    h.confirmer.suspect('a', 'steve', steve401);
    h.confirmer.suspect('a', 'main', 'Rancher refused the main tunnel (400 cluster not found)');
    await h.confirmer.settled();
    expect(h.asked()).toBe(1);
    expect(h.notes.at(-1)).toMatch(/Steve tunnel .*; Rancher refused the main tunnel .*; cannot confirm/);
    t = 6000;
    h.confirmer.suspect('a', 'steve', steve401);
    await h.confirmer.settled();
    expect(h.asked()).toBe(2);
  });

  it('asks once while a check is in flight, and a cleared suspicion leaves no note behind', async () => {
    let answer!: (v: PresenceVerdict) => void;
    const h = harness(() => new Promise((resolve) => (answer = resolve)));
    h.confirmer.suspect('a', 'steve', steve401);
    h.confirmer.suspect('a', 'steve', steve401);
    expect(h.asked()).toBe(1);
    h.confirmer.cleared('a', 'steve');
    answer({ kind: 'present', state: 'active' });
    await h.confirmer.settled();
    expect(h.notes.at(-1)).toBeUndefined();
  });

  it('ignores clusters being removed and clusters without a Rancher id', async () => {
    const h = harness(async () => ({ kind: 'gone', why: '404' }), { removing: new Set(['a']) });
    h.confirmer.suspect('a', 'steve', steve401);
    h.confirmer.suspect('never-imported', 'steve', steve401);
    await h.confirmer.settled();
    expect(h.asked()).toBe(0);
    expect(h.notes).toEqual([]);
  });
});
