// The /v1/subscribe protocol, against a fake socket and a fake cluster API
// whose watch lines the test writes: what the dashboard would receive.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { createLogger } from '../telemetry/logger';
import type { ClusterKube } from './cluster-kube';
import type { SteveSchema } from './schema-catalog';
import { parseSubscription, SubscribeSession } from './subscribe';

const logger = createLogger({ level: 'fatal', destination: { write: () => undefined } });
const podSchema: SteveSchema = {
  id: 'pod',
  pluralName: 'pods',
  group: '',
  version: 'v1',
  kind: 'Pod',
  resource: 'pods',
  namespaced: true,
  verbs: ['get', 'list', 'watch'],
  apiPrefix: '/api/v1',
  columns: [],
};
const schemaSchema: SteveSchema = {
  ...podSchema,
  id: 'schema',
  steveOwn: true,
  verbs: ['get', 'list', 'watch'],
};

/** A socket that records what the server sends; `say` is the client speaking. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: Record<string, unknown>[] = [];
  send(text: string): void {
    expect(text.endsWith('\n')).toBe(true);
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  say(message: unknown): void {
    this.emit('message', Buffer.from(typeof message === 'string' ? message : JSON.stringify(message)), false);
  }
  names(): string[] {
    return this.sent.map((f) => f.name as string);
  }
}

/** A cluster API whose watches the test feeds, line by line. */
function fakeKube() {
  const watches: { path: string; push(event: unknown): void; end(status?: number): void; closed: boolean }[] =
    [];
  const kube: ClusterKube = {
    request: async () => ({ status: 200, body: {} }) as never,
    stream: (path, onChunk, options) => {
      const w = {
        path,
        closed: false,
        push: (event: unknown) => onChunk(`${JSON.stringify(event)}\n`),
        end: (status = 200) => options?.onEnd?.(status),
      };
      watches.push(w);
      return { close: () => void (w.closed = true) };
    },
  };
  return { kube, watches };
}

const pod = (name: string, rv: string) => ({
  type: 'ADDED',
  object: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', resourceVersion: rv } },
});

let sessions: FakeSocket[] = [];
afterEach(() => {
  for (const s of sessions) s.emit('close');
  sessions = [];
  vi.useRealTimers();
});

function open(pingMs = 60_000) {
  const ws = new FakeSocket();
  sessions.push(ws);
  const { kube, watches } = fakeKube();
  new SubscribeSession(ws as unknown as WebSocket, {
    kube,
    schema: async (id) => ({ pod: podSchema, schema: schemaSchema })[id],
    formatContext: (schema) => ({
      base: 'https://r/k8s/clusters/c-1',
      schema,
      exclude: [],
      schemaIdOf: () => 'pod',
    }),
    counts: async () => ({}),
    version: 'v-test',
    logger,
    pingMs,
  });
  return { ws, watches };
}
const settle = () => new Promise((r) => setTimeout(r, 5));

describe('parseSubscription', () => {
  it('reads the dashboard’s fields and refuses wrong types by name', () => {
    expect(
      parseSubscription(
        '{"resourceType":"pod","resourceVersion":12,"mode":"resource.changes","debounceMs":400}',
      ),
    ).toEqual({
      resourceType: 'pod',
      resourceVersion: '12',
      mode: 'resource.changes',
      debounceMs: 400,
    });
    expect(parseSubscription('not json')).toMatch(/JSON/);
    expect(parseSubscription('[]')).toBe('a subscribe message must be a JSON object');
    expect(parseSubscription('{}')).toBe('a subscribe message needs "resourceType"');
    expect(parseSubscription('{"resourceType":"pod","namespace":3}')).toBe('"namespace" must be a string');
    expect(parseSubscription('{"resourceType":"pod","debounceMs":-1}')).toBe(
      '"debounceMs" must be a whole number of milliseconds',
    );
    expect(parseSubscription('{"resourceType":"pod","stop":"yes"}')).toBe('"stop" must be true or false');
  });
});

