/**
 * Calls an engine channel now and every `everyMs` while the component is
 * shown: for small views (a cluster's nodes, its recent log lines) where a
 * periodic read is simpler and cheaper than a dedicated event stream.
 */
import { useEffect, useState } from 'react';
import type { RequestChannel, RequestOf, ResponseOf } from '../../../shared/channels';
import { useEngine } from './engine-provider';

export function usePolledCall<C extends RequestChannel>(
  channel: C,
  request: RequestOf<C>,
  everyMs: number,
): { data: ResponseOf<C> | undefined; error: string | undefined } {
  const engine = useEngine();
  const [data, setData] = useState<ResponseOf<C>>();
  const [error, setError] = useState<string>();
  // The request is compared by value, so callers may pass a fresh literal each render.
  // (JSON.stringify(undefined) is undefined, not a string: an empty request is '' here.)
  const key = request === undefined ? '' : JSON.stringify(request);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      try {
        const value = await engine.call(channel, (key === '' ? undefined : JSON.parse(key)) as RequestOf<C>);
        if (!live) return;
        setData(value);
        setError(undefined);
      } catch (err) {
        if (live) setError((err as Error).message);
      }
      if (live) timer = setTimeout(() => void poll(), everyMs);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [engine, channel, key, everyMs]);
  return { data, error };
}
