// One tunnel loop against our own remotedialer server: what it sends on the
// dial (User-Agent), that a refusal Rancher also gives for a deleted cluster
// is reported and retried, never the end of the loop, and how long it waits
// between attempts (growing backoff, reset by a session that stayed up).
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { TunnelInfo } from '../../../shared/cluster';
import {
  startLoopbackServer,
  TEST_TOKEN,
  waitFor,
  type LoopbackServer,
} from '../../../../test/support/loopback-harness';
import { createLogger } from '../telemetry/logger';
import { Backoff } from './backoff';
import { ConnectRateLimiter } from './connect-rate-limiter';
import { TunnelLoop, type TunnelRefusal } from './tunnel-loop';
import { userAgent } from './user-agent';

const logger = createLogger({ level: 'fatal', destination: { write: () => undefined } });
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function loopAgainst(
  refuse: () => boolean,
  backoff = new Backoff({ baseMs: 10, capMs: 30 }),
): Promise<{
  loop: TunnelLoop;
  server: LoopbackServer;
  upgrades: IncomingMessage[];
  refusals: TunnelRefusal[];
  states: TunnelInfo[];
}> {
  const server = await startLoopbackServer({
    // Rancher's Steve authorizer: an unknown token is "not authenticated", a 401.
    authorize: (request) => ({
      clientKey: 'stv-cluster-c-abcde',
      authed: !refuse() && request.headers['x-test-token'] === TEST_TOKEN,
    }),
  });
  cleanups.push(() => server.close());
  const upgrades: IncomingMessage[] = [];
  server.http.prependListener('upgrade', (request: IncomingMessage) => upgrades.push(request));
  const refusals: TunnelRefusal[] = [];
  const states: TunnelInfo[] = [];
  const loop = new TunnelLoop({
    cluster: 'c1',
    kind: 'steve',
    url: () => server.url,
    headers: () => ({ 'X-Test-Token': TEST_TOKEN, 'X-Test-Client': 'c1' }),
    allow: () => true,
    dial: async () => new PassThrough(),
    tls: { rejectUnauthorized: true },
    limiter: new ConnectRateLimiter(1000),
    logger,
    backoff,
    onChange: (info) => states.push(info),
    onRefused: (r) => refusals.push(r),
  });
  cleanups.push(() => loop.stop());
  return { loop, server, upgrades, refusals, states };
}

describe('TunnelLoop', () => {
  it('dials with User-Agent scale-cluster-agent/<version>', async () => {
    const { loop, upgrades } = await loopAgainst(() => false);
    await waitFor(() => loop.state.state === 'connected', 5000, 'connected');
    expect(upgrades[0]?.headers['user-agent']).toBe(userAgent());
    expect(userAgent()).toMatch(/^scale-cluster-agent\/\d+\.\d+\.\d+/);
  });

  it('reports a 401 refusal, stays "refused" between attempts, keeps reconnecting, and connects once Rancher accepts again', async () => {
    let refusing = true;
    const { loop, refusals, states } = await loopAgainst(() => refusing);
    await waitFor(() => refusals.length >= 3, 5000, 'three refusals');
    expect(refusals[0]).toEqual({
      kind: 'steve',
      status: 401,
      body: 'failed authentication',
      text: 'Rancher refused the Steve tunnel (401 failed authentication)',
    });
    const refused = states.find((s) => s.state === 'refused');
    expect(refused?.lastError).toBe('Rancher refused the Steve tunnel (401 failed authentication)');
    expect(refused?.retryAt).toBeDefined();
    refusing = false;
    await waitFor(() => loop.state.state === 'connected', 5000, 'connected after the refusals');
    expect(loop.state.connects).toBe(1);
  });

  it('waits longer after each failed attempt up to the cap, and starts over after a session that stayed up', async () => {
    let refusing = true;
    // The draw is always at the top of the jitter range, so each wait shows its cap.
    const backoff = new Backoff({ baseMs: 20, capMs: 160, healthyAfterMs: 300, random: () => 0.999 });
    const { loop, states } = await loopAgainst(() => refusing, backoff);
    await waitFor(() => states.filter((s) => s.state === 'refused').length >= 5, 10_000, 'five refusals');
    expect(waits(states, 'refused').slice(0, 5)).toEqual([19, 39, 79, 159, 159]);

    // A session that ends before healthyAfterMs leaves the backoff where it was.
    refusing = false;
    await waitFor(() => loop.state.state === 'connected', 5000, 'connected');
    /** Drops the session and answers the wait announced right after. */
    const dropThenWait = async (what: string): Promise<number | undefined> => {
      const from = states.length;
      loop.drop();
      await waitFor(() => states.slice(from).some((s) => s.state === 'waiting'), 5000, what);
      return waits(states.slice(from), 'waiting')[0];
    };
    expect(await dropThenWait('waiting after a short session')).toBe(159);

    // One that lasted healthyAfterMs resets it: the next wait is the base again.
    await waitFor(() => loop.state.state === 'connected', 5000, 'connected again');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await dropThenWait('waiting after a long session')).toBe(19);
    await waitFor(() => loop.state.state === 'connected', 5000, 'connected once more');
    expect(loop.state.connects).toBe(3);
  });
});

/** The announced wait of each state of this kind: retryAt minus since, to the nearest wait the backoff can give. */
function waits(states: TunnelInfo[], state: TunnelInfo['state']): number[] {
  return states
    .filter((s) => s.state === state && s.retryAt)
    .map((s) => Date.parse(s.retryAt!) - Date.parse(s.since))
    .map((ms) => [19, 39, 79, 159].find((w) => ms <= w && ms >= w - 5) ?? ms);
}
