/**
 * Messages of the web-mode WebSocket bridge (and the shape of IPC replies).
 * A call is answered by exactly one result with the same id.
 */
import type { EventChannel, EventChannels, RequestChannel } from './channels';
import type { EngineErrorShape } from './errors';

export interface CallMessage {
  type: 'call';
  id: number;
  channel: RequestChannel;
  request?: unknown;
}

export type CallResult = { ok: true; value: unknown } | { ok: false; error: EngineErrorShape };

export type ResultMessage = { type: 'result'; id: number } & CallResult;

export interface EventMessage<E extends EventChannel = EventChannel> {
  type: 'event';
  channel: E;
  payload: EventChannels[E];
}
