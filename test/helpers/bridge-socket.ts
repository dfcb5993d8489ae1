/**
 * A `ws` client on an agent's /api/ws (web mode's channel bridge) that keeps
 * every message it receives, parsed, in arrival order.
 */
import WebSocket from 'ws';

/** One message of the bridge protocol, as a test reads it. */
export interface BridgeMessage {
  type: string;
  id?: number;
  ok?: boolean;
  value?: unknown;
  error?: { code: string; message: string };
  channel?: string;
  payload?: unknown;
}

export async function openBridgeSocket(
  webUrl: string,
): Promise<{ socket: WebSocket; inbox: BridgeMessage[] }> {
  const socket = new WebSocket(`${webUrl.replace('http', 'ws')}/api/ws`);
  const inbox: BridgeMessage[] = [];
  socket.on('message', (d) => inbox.push(JSON.parse(String(d)) as BridgeMessage));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, inbox };
}
