/**
 * The handler table behind every request channel (src/shared/channels.ts):
 * one line or a few per channel, each handing a validated request to the
 * domain that owns it. Engine.handle validates, then calls these.
 */
import type { RequestChannel, RequestOf, ResponseOf } from '../../../shared/channels';
import { EngineError } from '../../../shared/errors';
import type { FleetStatus } from '../../../shared/fleet';
import type { Engine } from '../engine';
import { Profiler } from '../telemetry/profiler';
import { checkTemplate, listTemplates } from '../provisioning/template/template-catalog';

export type EngineHandlers = { [C in RequestChannel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> };

/** The fleet status of an agent started without a spec. */
function noFleet(engine: Engine): FleetStatus {
  const { index, count, agentId } = engine.shard;
  return {
    configured: false,
    shard: { index, count, agentId },
    specClusters: 0,
    owned: 0,
    byStatus: {},
    removing: 0,
    conflicts: [],
    drifted: [],
  };
}

export function engineHandlers(engine: Engine): EngineHandlers {
  const { registry, lifecycle, batches, faults, inspector, settings, logRing, logger } = engine;
  const profiler = new Profiler();
  return {
    'engine.info': async () => engine.info(),
    'telemetry.history': async ({ seconds }) => engine.load.history(seconds),
    'mainCluster.get': async () => engine.mainCluster.info,
    'clusters.list': async () => registry.list(),
    'clusters.get': async ({ name }) => registry.get(name),
    'clusters.create': async ({ name, template, importToRancher }) => {
      const record = lifecycle.create(name, template, { importToRancher });
      // Acknowledged means on disk: a crash right after the answer loses nothing.
      engine.store.saveNow();
      logger.info({ cluster: record.name, template: record.template }, `Cluster ${record.name} accepted`);
      return record;
    },
    'clusters.delete': async ({ name }) => {
      const { note } = await lifecycle.delete(name);
      return note ? { name, note } : { name };
    },
    'clusters.retry': async ({ name }) => lifecycle.retry(name),
    'clusters.import': async ({ name }) => lifecycle.importLater(name),
    'clusters.nodes': async ({ name }) => {
      registry.get(name); // 404 for an unknown cluster
      // Nodes come from the cluster caches; until they exist (main cluster not up yet) there are none to show.
      return engine.provisionerIfReady()?.nodeDetails(name) ?? [];
    },
    'clusters.kubeconfig': async ({ name }) => ({ kubeconfig: await engine.kubeconfig(name) }),
    'clusters.lastPings': async () => engine.rancher?.steve.lastPings() ?? {},
    'clusters.reconnect': async ({ name }) => {
      const record = registry.get(name);
      const rancher = engine.rancher;
      if (!rancher)
        throw new EngineError('invalid', 'no Rancher is configured: there are no tunnels to act on');
      if (!rancher.hasTunnels(name))
        throw new EngineError('conflict', `cluster ${name} has no tunnels (${record.status}, not imported)`);
      logger.info({ cluster: name }, `Cluster ${name}: reconnecting its tunnels on request`);
      return { name, sessions: 2 * rancher.dropSessions(name) };
    },
    'batches.create': async (request) => {
      // Settings' batch defaults fill what the request leaves out, from the moment they are saved.
      const { defaultTemplate, defaultConcurrency } = settings.live;
      const status = batches.create({
        ...request,
        template: request.template ?? defaultTemplate,
        concurrency: request.concurrency ?? defaultConcurrency,
      });
      engine.store.saveNow();
      return status;
    },
    'batches.get': async ({ id }) => batches.status(id),
    'batches.list': async () => batches.list(),
    'batches.cancel': async ({ id }) => batches.cancel(id),
    'batches.retry': async ({ id }) => batches.retry(id),
    'debug.cpuProfile': async ({ seconds }) => {
      logger.info(`Taking a ${seconds} s CPU profile of the engine`);
      return profiler.cpuProfile(seconds);
    },
    'debug.heapSnapshot': async () => {
      logger.info('Taking a heap snapshot of the engine (the engine pauses while V8 writes it)');
      return profiler.heapSnapshot();
    },
    'agents.list': async () => engine.peers.list(),
    'agents.add': async (request) => engine.peers.add(request),
    'agents.remove': async ({ name }) => {
      engine.peers.remove(name);
      return { name };
    },
    'agents.call': async ({ agent, channel, request }) => engine.peers.call(agent, channel, request),
    'fleet.status': async () => engine.fleet?.status() ?? noFleet(engine),
    'fleet.reconcile': async () => {
      if (!engine.fleet)
        throw new EngineError(
          'invalid',
          'no fleet spec is configured: start the agent with --fleet <spec.yaml>',
        );
      return engine.fleet.reconcileNow();
    },
    'faults.list': async () => faults.list(),
    'faults.inject': async (request) => faults.inject(request),
    'faults.clear': async (request) => faults.clear(request?.id),
    'inspector.sessions': async (request) => inspector.sessions(request ?? {}),
    'inspector.watch': async (request) => inspector.watch(request),
    'inspector.unwatch': async (request) => inspector.unwatch(request),
    'inspector.frames': async (request) => inspector.frames(request),
    'inspector.export': async (request) => inspector.exportNdjson(request),
    'inspector.reconnect': async (request) => inspector.reconnect(request),
    'settings.get': async () => settings.view(),
    'settings.update': async (request) => settings.update(request),
    'settings.testConnection': async (request) => settings.testConnection(request),
    'logs.tail': async (request) => ({
      lines: logRing.tail(request ?? {}, request?.limit ?? 500),
      capacity: logRing.capacity,
      lastSeq: logRing.lastSeq,
    }),
    'templates.list': async () => listTemplates(),
    'templates.check': async ({ template }) => checkTemplate(template),
  };
}
