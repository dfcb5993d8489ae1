/** The main cluster's status, kept live from `mainCluster.changed`. */
import { create } from 'zustand';
import type { MainClusterInfo } from '../../../../shared/main-cluster';
import { storeEngine } from '../store-engine';

/** The engine, given by the EngineProvider's init (app/start-stores.ts). */
const engine = storeEngine('main cluster store');
export const bindMainClusterStore = engine.bind;

interface MainClusterState {
  info: MainClusterInfo | undefined;
  connected: boolean;
  refresh(): Promise<void>;
}

export const useMainClusterStore = create<MainClusterState>((set) => ({
  info: undefined,
  connected: true,
  async refresh() {
    try {
      set({ info: await engine.call('mainCluster.get', undefined) });
    } catch {
      // shown through `connected`; the next event or reconnect refreshes
    }
  },
}));

export function connectMainClusterStore(): void {
  engine.on('mainCluster.changed', (info) => useMainClusterStore.setState({ info }));
  engine.onConnection?.((connected) => {
    useMainClusterStore.setState({ connected });
    if (connected) void useMainClusterStore.getState().refresh();
  });
  void useMainClusterStore.getState().refresh();
}
