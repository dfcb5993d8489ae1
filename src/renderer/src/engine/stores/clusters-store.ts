/**
 * The cluster lists of this agent and of every other agent added to the UI,
 * kept live from `clusters.changed` batches (relayed ones for the others).
 * `byName` is the selected agent's list, for the screens that show one agent.
 */
import { create } from 'zustand';
import type { AgentInfo } from '../../../../shared/agents';
import type { ClusterRecord, ClustersChange } from '../../../../shared/cluster';
import { LOCAL_AGENT, relayedEngine } from '../agent-engines';
import type { AgentEngine } from '../engine-client';
import { storeEngine } from '../store-engine';

/** The root engine (this agent), given by the EngineProvider's init (app/start-stores.ts). */
const engine = storeEngine('clusters store');
export const bindClustersStore = engine.bind;

type ClusterMap = Record<string, ClusterRecord>;

interface ClustersState {
  /** Each agent's clusters by name; LOCAL_AGENT ('') is this agent. */
  byAgent: Record<string, ClusterMap>;
  /** The selected agent's clusters. */
  byName: ClusterMap;
  selected: string;
  loaded: boolean;
  error: string | undefined;
  load(agent?: string): Promise<void>;
  apply(agent: string, change: ClustersChange): void;
  select(agent: string): void;
  forget(agent: string): void;
}

const EMPTY: ClusterMap = {};

export const useClustersStore = create<ClustersState>((set) => ({
  byAgent: {},
  byName: EMPTY,
  selected: LOCAL_AGENT,
  loaded: false,
  error: undefined,
  async load(agent = LOCAL_AGENT) {
    try {
      const list = await relayedEngine(engine as AgentEngine, agent).call('clusters.list', undefined);
      const map = Object.fromEntries(list.map((c) => [c.name, c]));
      set((s) => ({
        byAgent: { ...s.byAgent, [agent]: map },
        byName: s.selected === agent ? map : s.byName,
        ...(agent === LOCAL_AGENT ? { loaded: true, error: undefined } : {}),
      }));
    } catch (err) {
      if (agent === LOCAL_AGENT) set({ error: (err as Error).message });
    }
  },
  apply(agent, change) {
    set((state) => {
      const map = { ...(state.byAgent[agent] ?? {}) };
      for (const name of change.removed) delete map[name];
      for (const c of change.upserted) map[c.name] = c;
      return {
        byAgent: { ...state.byAgent, [agent]: map },
        byName: state.selected === agent ? map : state.byName,
      };
    });
  },
  select(agent) {
    set((s) => ({ selected: agent, byName: s.byAgent[agent] ?? EMPTY }));
  },
  forget(agent) {
    set((s) => {
      const byAgent = { ...s.byAgent };
      delete byAgent[agent];
      return { byAgent };
    });
  },
}));

/** Starts listening; call once at startup. */
export function connectClustersStore(): void {
  const store = (): ClustersState => useClustersStore.getState();
  engine.on('clusters.changed', (change) => store().apply(LOCAL_AGENT, change));
  engine.on('agents.event', (event) => {
    if (event.channel === 'clusters.changed') store().apply(event.agent, event.payload as ClustersChange);
  });
  // An agent that (re)connects is read whole; one removed is dropped.
  let connected = new Set<string>();
  engine.on('agents.changed', (agents: AgentInfo[]) => {
    const now = new Set(agents.filter((a) => a.connected).map((a) => a.name));
    for (const name of now) if (!connected.has(name)) void store().load(name);
    for (const name of Object.keys(store().byAgent))
      if (name !== LOCAL_AGENT && !agents.some((a) => a.name === name)) store().forget(name);
    connected = now;
  });
  engine.onConnection?.((up) => {
    if (!up) return;
    void store().load();
    void engine
      .call('agents.list', undefined)
      .then((agents) => agents.filter((a) => a.connected).forEach((a) => void store().load(a.name)))
      .catch(() => undefined);
  });
  void store().load();
  void engine
    .call('agents.list', undefined)
    .then((agents) => {
      connected = new Set(agents.filter((a) => a.connected).map((a) => a.name));
      for (const name of connected) void store().load(name);
    })
    .catch(() => undefined);
}
