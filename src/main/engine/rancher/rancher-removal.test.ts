import { describe, expect, it } from 'vitest';
import type { RancherCluster } from './rancher-client';
import { RancherError } from './rancher-errors';
import { waitForRancherRemoval } from './rancher-removal';

const removing: RancherCluster = { id: 'c-abcde', name: 'x', state: 'removing' };

describe('waiting for Rancher to finish a removal', () => {
  it('ends when Rancher answers 404, reporting the wait meanwhile', async () => {
    let polls = 0;
    const progress: string[] = [];
    const outcome = await waitForRancherRemoval({
      rancherId: 'c-abcde',
      getCluster: async () => (++polls < 3 ? removing : undefined),
      boundMs: 10_000,
      intervalMs: 10,
      onProgress: (t) => progress.push(t),
    });
    expect(outcome.finishedBy).toBe('rancher');
    expect(outcome.note).toBeUndefined();
    expect(progress[0]).toMatch(
      /^Rancher is removing c-abcde \(state removing, 0 s of 10 s\); its tunnels stay up for Rancher's cleanup$/,
    );
  });

  it('keeps waiting through errors, and past the bound finishes without Rancher, saying so', async () => {
    const progress: string[] = [];
    const outcome = await waitForRancherRemoval({
      rancherId: 'c-abcde',
      getCluster: () =>
        Promise.reject(new RancherError('Rancher at https://r is unreachable (ECONNREFUSED)')),
      boundMs: 100,
      intervalMs: 20,
      onProgress: (t) => progress.push(t),
    });
    expect(outcome.finishedBy).toBe('agent');
    expect(outcome.note).toBe(
      'Rancher did not finish removing c-abcde within 0.1 s: the removal was finished here without it',
    );
    expect(progress.at(-1)).toMatch(/cannot ask it: Rancher at https:\/\/r is unreachable/);
  });

  it('stops waiting at once when the agent stops', async () => {
    const stopping = new AbortController();
    const waiting = waitForRancherRemoval({
      rancherId: 'c-abcde',
      getCluster: async () => removing,
      boundMs: 60_000,
      intervalMs: 10_000,
      onProgress: () => stopping.abort(new Error('the agent is shutting down')),
      signal: stopping.signal,
    });
    await expect(waiting).rejects.toThrow('the agent is shutting down');
  });
});
