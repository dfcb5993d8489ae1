/**
 * One list+watch of a resource kept as an in-memory cache, shared by every
 * reconciler that needs it: one upstream watch per resource type for all
 * clusters, not one per cluster. Handles what a long-lived watch meets: paged
 * initial lists, bookmarks, 410 Gone (relist), dropped streams (resume from
 * the last resourceVersion) and errors (relist after a backoff).
 */
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type { Logger } from '../telemetry/logger';
import { KubeApiError } from './kube-api-error';
import { objectKey, type KubeList, type KubeObject } from './kube-object';
import type { KubeRest } from './kube-rest';

export interface WatchCacheEvents<T> {
  added: [T];
  updated: [T, T];
  deleted: [T];
  /** The cache holds a complete list (after each relist). */
  synced: [];
}

export interface WatchCacheOptions {
  labelSelector?: string;
  fieldSelector?: string;
  pageSize?: number;
}

export class WatchCache<T extends KubeObject> extends EventEmitter<WatchCacheEvents<T>> {
  private readonly items = new Map<string, T>();
  private resourceVersion = '';
  private abort: AbortController | undefined;
  private running = false;
  private hasSynced = false;
  private syncWaiters: (() => void)[] = [];

  constructor(
    private readonly rest: KubeRest,
    /** Collection path, e.g. /api/v1/nodes or /api/v1/pods. */
    private readonly path: string,
    private readonly logger: Logger,
    private readonly options: WatchCacheOptions = {},
  ) {
    super();
    this.setMaxListeners(0);
  }

  get synced(): boolean {
    return this.hasSynced;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  get size(): number {
    return this.items.size;
  }

  /** Starts the loop; resolves once the first full list is in. */
  start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      void this.loop();
    }
    return this.waitSynced();
  }

  waitSynced(): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  stop(): void {
    this.running = false;
    this.abort?.abort();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let needList = true;
    while (this.running) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        await this.watchOnce();
        failures = 0;
      } catch (err) {
        if (!this.running) return;
        if (err instanceof KubeApiError && err.status === 410) {
          needList = true;
          continue;
        }
        failures++;
        needList = true;
        const delay = Math.min(10_000, 250 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
        this.logger.debug({ path: this.path, err }, `watch failed; relisting in ${Math.round(delay)} ms`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async relist(): Promise<void> {
    const fresh = new Map<string, T>();
    let continueToken: string | undefined;
    let rv = '';
    do {
      const page = await this.rest.get<KubeList<T>>(this.path, {
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
        limit: this.options.pageSize ?? 500,
        continue: continueToken,
      });
      for (const item of page.items) fresh.set(objectKey(item), withoutManagedFields(item));
      continueToken = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion ?? rv;
    } while (continueToken);
    // Report the difference, so consumers see a relist as ordinary events.
    for (const [key, old] of this.items) {
      if (!fresh.has(key)) {
        this.items.delete(key);
        this.emit('deleted', old);
      }
    }
    for (const [key, item] of fresh) {
      const old = this.items.get(key);
      this.items.set(key, item);
      if (!old) this.emit('added', item);
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion)
        this.emit('updated', old, item);
    }
    this.resourceVersion = rv;
    this.hasSynced = true;
    this.emit('synced');
    for (const w of this.syncWaiters.splice(0)) w();
  }

  private async watchOnce(): Promise<void> {
    this.abort = new AbortController();
    const res = await this.rest.stream(
      this.path,
      {
        watch: 1,
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
        timeoutSeconds: 240 + Math.floor(Math.random() * 60),
      },
      this.abort.signal,
    );
    // readline does not pass its input's errors on: a reset connection must end the loop, not the process.
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    res.once('error', () => lines.close());
    try {
      for await (const line of lines) {
        if (!line.trim()) continue;
        const event = JSON.parse(line) as { type: string; object: T & { code?: number; message?: string } };
        this.apply(event.type, event.object);
      }
    } finally {
      lines.close();
      res.destroy();
    }
  }

  private apply(type: string, object: T & { code?: number; message?: string }): void {
    if (type === 'ERROR') {
      throw new KubeApiError(object.code ?? 500, 'WatchError', object.message ?? 'watch error');
    }
    if (object.metadata?.resourceVersion) this.resourceVersion = object.metadata.resourceVersion;
    if (type === 'BOOKMARK') return;
    withoutManagedFields(object);
    const key = objectKey(object);
    const old = this.items.get(key);
    if (type === 'DELETED') {
      this.items.delete(key);
      if (old) this.emit('deleted', object);
      return;
    }
    this.items.set(key, object);
    if (old) this.emit('updated', old, object);
    else this.emit('added', object);
  }
}

/**
 * Cached objects drop metadata.managedFields: no reader of a cache uses
 * them, nothing is written back from one, and they are about a third of
 * every object (one cluster's cached nodes, pods and namespaces are most of
 * an idle cluster's JS heap).
 */
function withoutManagedFields<T extends KubeObject>(object: T): T {
  if (object.metadata && 'managedFields' in object.metadata) delete object.metadata.managedFields;
  return object;
}
