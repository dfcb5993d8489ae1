/**
 * The other agents shown in this UI and which agent the one-agent screens
 * show. The list lives in the engine (it keeps the connections and the
 * sealed tokens); this store follows `agents.changed`.
 */
import { create } from 'zustand';
import type { AddAgentRequest, AgentInfo } from '../../../../shared/agents';
import { LOCAL_AGENT, type SelectedAgentEngine } from '../agent-engines';
import { useClustersStore } from './clusters-store';

let selector: SelectedAgentEngine | undefined;
const root = (): SelectedAgentEngine['root'] => {
  if (!selector) throw new Error('agents store: used before startStores gave it the engine');
  return selector.root;
};

interface AgentsState {
  agents: AgentInfo[];
  /** The agent the one-agent screens show; LOCAL_AGENT is this one. */
  selected: string;
  load(): Promise<void>;
  add(request: AddAgentRequest): Promise<AgentInfo>;
  remove(name: string): Promise<void>;
  select(agent: string): void;
}

export const useAgentsStore = create<AgentsState>((set, get) => ({
  agents: [],
  selected: LOCAL_AGENT,
  async load() {
    try {
      set({ agents: await root().call('agents.list', undefined) });
    } catch {
      // an older agent without the channel: no other agents
    }
  },
  async add(request) {
    const info = await root().call('agents.add', request);
    await get().load();
    return info;
  },
  async remove(name) {
    await root().call('agents.remove', { name });
    if (get().selected === name) get().select(LOCAL_AGENT);
    await get().load();
  },
  select(agent) {
    selector?.select(agent);
    useClustersStore.getState().select(agent);
    set({ selected: agent });
  },
}));

export function connectAgentsStore(engine: SelectedAgentEngine): void {
  selector = engine;
  engine.root.on('agents.changed', (agents) => {
    useAgentsStore.setState({ agents });
    const { selected } = useAgentsStore.getState();
    if (selected !== LOCAL_AGENT && !agents.some((a) => a.name === selected))
      useAgentsStore.getState().select(LOCAL_AGENT);
  });
  engine.root.onConnection?.((connected) => {
    if (connected) void useAgentsStore.getState().load();
  });
  void useAgentsStore.getState().load();
}
