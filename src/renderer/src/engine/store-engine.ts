/**
 * A zustand store's handle on the engine. Stores live outside React, so they
 * cannot use the context: each store makes one of these, and the
 * EngineProvider's init call binds it to the root's engine before the first
 * render. Calling it before then is a bug, and says so.
 */
import type {
  EventChannel,
  EventChannels,
  RequestChannel,
  RequestOf,
  ResponseOf,
} from '../../../shared/channels';
import type { AgentEngine } from './engine-client';

export interface StoreEngine extends Required<AgentEngine> {
  bind(engine: AgentEngine): void;
}

export function storeEngine(owner: string): StoreEngine {
  let bound: AgentEngine | undefined;
  const target = (): AgentEngine => {
    if (!bound) throw new Error(`${owner}: used before the EngineProvider gave it the engine`);
    return bound;
  };
  return {
    bind(engine) {
      bound = engine;
    },
    call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
      return target().call(channel, request);
    },
    on<E extends EventChannel>(channel: E, listener: (payload: EventChannels[E]) => void): () => void {
      return target().on(channel, listener);
    },
    // The desktop app's IPC client has no connection events: then this never fires.
    onConnection(listener: (connected: boolean) => void): () => void {
      return target().onConnection?.(listener) ?? (() => undefined);
    },
  };
}
