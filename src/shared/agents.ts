/**
 * Other agents this one's UI shows beside its own clusters (one UI over
 * many agents, e.g. the shards of a fleet). The engine holds the connections
 * and relays calls and events, so the desktop app and web mode work alike
 * and access tokens stay sealed in the engine.
 */
import type { EventChannel, RequestChannel } from './channels';

export interface AgentInfo {
  /** How the UI names the agent (unique; the local agent is never listed). */
  name: string;
  url: string;
  connected: boolean;
  /** Why it is not connected. */
  error?: string;
  version?: string;
}

export interface AddAgentRequest {
  /** The agent's REST/web address, e.g. http://10.0.0.7:9090. */
  url: string;
  /** Its access token (SCALE_AGENT_ACCESS_TOKEN), when it has one. Sealed at rest, never logged. */
  token?: string;
  /** Default: the URL's host:port. */
  name?: string;
}

export interface AgentCallRequest {
  agent: string;
  channel: RequestChannel;
  request?: unknown;
}

/** An event of another agent, relayed. */
export interface AgentEvent {
  agent: string;
  channel: EventChannel;
  payload: unknown;
}
