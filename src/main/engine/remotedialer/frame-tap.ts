// Lets the tunnel inspector and telemetry see every frame a session sends or
// receives. Sessions check `active` before building a record, so a tap that
// nobody listens to costs one property read per frame.

import { messageTypeName } from './message-types';

export type FrameDirection = 'in' | 'out';

export interface FrameRecord {
  direction: FrameDirection;
  /** Message type number (1..8), or the raw number for unknown types; null when the header did not decode. */
  type: number | bigint | null;
  typeName: string;
  connId: bigint | null;
  /** Size of the whole WebSocket message in bytes. */
  size: number;
  /** Date.now() when the frame was handed to or received from the WebSocket. */
  timestamp: number;
  /** A copy of the first payload bytes (not the header), so records never pin large frames. */
  head: Uint8Array;
}

export type FrameListener = (record: FrameRecord) => void;

export const DEFAULT_HEAD_BYTES = 64;

export class FrameTap {
  private listeners: FrameListener[] = [];
  readonly headBytes: number;

  constructor(headBytes = DEFAULT_HEAD_BYTES) {
    this.headBytes = headBytes;
  }

  get active(): boolean {
    return this.listeners.length > 0;
  }

  /** Returns the function that removes the listener. */
  subscribe(listener: FrameListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((existing) => existing !== listener);
    };
  }

  record(
    direction: FrameDirection,
    type: number | bigint | null,
    connId: bigint | null,
    size: number,
    payload: Uint8Array | null,
  ): void {
    const record: FrameRecord = {
      direction,
      type,
      typeName: type === null ? 'Invalid' : messageTypeName(type),
      connId,
      size,
      timestamp: Date.now(),
      head: payload ? payload.slice(0, this.headBytes) : new Uint8Array(0),
    };
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // An inspector bug must never break a tunnel.
      }
    }
  }
}
