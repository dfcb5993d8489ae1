/**
 * The seed-compatible REST API (reference/original-go-agent.md):
 *   POST   /clusters {"name":"..."}  201 {"success":true,"message":...,"clusterID":...}
 *   GET    /clusters                 {"clusters":[names],"count":N}
 *   GET    /clusters/{name}          the record, or 404
 *   DELETE /clusters/{name}          {"success":true} (plus "note" when Rancher did not finish its removal in time), or 404
 *   GET    /healthz                  ok
 * plus: POST /clusters also takes "template" (a preset name or template
 * object); POST /clusters/{name}/retry; POST /clusters/batch (202, a batch);
 * GET /batches, GET /batches/{id}, POST /batches/{id}/cancel and /retry;
 * GET /clusters/{name}/kubeconfig (a kubeconfig for its local endpoint);
 * POST /clusters/{name}/import (a local-only cluster into the configured Rancher);
 * GET /main-cluster for the main cluster's status; GET /metrics (Prometheus);
 * GET and PUT /log-level {"level":"debug"} (changed at run time);
 * tunnel inspector: GET /clusters/{name}/tunnels, GET
 * /clusters/{name}/tunnels/{main|steve}/frames.ndjson (see inspector-rest.ts);
 * GET /telemetry/history[?seconds=N] (the load samples the Memory screen draws);
 * GET and PUT /settings, POST /settings/test-connection, GET /logs (see settings-logs-rest.ts);
 * fault injection: POST /faults/drop-tunnels {"clusters":[...]} (all when
 * omitted), POST /faults/refuse-connects {"seconds":N}, POST /faults/storm
 * {"ratePerSecond":R,"seconds":N}, POST /faults/latency, /bandwidth,
 * /api-errors, /pause-heartbeats, GET and DELETE /faults, DELETE /faults/{id}
 * (see faults-rest.ts); POST /debug/cpu-profile and /debug/heap-snapshot
 * (see debug-rest.ts); GET /fleet (the fleet spec's status) and POST
 * /fleet/reconcile (re-read and apply it now); GET /agents, POST /agents
 * {"url":...,"token":...,"name":...} and DELETE /agents/{name} (other agents
 * shown in this UI).
 * Errors answer
 * {"success":false,"error":<code>,"message":<why>} with the matching status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError } from '../../../shared/errors';
import type { Engine } from '../engine';
import { handleInspectorRest } from './inspector-rest';
import { errorStatus, methodNotAllowed, readJsonBody, sendJson, sendText } from './http-utils';
import { handleSettingsLogsRest } from './settings-logs-rest';
import { handleFaultsRest } from './faults-rest';
import { setLogLevel } from '../telemetry/log-level';
import { handleDebugRest } from './debug-rest';

/** Handles the request if it is a REST route; returns false to let others try. */
export async function handleRestRequest(
  engine: Engine,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  try {
    if (path === '/healthz') {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET');
      sendText(res, 200, 'ok');
      return true;
    }
    if (path === '/metrics') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      const text = await engine.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': engine.metrics.registry.contentType });
      res.end(text);
      return true;
    }
    if (path === '/log-level') {
      if (method === 'GET') {
        sendJson(res, 200, { level: engine.logger.level });
        return true;
      }
      if (method !== 'PUT') return methodNotAllowed(res, 'GET, PUT');
      sendJson(res, 200, setLogLevel(engine.logger, await readJsonBody(req)));
      return true;
    }
    if (await handleFaultsRest(engine, req, res, path)) return true;
    if (await handleDebugRest(engine, req, res, path)) return true;
    if (path === '/telemetry/history') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      const seconds = url.searchParams.get('seconds');
      const request = seconds === null ? {} : { seconds: seconds === '' ? NaN : Number(seconds) };
      sendJson(res, 200, await engine.handle('telemetry.history', request));
      return true;
    }
    if (path === '/agents') {
      if (method === 'GET') {
        sendJson(res, 200, { agents: await engine.handle('agents.list', undefined) });
        return true;
      }
      if (method !== 'POST') return methodNotAllowed(res, 'GET, POST');
      sendJson(res, 201, await engine.handle('agents.add', await readJsonBody(req)));
      return true;
    }
    const agent = /^\/agents\/([^/]+)$/.exec(path);
    if (agent) {
      if (method !== 'DELETE') return methodNotAllowed(res, 'DELETE');
      sendJson(res, 200, await engine.handle('agents.remove', { name: decodeURIComponent(agent[1] ?? '') }));
      return true;
    }
    if (path === '/fleet') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      sendJson(res, 200, await engine.handle('fleet.status', undefined));
      return true;
    }
    if (path === '/fleet/reconcile') {
      if (method !== 'POST') return methodNotAllowed(res, 'POST');
      sendJson(res, 200, await engine.handle('fleet.reconcile', undefined));
      return true;
    }
    if (path === '/main-cluster') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      sendJson(res, 200, await engine.handle('mainCluster.get', undefined));
      return true;
    }
    if (path === '/clusters') {
      if (method === 'GET') {
        const clusters = await engine.handle('clusters.list', undefined);
        sendJson(res, 200, { clusters: clusters.map((c) => c.name), count: clusters.length });
        return true;
      }
      if (method === 'POST') {
        const body = await readJsonBody(req);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new EngineError(
            'invalid',
            'request body must be a JSON object such as {"name":"my-cluster"}',
          );
        }
        const name = (body as Record<string, unknown>).name;
        if (name === undefined || name === '') throw new EngineError('invalid', 'name is required');
        const record = await engine.handle('clusters.create', body);
        sendJson(res, 201, {
          success: true,
          message: `Cluster ${record.name} created successfully`,
          clusterID: record.rancherId,
        });
        return true;
      }
      return methodNotAllowed(res, 'GET, POST');
    }
    if (path === '/clusters/batch' && method === 'POST') {
      const status = await engine.handle('batches.create', await readJsonBody(req));
      sendJson(res, 202, status);
      return true;
    }
    if (path === '/batches') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      sendJson(res, 200, { batches: await engine.handle('batches.list', undefined) });
      return true;
    }
    const batch = /^\/batches\/([^/]+)(?:\/(cancel|retry))?$/.exec(path);
    if (batch) {
      const id = decodeURIComponent(batch[1] ?? '');
      const action = batch[2];
      if (!action) {
        if (method !== 'GET') return methodNotAllowed(res, 'GET');
        sendJson(res, 200, await engine.handle('batches.get', { id }));
        return true;
      }
      if (method !== 'POST') return methodNotAllowed(res, 'POST');
      sendJson(
        res,
        action === 'cancel' ? 200 : 202,
        await engine.handle(action === 'cancel' ? 'batches.cancel' : 'batches.retry', { id }),
      );
      return true;
    }
    if (await handleSettingsLogsRest(engine, req, res, path, url)) return true;
    // Tunnel inspector: /clusters/{name}/tunnels[/{main|steve}/frames.ndjson|synthetic-frames].
    if (await handleInspectorRest(engine, req, res, path, url)) return true;
    const kubeconfig = /^\/clusters\/([^/]+)\/kubeconfig$/.exec(path);
    if (kubeconfig) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      const text = await engine.kubeconfig(decodeURIComponent(kubeconfig[1] ?? ''));
      res.writeHead(200, { 'content-type': 'application/yaml', 'cache-control': 'no-store' });
      res.end(text);
      return true;
    }
    const action = /^\/clusters\/([^/]+)\/(retry|import)$/.exec(path);
    if (action) {
      if (method !== 'POST') return methodNotAllowed(res, 'POST');
      const channel = action[2] === 'retry' ? 'clusters.retry' : 'clusters.import';
      sendJson(res, 202, await engine.handle(channel, { name: decodeURIComponent(action[1] ?? '') }));
      return true;
    }
    const match = /^\/clusters\/([^/]+)$/.exec(path);
    if (match) {
      const name = decodeURIComponent(match[1] ?? '');
      if (method === 'GET') {
        sendJson(res, 200, await engine.handle('clusters.get', { name }));
        return true;
      }
      if (method === 'DELETE') {
        const { note } = await engine.handle('clusters.delete', { name });
        sendJson(res, 200, note ? { success: true, note } : { success: true });
        return true;
      }
      return methodNotAllowed(res, 'GET, DELETE');
    }
    return false;
  } catch (err) {
    const { status, code, message } = errorStatus(err);
    sendJson(res, status, { success: false, error: code, message });
    return true;
  }
}
