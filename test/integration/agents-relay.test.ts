/**
 * One UI over many agents, the engine side: real agent processes add each
 * other by URL and access token over REST; calls are relayed to the named
 * agent and its events come back tagged with its name; bad requests are
 * clear errors that keep nothing; tokens are sealed at rest; the list
 * survives a restart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startAgentProcess, type AgentProcess } from '../../e2e/helpers/agent-process';
import type { AgentEvent, AgentInfo } from '../../src/shared/agents';
import type { EngineInfo } from '../../src/shared/channels';
import { eventually } from '../helpers/main-cluster';

const TOKEN = 'relay-test-token-0123456789abcdef';

describe('agents added to a UI', () => {
  let a: AgentProcess;
  let b: AgentProcess;

  const rest = async (agent: AgentProcess, path: string, init?: RequestInit) => {
    const res = await fetch(`${agent.url}${path}`, init);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const addB = (body: unknown) =>
    rest(a, '/agents', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });

  /** A call over A's WebSocket channel, as the web UI makes it. */
  async function wsCall(
    channel: string,
    request: unknown,
  ): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
    const socket = new WebSocket(`${a.url.replace('http', 'ws')}/api/ws`);
    await new Promise((r, j) => socket.once('open', r).once('error', j));
    try {
      socket.send(JSON.stringify({ type: 'call', id: 1, channel, request }));
      for (;;) {
        const data = await new Promise<string>((r) => socket.once('message', (d) => r(String(d))));
        const message = JSON.parse(data) as { type: string; id?: number };
        if (message.type === 'result' && message.id === 1) return message as never;
      }
    } finally {
      socket.close();
    }
  }

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startAgentProcess(['--no-main-cluster']),
      startAgentProcess(['--no-main-cluster'], { env: { SCALE_AGENT_ACCESS_TOKEN: TOKEN } }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await a?.kill();
    await b?.kill();
  });

  it('refuses a wrong address, a wrong token and itself, keeping nothing', async () => {
    const badUrl = await addB({ url: 'not a url' });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.message).toMatch(/"url" must be an http\(s\) URL/);
    const wrongToken = await addB({ url: b.url, token: 'nope' });
    expect(wrongToken.status).toBe(400);
    expect(wrongToken.body.message).toMatch(/refused the access token/);
    const nobody = await addB({ url: 'http://127.0.0.1:9' });
    expect(nobody.status).toBe(503);
    expect(nobody.body.message).toMatch(/nothing answers at http:\/\/127\.0\.0\.1:9/);
    const self = await addB({ url: a.url });
    expect(self.status).toBe(400);
    expect(self.body.message).toMatch(/this agent itself/);
    const unknownField = await addB({ url: b.url, colour: 'red' });
    expect(unknownField.status).toBe(400);
    expect((await rest(a, '/agents')).body).toEqual({ agents: [] });
  });

  it('adds an agent by URL and token, relays calls to it and its events back', async () => {
    const added = await addB({ url: b.url, token: TOKEN, name: 'shard-b' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ name: 'shard-b', url: b.url, connected: true });
    expect((await addB({ url: b.url, token: TOKEN, name: 'again' })).body.message).toMatch(/already added/);

    const info = await wsCall('agents.call', { agent: 'shard-b', channel: 'engine.info' });
    const own = await wsCall('engine.info', undefined);
    expect(info.ok).toBe(true);
    expect((info.value as EngineInfo).instanceId).not.toBe((own.value as EngineInfo).instanceId);

    // B's own validation answers through A, with B's code and message.
    const bad = await wsCall('agents.call', { agent: 'shard-b', channel: 'clusters.get', request: {} });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(bad.error?.message).toMatch(/"name" must be a string/);
    expect(await wsCall('agents.call', { agent: 'nobody', channel: 'engine.info' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await wsCall('agents.call', { agent: 'shard-b', channel: 'agents.list' })).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });

    // B's events reach A's UI clients tagged with B's name.
    const socket = new WebSocket(`${a.url.replace('http', 'ws')}/api/ws`);
    const events: AgentEvent[] = [];
    socket.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; channel?: string; payload?: AgentEvent };
      if (m.type === 'event' && m.channel === 'agents.event') events.push(m.payload!);
    });
    await new Promise((r) => socket.once('open', r));
    try {
      const event = await eventually(
        () => events.find((e) => e.agent === 'shard-b' && e.channel === 'telemetry.sample'),
        "B's telemetry relayed by A",
        10_000,
      );
      expect(event.payload).toHaveProperty('sample.rssBytes');
    } finally {
      socket.close();
    }
  });

  it('keeps the token sealed, and the list across a restart', async () => {
    const saved = readFileSync(join(a.home, 'agents.json'), 'utf8');
    expect(saved).toContain('shard-b');
    expect(saved).not.toContain(TOKEN);
    expect(a.output()).not.toContain(TOKEN);
    await a.kill();
    a = await startAgentProcess(['--no-main-cluster'], { home: a.home });
    const agents = await eventually(async () => {
      const list = (await rest(a, '/agents')).body.agents as AgentInfo[];
      return list[0]?.connected ? list : undefined;
    }, 'the restored agent connected');
    expect(agents).toMatchObject([{ name: 'shard-b', url: b.url, connected: true }]);
  });

  it('shows a lost agent as offline with why, and reconnects when it is back', async () => {
    const port = new URL(b.url).port;
    await b.kill();
    const offline = await eventually(async () => {
      const list = (await rest(a, '/agents')).body.agents as AgentInfo[];
      return list[0] && !list[0].connected ? list[0] : undefined;
    }, 'B shown offline');
    expect(offline.error).toBeTruthy();
    b = await startAgentProcess(['--no-main-cluster'], {
      home: b.home,
      port: Number(port),
      env: { SCALE_AGENT_ACCESS_TOKEN: TOKEN },
    });
    await eventually(
      async () => {
        const list = (await rest(a, '/agents')).body.agents as AgentInfo[];
        return list[0]?.connected || undefined;
      },
      'B reconnected',
      20_000,
    );
    expect((await rest(a, '/agents/shard-b', { method: 'DELETE' })).body).toEqual({ name: 'shard-b' });
    expect((await rest(a, '/agents')).body).toEqual({ agents: [] });
    expect((await rest(a, '/agents/shard-b', { method: 'DELETE' })).status).toBe(404);
  });
});
