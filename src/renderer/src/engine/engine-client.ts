/**
 * The UI's one handle on the engine. In the desktop app the preload script
 * provides it over IPC; in a browser (web mode) it is the WebSocket client.
 */
import type { EngineClient } from '../../../shared/channels';
import { WsEngineClient } from './ws-engine-client';

declare global {
  interface Window {
    scaleAgent?: EngineClient;
  }
}

function createClient(): EngineClient & { onConnection?: (l: (connected: boolean) => void) => () => void } {
  if (window.scaleAgent) return window.scaleAgent;
  const page = new URL(window.location.href);
  const wsUrl = new URL('/api/ws', page);
  wsUrl.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = page.searchParams.get('token');
  if (token) wsUrl.searchParams.set('token', token);
  return new WsEngineClient(wsUrl.toString());
}

export const engine = createClient();
