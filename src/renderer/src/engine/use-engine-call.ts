/**
 * A one-shot engine call for data that does not change while the app runs
 * (engine info, the preset list): fetched once per page, shared by every
 * component that asks (per engine).
 */
import { useEffect, useState } from 'react';
import type { RequestChannel, RequestOf, ResponseOf } from '../../../shared/channels';
import type { AgentEngine } from './engine-client';
import { useEngine } from './engine-provider';

/** Channels whose request is empty. */
type NoRequestChannel = { [C in RequestChannel]: RequestOf<C> extends void ? C : never }[RequestChannel];

const caches = new WeakMap<AgentEngine, Map<string, Promise<unknown>>>();

export function useEngineOnce<C extends NoRequestChannel>(
  channel: C,
): { data: ResponseOf<C> | undefined; error: string | undefined } {
  const engine = useEngine();
  const [data, setData] = useState<ResponseOf<C>>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    const cache = caches.get(engine) ?? new Map<string, Promise<unknown>>();
    caches.set(engine, cache);
    let pending = cache.get(channel) as Promise<ResponseOf<C>> | undefined;
    if (!pending) {
      pending = engine.call(channel, undefined as never);
      cache.set(channel, pending);
      // A failed call is asked again next time rather than cached.
      pending.catch(() => cache.delete(channel));
    }
    pending.then(
      (value) => live && setData(value),
      (err: unknown) => live && setError((err as Error).message),
    );
    return () => {
      live = false;
    };
  }, [engine, channel]);
  return { data, error };
}
