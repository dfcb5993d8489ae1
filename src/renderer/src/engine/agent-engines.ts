/**
 * Engines for other agents, relayed through this one (`agents.call`, and
 * their events as `agents.event`), so the desktop app and web mode reach
 * them the same way and never hold their tokens.
 *   - relayedEngine(root, agent): one agent, for a part of the UI that is
 *     about that agent (a cluster's details, a batch's progress there);
 *   - SelectedAgentEngine: the agent chosen in the top bar; the screens that
 *     show one agent at a time (inspector, memory, faults, logs, settings,
 *     main cluster) talk to it and refetch when the choice changes.
 */
import type {
  EventChannel,
  EventChannels,
  RequestChannel,
  RequestOf,
  ResponseOf,
} from '../../../shared/channels';
import type { AgentEvent } from '../../../shared/agents';
import type { AgentEngine } from './engine-client';

/** The agent this UI is served by (or runs in). */
export const LOCAL_AGENT = '';

function relayCall<C extends RequestChannel>(
  root: AgentEngine,
  agent: string,
  channel: C,
  request: RequestOf<C>,
): Promise<ResponseOf<C>> {
  if (agent === LOCAL_AGENT) return root.call(channel, request);
  return root.call('agents.call', { agent, channel, request }) as Promise<ResponseOf<C>>;
}

function relayOn<E extends EventChannel>(
  root: AgentEngine,
  agent: () => string,
  channel: E,
  listener: (payload: EventChannels[E]) => void,
): () => void {
  const offLocal = root.on(channel, (payload) => {
    if (agent() === LOCAL_AGENT) listener(payload);
  });
  const offRelayed = root.on('agents.event', (event: AgentEvent) => {
    if (event.agent === agent() && event.channel === channel) listener(event.payload as EventChannels[E]);
  });
  return () => {
    offLocal();
    offRelayed();
  };
}

const relayed = new WeakMap<AgentEngine, Map<string, AgentEngine>>();

export function relayedEngine(root: AgentEngine, agent: string): AgentEngine {
  if (agent === LOCAL_AGENT) return root;
  let byAgent = relayed.get(root);
  if (!byAgent) relayed.set(root, (byAgent = new Map()));
  let engine = byAgent.get(agent);
  if (!engine) {
    engine = {
      call: (channel, request) => relayCall(root, agent, channel, request),
      on: (channel, listener) => relayOn(root, () => agent, channel, listener),
    };
    byAgent.set(agent, engine);
  }
  return engine;
}

export class SelectedAgentEngine implements Required<AgentEngine> {
  private agent = LOCAL_AGENT;
  private readonly connectionListeners = new Set<(connected: boolean) => void>();

  constructor(readonly root: AgentEngine) {
    root.onConnection?.((connected) => this.connectionListeners.forEach((l) => l(connected)));
  }

  /** Switches every screen to another agent: they see a reconnect, so each refetches its data. */
  select(agent: string): void {
    if (agent === this.agent) return;
    this.connectionListeners.forEach((l) => l(false));
    this.agent = agent;
    this.connectionListeners.forEach((l) => l(true));
  }

  call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
    return relayCall(this.root, this.agent, channel, request);
  }

  on<E extends EventChannel>(channel: E, listener: (payload: EventChannels[E]) => void): () => void {
    return relayOn(this.root, () => this.agent, channel, listener);
  }

  onConnection(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }
}

/** The engine of one agent, from the engine a component holds (useEngine() gives the selected agent's). */
export function engineForAgent(engine: AgentEngine, agent: string): AgentEngine {
  return relayedEngine(engine instanceof SelectedAgentEngine ? engine.root : engine, agent);
}

/** A row key for a cluster of any agent: its name here, `agent/name` for another agent's (names hold no '/'). */
export function clusterKey(agent: string, name: string): string {
  return agent === LOCAL_AGENT ? name : `${agent}/${name}`;
}

export function parseClusterKey(key: string): { agent: string; name: string } {
  const slash = key.lastIndexOf('/');
  return slash < 0
    ? { agent: LOCAL_AGENT, name: key }
    : { agent: key.slice(0, slash), name: key.slice(slash + 1) };
}
