/**
 * Web mode's transport: the channel map over a WebSocket. Each call message
 * gets one result with the same id; engine events are pushed to every client.
 * Malformed messages get an error result and change nothing.
 */
import type { WebSocket, WebSocketServer } from 'ws';
import { EVENT_CHANNELS, isRequestChannel, type EventChannel } from '../../../shared/channels';
import { EngineError } from '../../../shared/errors';
import type { CallMessage, EventMessage, ResultMessage } from '../../../shared/wire';
import type { Engine } from '../engine';
import type { Logger } from '../telemetry/logger';
import { errorStatus } from './http-utils';

/** Calls larger than this are refused (the channel map has only small requests). */
const MAX_MESSAGE_BYTES = 256 * 1024;

export function attachWsBridge(wss: WebSocketServer, engine: Engine, logger: Logger): void {
  wss.on('connection', (socket) => {
    const unsubscribe = EVENT_CHANNELS.map((channel) => forwardEvent(engine, socket, channel));
    socket.on('message', (data, isBinary) => void onMessage(engine, socket, data, isBinary));
    socket.on('close', () => unsubscribe.forEach((off) => off()));
    socket.on('error', (err) => logger.debug({ err }, 'web UI socket error'));
  });
}

function forwardEvent<E extends EventChannel>(engine: Engine, socket: WebSocket, channel: E): () => void {
  const listener = (payload: EventMessage<E>['payload']): void => {
    if (socket.readyState !== socket.OPEN) return;
    const message: EventMessage<E> = { type: 'event', channel, payload };
    socket.send(JSON.stringify(message));
  };
  engine.events.on(channel, listener as never);
  return () => engine.events.off(channel, listener as never);
}

async function onMessage(engine: Engine, socket: WebSocket, data: unknown, isBinary: boolean): Promise<void> {
  let id = 0;
  try {
    const buffer = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
    if (isBinary) throw new EngineError('invalid', 'messages must be JSON text');
    if (buffer.length > MAX_MESSAGE_BYTES)
      throw new EngineError('invalid', `message larger than ${MAX_MESSAGE_BYTES} bytes`);
    const message = parseCall(buffer.toString('utf8'), (callId) => (id = callId));
    const value = await engine.handle(message.channel, message.request);
    reply(socket, { type: 'result', id, ok: true, value });
  } catch (err) {
    const { code, message } = errorStatus(err);
    reply(socket, { type: 'result', id, ok: false, error: { code: code as EngineError['code'], message } });
  }
}

/** Parses a call; `onId` learns the id as soon as it is known, so even a bad call is answered to its id. */
function parseCall(text: string, onId: (id: number) => void): CallMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EngineError('invalid', 'message is not valid JSON');
  }
  const m = parsed as Partial<CallMessage> | null;
  if (typeof m !== 'object' || m === null || m.type !== 'call')
    throw new EngineError('invalid', 'message must be {"type":"call",...}');
  if (typeof m.id !== 'number' || !Number.isSafeInteger(m.id))
    throw new EngineError('invalid', 'call needs a numeric id');
  onId(m.id);
  if (!isRequestChannel(m.channel))
    throw new EngineError('invalid', `unknown channel ${JSON.stringify(m.channel)}`);
  return m as CallMessage;
}

function reply(socket: WebSocket, message: ResultMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}
