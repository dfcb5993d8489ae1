/**
 * `/v1/subscribe`: Steve's WebSocket of watches, as rancher/apiserver speaks
 * it. The client sends `{"resourceType", "namespace"?, "id"?, "selector"?,
 * "resourceVersion"?, "mode"?, "debounceMs"?, "stop"?}`; each distinct
 * (type, namespace, id, selector, mode, debounceMs) is one watch. The server
 * answers `resource.start`, then `resource.create` / `resource.change` /
 * `resource.remove` with the object formatted as a list item, or, in
 * `mode: "resource.changes"`, only debounced notices with the latest revision
 * (the paginated dashboard then fetches its page again). A watch that fails
 * gets `resource.error` and `resource.stop`; a malformed message gets
 * `resource.error` and nothing else changes. A ping every 30 s keeps the
 * dashboard's 35 s watchdog quiet. Each frame is one JSON object and a newline.
 */
import type { WebSocket } from 'ws';
import type { Logger } from '../telemetry/logger';
import type { ClusterKube } from './cluster-kube';
import { TABLE_ACCEPT } from './cluster-kube';
import type { TypeCount } from './counts';
import type { SteveSchema } from './schema-catalog';
import { formatResource, kubePath, withKind, type FormatContext, type Json } from './steve-resource';

export interface SubscribeDeps {
  kube: ClusterKube;
  schema: (id: string) => Promise<SteveSchema | undefined>;
  formatContext: (schema: SteveSchema) => FormatContext;
  counts: () => Promise<Record<string, TypeCount>>;
  version: string;
  logger: Logger;
  pingMs?: number;
  countsEveryMs?: number;
}

interface Subscription {
  resourceType: string;
  namespace?: string;
  id?: string;
  selector?: string;
  resourceVersion?: string;
  mode?: string;
  debounceMs?: number;
  stop?: boolean;
}

interface Frame {
  name: string;
  namespace?: string;
  resourceType?: string;
  id?: string;
  selector?: string;
  revision?: string;
  mode?: string;
  data: unknown;
}

const NO_OBJECT = { type: 'subscribe', links: {} };
const DEFAULT_DEBOUNCE_MS = 5000;
/** A client this far behind has its watches stopped (Steve stops a consumer that cannot keep up). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Parses one client message; a string is the error to answer. */
export function parseSubscription(text: string): Subscription | string {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m))
    return 'a subscribe message must be a JSON object';
  const r = m as Record<string, unknown>;
  if (typeof r.resourceType !== 'string' || !r.resourceType)
    return 'a subscribe message needs "resourceType"';
  const out: Subscription = { resourceType: r.resourceType };
  for (const key of ['namespace', 'id', 'selector', 'mode'] as const) {
    const v = r[key];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string') return `"${key}" must be a string`;
    out[key] = v;
  }
  if (r.resourceVersion !== undefined && r.resourceVersion !== '') {
    if (typeof r.resourceVersion !== 'string' && typeof r.resourceVersion !== 'number')
      return '"resourceVersion" must be a string';
    out.resourceVersion = String(r.resourceVersion);
  }
  if (r.debounceMs !== undefined) {
    if (typeof r.debounceMs !== 'number' || !Number.isInteger(r.debounceMs) || r.debounceMs < 0)
      return '"debounceMs" must be a whole number of milliseconds';
    if (r.debounceMs > 0) out.debounceMs = r.debounceMs;
  }
  if (r.stop !== undefined && typeof r.stop !== 'boolean') return '"stop" must be true or false';
  if (r.stop) out.stop = true;
  return out;
}

function keyOf(s: Subscription): string {
  return [s.resourceType, s.namespace, s.id, s.selector, s.mode, s.debounceMs].map((v) => v ?? '').join('/');
}

const EVENT_NAMES: Record<string, string> = {
  ADDED: 'resource.create',
  MODIFIED: 'resource.change',
  DELETED: 'resource.remove',
};

