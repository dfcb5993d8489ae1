/**
 * The faults in effect, kept live from `faults.changed` (injections and
 * clears from any UI or REST, and faults that end by themselves), and the
 * calls the Faults screen makes.
 */
import { create } from 'zustand';
import type { ActiveFault, InjectFaultRequest, InjectFaultResponse } from '../../../../shared/faults';
import { storeEngine } from '../../engine/store-engine';

/** The engine, given by the EngineProvider's init (app/start-stores.ts). */
const engine = storeEngine('faults store');
export const bindFaultsStore = engine.bind;

interface FaultsState {
  faults: ActiveFault[];
  loaded: boolean;
  error: string | undefined;
  load(): Promise<void>;
  /** Injects a fault; the engine's answer, or throws its error. */
  inject(request: InjectFaultRequest): Promise<InjectFaultResponse>;
  /** Clears one fault, or every fault without an id. */
  clear(id?: string): Promise<void>;
}

export const useFaultsStore = create<FaultsState>((set, get) => ({
  faults: [],
  loaded: false,
  error: undefined,
  async load() {
    try {
      set({ faults: await engine.call('faults.list', undefined), loaded: true, error: undefined });
    } catch (err) {
      set({ error: (err as Error).message });
    }
  },
  async inject(request) {
    const answer = await engine.call('faults.inject', request);
    await get().load();
    return answer;
  },
  async clear(id) {
    try {
      await engine.call('faults.clear', id === undefined ? {} : { id });
      set({ error: undefined });
    } catch (err) {
      set({ error: (err as Error).message });
    }
    await get().load();
  },
}));

let connected = false;

/** Starts listening (once; the Faults screen calls it when first shown). */
export function connectFaultsStore(): void {
  if (connected) return;
  connected = true;
  engine.on('faults.changed', (e) => useFaultsStore.setState({ faults: e.faults, loaded: true }));
  engine.onConnection?.((up) => {
    if (up) void useFaultsStore.getState().load();
  });
  void useFaultsStore.getState().load();
}
