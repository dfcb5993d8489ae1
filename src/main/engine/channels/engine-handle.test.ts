// Engine.handle, the one entry point of every transport (IPC, WebSocket,
// REST): every request channel has a validator and a handler, a malformed
// request is an `invalid` error that names the channel, and nothing changes.
// No main cluster is needed: validation happens before any domain is asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_CHANNELS, type RequestChannel } from '../../../shared/channels';
import { EngineError } from '../../../shared/errors';
import { testConfig } from '../../../../test/helpers/test-config';
import { memoryLogger } from '../../../../test/helpers/test-logger';
import { Engine } from '../engine';

let engine: Engine;
beforeAll(() => {
  engine = new Engine({
    config: testConfig(),
    logger: memoryLogger().logger,
    shell: 'headless',
    ensureMainCluster: false,
  });
  engine.start();
});
afterAll(() => engine.stop());

/** Channels whose request is an object; each gets the malformed requests below. */
const OBJECT_REQUESTS: RequestChannel[] = [
  'clusters.get',
  'clusters.create',
  'clusters.delete',
  'clusters.retry',
  'clusters.import',
  'clusters.nodes',
  'clusters.kubeconfig',
  'clusters.reconnect',
  'batches.create',
  'batches.get',
  'batches.cancel',
  'batches.retry',
  'templates.check',
  'faults.inject',
  'debug.cpuProfile',
  'inspector.watch',
  'inspector.unwatch',
  'inspector.frames',
  'inspector.export',
  'inspector.reconnect',
  'settings.update',
  'settings.testConnection',
  'agents.add',
  'agents.remove',
  'agents.call',
];
const MALFORMED: unknown[] = [42, 'text', [], null, undefined];

async function rejection(channel: string, request: unknown): Promise<EngineError> {
  try {
    await engine.handle(channel as RequestChannel, request);
  } catch (err) {
    return err as EngineError;
  }
  throw new Error(`${channel} accepted ${JSON.stringify(request)}`);
}

/** What a user can see of the engine's state: clusters, batches, faults, settings. */
async function observable(): Promise<string> {
  return JSON.stringify([
    await engine.handle('clusters.list', undefined),
    await engine.handle('batches.list', undefined),
    await engine.handle('faults.list', undefined),
    await engine.handle('settings.get', undefined),
  ]);
}

describe('Engine.handle', () => {
  it('has a validator and a handler for every request channel: the read-only ones answer', async () => {
    expect(new Set(REQUEST_CHANNELS).size).toBe(REQUEST_CHANNELS.length);
    expect((await engine.handle('engine.info', undefined)).shell).toBe('headless');
    expect(await engine.handle('clusters.list', undefined)).toEqual([]);
    expect(await engine.handle('batches.list', undefined)).toEqual([]);
    expect(await engine.handle('clusters.lastPings', undefined)).toEqual({});
    const templates = await engine.handle('templates.list', undefined);
    expect(templates.map((t) => t.name)).toEqual(
      expect.arrayContaining(['tiny', 'default', 'medium', 'large']),
    );
    const check = await engine.handle('templates.check', { template: 'tiny' });
    expect(check).toBeDefined();
    expect(await engine.handle('telemetry.history', { seconds: 5 })).toBeDefined();
  });

  it('refuses an unknown channel by name', async () => {
    const err = await rejection('clusters.explode', {});
    expect(err).toBeInstanceOf(EngineError);
    expect(err.code).toBe('invalid');
    expect(err.message).toBe('unknown channel "clusters.explode"');
  });

  it.each(OBJECT_REQUESTS)(
    '%s: a request that is not an object is invalid, and changes nothing',
    async (channel) => {
      const before = await observable();
      for (const request of MALFORMED) {
        const err = await rejection(channel, request);
        expect(err, `${channel} with ${JSON.stringify(request)}`).toBeInstanceOf(EngineError);
        expect(err.code).toBe('invalid');
        expect(err.message).toContain(channel);
      }
      expect(await observable()).toBe(before);
    },
  );

  it('names the field that is wrong', async () => {
    const before = await observable();
    expect((await rejection('clusters.get', { name: 5 })).message).toBe(
      'clusters.get: "name" must be a string',
    );
    expect((await rejection('batches.get', {})).message).toBe('batches.get: "id" must be a string');
    expect((await rejection('clusters.create', { name: 'a', colour: 'red' })).message).toBe(
      'clusters.create: unknown field "colour"',
    );
    expect((await rejection('clusters.create', { name: 'a', importToRancher: 'yes' })).message).toBe(
      'clusters.create: "importToRancher" must be true or false',
    );
    expect((await rejection('clusters.create', { name: 'a', template: 7 })).message).toBe(
      'clusters.create: "template" must be a preset name or a template object',
    );
    expect((await rejection('batches.create', { pattern: 'x-{1..3}', size: 3 })).message).toBe(
      'batches.create: unknown field "size"',
    );
    expect((await rejection('telemetry.history', { seconds: 0 })).message).toBe(
      'telemetry.history: "seconds" must be a number from 1 to 86400',
    );
    expect((await rejection('templates.check', {})).message).toBe('templates.check: "template" is required');
    expect(await observable()).toBe(before);
  });

  it('answers not_found for a well-formed request about a cluster that does not exist', async () => {
    const err = await rejection('clusters.get', { name: 'nobody' });
    expect(err.code).toBe('not_found');
    expect(err.message).toContain('nobody');
  });
});