export class SubscribeSession {
  private readonly watches = new Map<string, { close(): void }>();
  private readonly ping: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: SubscribeDeps,
  ) {
    this.ping = setInterval(
      () => this.send({ name: 'ping', data: { ...NO_OBJECT, version: deps.version } }),
      deps.pingMs ?? 30_000,
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.send({ name: 'resource.error', data: { error: 'subscribe messages are JSON text' } });
        return;
      }
      this.onMessage(data.toString());
    });
    ws.on('close', () => this.close());
    ws.on('error', () => this.close());
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ping);
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
  }

  private send(frame: Frame): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    // Steve's field order, empty ones left out.
    const ordered: Record<string, unknown> = { name: frame.name };
    for (const k of ['namespace', 'resourceType', 'id', 'selector', 'revision', 'mode'] as const)
      if (frame[k]) ordered[k] = frame[k];
    ordered.data = frame.data;
    this.ws.send(`${JSON.stringify(ordered)}\n`);
  }

  private tagged(s: Subscription, name: string, data: unknown, revision?: string): Frame {
    return {
      name,
      ...(s.namespace ? { namespace: s.namespace } : {}),
      resourceType: s.resourceType,
      ...(s.id ? { id: s.id } : {}),
      ...(s.selector ? { selector: s.selector } : {}),
      ...(revision ? { revision } : {}),
      ...(s.mode ? { mode: s.mode } : {}),
      data,
    };
  }

  private onMessage(text: string): void {
    const s = parseSubscription(text);
    if (typeof s === 'string') {
      this.send({ name: 'resource.error', data: { error: s } });
      return;
    }
    const key = keyOf(s);
    if (s.stop) {
      const w = this.watches.get(key);
      if (!w) return; // a stop must match a watch exactly, as in Steve
      this.end(key, s);
      return;
    }
    if (this.watches.has(key)) return; // already watching: Steve ignores a repeat
    // Held before the schema lookup, so a repeat arriving meanwhile is ignored too.
    let stopped = false;
    const pending = { close: () => void (stopped = true) };
    this.watches.set(key, pending);
    void this.start(key, s, () => stopped).catch((err: unknown) => this.fail(key, s, (err as Error).message));
  }

  /** Ends a watch and tells the client (which re-watches while it still wants it). */
  private end(key: string, s: Subscription): void {
    const w = this.watches.get(key);
    if (!w) return;
    this.watches.delete(key);
    w.close();
    this.send(this.tagged(s, 'resource.stop', NO_OBJECT));
  }

  private fail(key: string, s: Subscription, error: string): void {
    if (!this.watches.has(key)) return;
    this.send(this.tagged(s, 'resource.error', { error }));
    this.end(key, s);
  }

  private async start(key: string, s: Subscription, stopped: () => boolean): Promise<void> {
    const schema = await this.deps.schema(s.resourceType);
    if (stopped() || this.closed) return;
    if (!schema) return this.fail(key, s, `failed to find schema ${s.resourceType}`);
    if (schema.id === 'schema') {
      // The schema set of a simulated cluster does not change while it runs: started, and quiet.
      this.send(this.tagged(s, 'resource.start', NO_OBJECT));
      return;
    }
    if (schema.id === 'count') return this.watchCounts(key, s);
    if (schema.steveOwn || !schema.verbs.includes('watch'))
      return this.fail(key, s, `schema ${schema.id} does not support watching`);
    this.watchKube(key, s, schema);
  }

  private watchCounts(key: string, s: Subscription): void {
    let last = new Map<string, string>();
    let first = true;
    const poll = async (): Promise<void> => {
      const counts = await this.deps.counts();
      const now = new Map(Object.entries(counts).map(([k, v]) => [k, JSON.stringify(v)]));
      const changed: Record<string, TypeCount> = {};
      for (const [k, v] of now) if (last.get(k) !== v) changed[k] = counts[k]!;
      last = now;
      if (first) {
        first = false;
        return;
      }
      if (Object.keys(changed).length > 0 && this.watches.has(key))
        this.send(
          this.tagged(s, 'resource.change', { id: 'count', type: 'count', links: {}, counts: changed }),
        );
    };
    const timer = setInterval(() => void poll().catch(() => undefined), this.deps.countsEveryMs ?? 5000);
    this.watches.set(key, { close: () => clearInterval(timer) });
    this.send(this.tagged(s, 'resource.start', NO_OBJECT));
    void poll().catch(() => undefined);
  }

  private watchKube(key: string, s: Subscription, schema: SteveSchema): void {
    const ctx = this.deps.formatContext(schema);
    const q = new URLSearchParams({ watch: 'true', includeObject: 'Object', allowWatchBookmarks: 'false' });
    if (s.resourceVersion && s.resourceVersion !== '0' && s.resourceVersion !== '-1')
      q.set('resourceVersion', s.resourceVersion);
    if (s.selector) q.set('labelSelector', s.selector);
    if (s.id) q.set('fieldSelector', `metadata.name=${s.id}`);
    const notify = s.mode === 'resource.changes' ? this.debouncer(key, s) : undefined;
    let buffer = '';
    const stream = this.deps.kube.stream(
      `${kubePath(schema, s.namespace)}?${q.toString()}`,
      (chunk) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) this.onWatchLine(key, s, line, ctx, notify);
        }
      },
      {
        accept: TABLE_ACCEPT,
        onEnd: (status) => {
          if (!this.watches.has(key)) return;
          if (status && status !== 200)
            this.fail(key, s, `event watch error: the cluster's API answered ${status}`);
          else this.end(key, s); // the upstream watch ended (timeout): the client watches again
        },
      },
    );
    this.watches.set(key, {
      close: () => {
        notify?.cancel();
        stream.close();
      },
    });
    this.send(this.tagged(s, 'resource.start', NO_OBJECT));
  }

  private onWatchLine(
    key: string,
    s: Subscription,
    line: string,
    ctx: FormatContext,
    notify: ReturnType<SubscribeSession['debouncer']> | undefined,
  ): void {
    let event: { type?: string; object?: Json };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return this.fail(key, s, 'event watch error: the cluster sent a line that is not JSON');
    }
    const object = event.object ?? {};
    if (event.type === 'ERROR') {
      const message = (object as { message?: string }).message ?? 'watch failed';
      return this.fail(key, s, `event watch error: ${message}`);
    }
    const name = EVENT_NAMES[event.type ?? ''];
    if (!name) return; // bookmarks
    const row =
      object.kind === 'Table'
        ? ((object.rows as { cells?: unknown[]; object?: Json }[] | undefined) ?? [])[0]
        : { object, cells: undefined };
    if (!row?.object) return;
    const revision = (row.object.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (notify) return notify.push(revision);
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) return this.end(key, s);
    this.send(
      this.tagged(s, name, formatResource(withKind(row.object, ctx.schema), row.cells, ctx), revision),
    );
  }

  /** `resource.changes`: the first change at once, then one notice per debounce window with the latest revision. */
  private debouncer(key: string, s: Subscription) {
    const wait = s.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    let sentFirst = false;
    let timer: NodeJS.Timeout | undefined;
    let latest: string | undefined;
    const flush = (): void => {
      timer = undefined;
      if (this.watches.has(key)) this.send(this.tagged(s, 'resource.changes', NO_OBJECT, latest));
    };
    return {
      push: (revision: string | undefined): void => {
        latest = revision ?? latest;
        if (!sentFirst) {
          sentFirst = true;
          flush();
          return;
        }
        timer ??= setTimeout(flush, wait);
      },
      cancel: (): void => {
        if (timer) clearTimeout(timer);
      },
    };
  }
}
