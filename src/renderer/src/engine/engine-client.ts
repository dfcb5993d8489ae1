/**
 * The UI's one handle on the engine. In the desktop app the preload script
 * provides it over IPC; in a browser (web mode) it is the WebSocket client.
 * The root creates it once and hands it to the EngineProvider; nothing
 * imports a client from a module.
 */
import type { EngineClient } from '../../../shared/channels';
import { WsEngineClient } from './ws-engine-client';

declare global {
  interface Window {
    scaleAgent?: EngineClient;
  }
}

/** The channel map, plus (in web mode) connection changes, so the UI can refetch after a gap. */
export type AgentEngine = EngineClient & { onConnection?: (l: (connected: boolean) => void) => () => void };

export function createEngineClient(): AgentEngine {
  if (window.scaleAgent) return window.scaleAgent;
  const page = new URL(window.location.href);
  const wsUrl = new URL('/api/ws', page);
  wsUrl.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = page.searchParams.get('token');
  if (token) wsUrl.searchParams.set('token', token);
  return new WsEngineClient(wsUrl.toString());
}
