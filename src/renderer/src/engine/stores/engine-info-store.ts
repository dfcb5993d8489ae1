/**
 * What the engine says about itself (version, shell, Rancher URL), for the
 * status bar. Refreshed on every (re)connection and every half minute, so a
 * Rancher URL changed in the settings shows without a reload.
 */
import { create } from 'zustand';
import type { EngineInfo } from '../../../../shared/channels';
import { storeEngine } from '../store-engine';

/** The engine, given by the EngineProvider's init (app/start-stores.ts). */
const engine = storeEngine('engine info store');
export const bindEngineInfoStore = engine.bind;

const REFRESH_MS = 30_000;

interface EngineInfoState {
  info: EngineInfo | undefined;
  refresh(): Promise<void>;
}

export const useEngineInfoStore = create<EngineInfoState>((set) => ({
  info: undefined,
  async refresh() {
    try {
      set({ info: await engine.call('engine.info', undefined) });
    } catch {
      // the status bar shows the connection state; the next refresh tries again
    }
  },
}));

export function connectEngineInfoStore(): void {
  engine.onConnection?.((connected) => {
    if (connected) void useEngineInfoStore.getState().refresh();
  });
  void useEngineInfoStore.getState().refresh();
  setInterval(() => void useEngineInfoStore.getState().refresh(), REFRESH_MS);
}
