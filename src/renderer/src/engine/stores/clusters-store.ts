/** The cluster list, kept live from `clusters.changed` batches. */
import { create } from 'zustand';
import type { ClusterRecord, ClustersChange } from '../../../../shared/cluster';
import { storeEngine } from '../store-engine';

/** The engine, given by the EngineProvider's init (app/start-stores.ts). */
const engine = storeEngine('clusters store');
export const bindClustersStore = engine.bind;

interface ClustersState {
  byName: Record<string, ClusterRecord>;
  loaded: boolean;
  error: string | undefined;
  load(): Promise<void>;
  apply(change: ClustersChange): void;
}

export const useClustersStore = create<ClustersState>((set) => ({
  byName: {},
  loaded: false,
  error: undefined,
  async load() {
    try {
      const list = await engine.call('clusters.list', undefined);
      set({ byName: Object.fromEntries(list.map((c) => [c.name, c])), loaded: true, error: undefined });
    } catch (err) {
      set({ error: (err as Error).message });
    }
  },
  apply(change) {
    set((state) => {
      const byName = { ...state.byName };
      for (const name of change.removed) delete byName[name];
      for (const c of change.upserted) byName[c.name] = c;
      return { byName };
    });
  },
}));

/** Starts listening; call once at startup. */
export function connectClustersStore(): void {
  const store = useClustersStore.getState();
  engine.on('clusters.changed', (change) => useClustersStore.getState().apply(change));
  engine.onConnection?.((connected) => {
    if (connected) void useClustersStore.getState().load();
  });
  void store.load();
}