describe('SubscribeSession', () => {
  it('starts a watch, sends each event as a formatted object with its revision, and ignores a repeat', async () => {
    const { ws, watches } = open();
    ws.say({ resourceType: 'pod', namespace: 'default', resourceVersion: '10' });
    await settle();
    expect(ws.sent[0]).toEqual({
      name: 'resource.start',
      namespace: 'default',
      resourceType: 'pod',
      data: { type: 'subscribe', links: {} },
    });
    expect(watches[0]!.path).toBe(
      '/api/v1/namespaces/default/pods?watch=true&includeObject=Object&allowWatchBookmarks=false&resourceVersion=10',
    );
    watches[0]!.push(pod('a', '11'));
    watches[0]!.push({ ...pod('a', '12'), type: 'MODIFIED' });
    watches[0]!.push({ ...pod('a', '13'), type: 'DELETED' });
    expect(ws.names()).toEqual(['resource.start', 'resource.create', 'resource.change', 'resource.remove']);
    expect(ws.sent[1]).toMatchObject({
      revision: '11',
      data: { id: 'default/a', type: 'pod', links: { self: 'https://r/k8s/clusters/c-1/v1/pods/default/a' } },
    });
    ws.say({ resourceType: 'pod', namespace: 'default', resourceVersion: '10' });
    await settle();
    expect(watches).toHaveLength(1);
  });

  it('stops only on an exact match, and says so', async () => {
    const { ws, watches } = open();
    ws.say({ resourceType: 'pod' });
    await settle();
    ws.say({ resourceType: 'pod', namespace: 'default', stop: true });
    expect(watches[0]!.closed).toBe(false);
    ws.say({ resourceType: 'pod', stop: true });
    expect(watches[0]!.closed).toBe(true);
    expect(ws.names()).toEqual(['resource.start', 'resource.stop']);
  });

  it('answers a malformed message with resource.error and keeps the session', async () => {
    const { ws } = open();
    ws.say('not json');
    ws.say({ resourceType: 'nosuchtype' });
    await settle();
    expect(ws.sent[0]).toMatchObject({ name: 'resource.error' });
    expect(ws.sent.slice(1)).toEqual([
      {
        name: 'resource.error',
        resourceType: 'nosuchtype',
        data: { error: 'failed to find schema nosuchtype' },
      },
      { name: 'resource.stop', resourceType: 'nosuchtype', data: { type: 'subscribe', links: {} } },
    ]);
    ws.say({ resourceType: 'pod' });
    await settle();
    expect(ws.names().at(-1)).toBe('resource.start');
  });

  it('passes a watch error on (too old) and stops, so the dashboard fetches again', async () => {
    const { ws, watches } = open();
    ws.say({ resourceType: 'pod', resourceVersion: '1' });
    await settle();
    watches[0]!.push({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, message: 'too old resource version: 1 (50)' },
    });
    expect(ws.sent.slice(1)).toEqual([
      {
        name: 'resource.error',
        resourceType: 'pod',
        data: { error: 'event watch error: too old resource version: 1 (50)' },
      },
      { name: 'resource.stop', resourceType: 'pod', data: { type: 'subscribe', links: {} } },
    ]);
    expect(watches[0]!.closed).toBe(true);
  });

  it('stops a watch whose upstream ended, so the client watches again', async () => {
    const { ws, watches } = open();
    ws.say({ resourceType: 'pod' });
    await settle();
    watches[0]!.end(200);
    expect(ws.names()).toEqual(['resource.start', 'resource.stop']);
  });

  it('in resource.changes mode sends the first change at once, then one notice per window with the latest revision', async () => {
    vi.useFakeTimers();
    const { ws, watches } = open();
    ws.say({ resourceType: 'pod', mode: 'resource.changes', debounceMs: 400 });
    await vi.advanceTimersByTimeAsync(1);
    for (const rv of ['20', '21', '22']) watches[0]!.push(pod('a', rv));
    expect(ws.sent.filter((f) => f.name === 'resource.changes').map((f) => f.revision)).toEqual(['20']);
    await vi.advanceTimersByTimeAsync(400);
    expect(ws.sent.filter((f) => f.name === 'resource.changes').map((f) => f.revision)).toEqual(['20', '22']);
    expect(ws.sent.at(-1)).toMatchObject({
      mode: 'resource.changes',
      data: { type: 'subscribe', links: {} },
    });
  });

  it('pings with the version', async () => {
    vi.useFakeTimers();
    const { ws } = open(30_000);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(ws.sent).toEqual([{ name: 'ping', data: { type: 'subscribe', links: {}, version: 'v-test' } }]);
  });

  it('starts the schema watch quietly', async () => {
    const { ws, watches } = open();
    ws.say({ resourceType: 'schema' });
    await settle();
    expect(ws.names()).toEqual(['resource.start']);
    expect(watches).toHaveLength(0);
  });
});
