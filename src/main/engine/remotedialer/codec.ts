// Byte-exact encoding and decoding of remotedialer messages (one message per
// binary WebSocket message). Decoding follows Go's newServerMessage and
// message.Err, including their read limits and their error cases, so a frame
// that would kill a Go session also produces an error here.

import {
  CLIENT_ADDRESS_READ_LIMIT,
  CONNECT_READ_LIMIT,
  ERROR_READ_LIMIT,
  LEGACY_DEADLINE_MS,
  MessageType,
  type DecodedMessage,
  type TunnelMessage,
} from './message-types';
import { VarintError, readVarint, skipVarint, varintLength, writeVarint } from './varint';

/** A frame Go's decoder would reject; the receiving session must be closed. */
export class FrameDecodeError extends Error {
  /** The error text Go's session would report for the same bytes. */
  readonly goText: string;
  /** Which part is broken: the varint header (framing) or the payload of a readable header. */
  readonly part: 'header' | 'payload';
  constructor(message: string, goText: string, part: 'header' | 'payload' = 'payload') {
    super(message);
    this.name = 'FrameDecodeError';
    this.goText = goText;
    this.part = part;
  }
}

export interface DecodeOptions {
  /** Bytes of a Connect payload that are read; 266 since v0.5.0, 100 before. */
  connectReadLimit?: number;
}

const LEGACY_DEADLINE_LENGTH = varintLength(LEGACY_DEADLINE_MS);

function hasDeadlineField(type: number): boolean {
  return type === MessageType.Data || type === MessageType.Connect;
}

function headerLength(id: bigint, connId: bigint, type: number): number {
  return (
    varintLength(id) +
    varintLength(connId) +
    varintLength(BigInt(type)) +
    (hasDeadlineField(type) ? LEGACY_DEADLINE_LENGTH : 0)
  );
}

function writeHeader(target: Uint8Array, id: bigint, connId: bigint, type: number): number {
  let offset = writeVarint(target, 0, id);
  offset = writeVarint(target, offset, connId);
  offset = writeVarint(target, offset, BigInt(type));
  if (hasDeadlineField(type)) offset = writeVarint(target, offset, LEGACY_DEADLINE_MS);
  return offset;
}

function frameWithPayload(id: bigint, connId: bigint, type: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(headerLength(id, connId, type) + payload.length);
  const offset = writeHeader(frame, id, connId, type);
  frame.set(payload, offset);
  return frame;
}

/** The hot path: a Data frame without building a message object. */
export function encodeData(id: bigint, connId: bigint, payload: Uint8Array): Buffer {
  return frameWithPayload(id, connId, MessageType.Data, payload);
}

export function encodeConnectionIds(connIds: readonly bigint[]): Buffer {
  const payload = Buffer.allocUnsafe(connIds.length * 8);
  // Go writes int64 ids as uint64; BigUint64 needs the two's complement form.
  connIds.forEach((id, index) => payload.writeBigUInt64LE(BigInt.asUintN(64, id), index * 8));
  return payload;
}

export function decodeConnectionIds(payload: Uint8Array): bigint[] {
  if (payload.length % 8 !== 0) {
    throw new FrameDecodeError(
      `invalid SyncConnections payload: ${payload.length} bytes is not a multiple of 8`,
      'decoding sync connections payload: incorrect data format',
    );
  }
  const view = Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  const ids: bigint[] = [];
  for (let offset = 0; offset < payload.length; offset += 8) ids.push(view.readBigInt64LE(offset));
  return ids;
}

export function encodeMessage(message: TunnelMessage): Buffer {
  const { id, connId } = message;
  switch (message.type) {
    case MessageType.Data:
      return frameWithPayload(id, connId, message.type, message.payload);
    case MessageType.Connect:
      return frameWithPayload(id, connId, message.type, Buffer.from(`${message.proto}/${message.address}`));
    case MessageType.Error:
      // The full text goes out; receivers cut it at ERROR_READ_LIMIT.
      return frameWithPayload(id, connId, message.type, Buffer.from(message.text));
    case MessageType.AddClient:
    case MessageType.RemoveClient:
      return frameWithPayload(id, connId, message.type, Buffer.from(message.address));
    case MessageType.Pause:
    case MessageType.Resume:
      return frameWithPayload(id, connId, message.type, new Uint8Array(0));
    case MessageType.SyncConnections:
      return frameWithPayload(id, connId, message.type, encodeConnectionIds(message.connIds));
  }
}

function readHeaderVarint(frame: Uint8Array, offset: number, field: string): { value: bigint; next: number } {
  try {
    return readVarint(frame, offset);
  } catch (error) {
    throw headerError(error, field);
  }
}

function headerError(error: unknown, field: string): Error {
  if (!(error instanceof VarintError)) return error instanceof Error ? error : new Error(String(error));
  const goText =
    error.kind === 'empty' ? 'EOF' : error.kind === 'truncated' ? 'unexpected EOF' : error.message;
  return new FrameDecodeError(`invalid frame header (${field}): ${error.message}`, goText, 'header');
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/**
 * Decodes one binary WebSocket message. Data payloads are views into `frame`
 * (no copy); copy them if `frame` is reused.
 */
export function decodeMessage(frame: Uint8Array, options: DecodeOptions = {}): DecodedMessage {
  const id = readHeaderVarint(frame, 0, 'message id');
  const connId = readHeaderVarint(frame, id.next, 'connection id');
  const rawType = readHeaderVarint(frame, connId.next, 'message type');
  let offset = rawType.next;
  const type = rawType.value >= 1n && rawType.value <= 8n ? Number(rawType.value) : 0;

  if (hasDeadlineField(type)) {
    try {
      offset = skipVarint(frame, offset);
    } catch (error) {
      throw headerError(error, 'legacy deadline');
    }
  }
  const payload = frame.subarray(offset);
  const base = { id: id.value, connId: connId.value };

  switch (type) {
    case MessageType.Data:
      return { ...base, type, payload };
    case MessageType.Connect: {
      const limit = options.connectReadLimit ?? CONNECT_READ_LIMIT;
      const target = text(payload.subarray(0, limit));
      const slash = target.indexOf('/');
      if (slash < 0) {
        throw new FrameDecodeError(
          `invalid Connect payload ${JSON.stringify(target)}: expected "<proto>/<address>"`,
          'failed to parse connect address',
        );
      }
      return { ...base, type, proto: target.slice(0, slash), address: target.slice(slash + 1) };
    }
    case MessageType.Error:
      return { ...base, type, text: text(payload.subarray(0, ERROR_READ_LIMIT)) };
    case MessageType.AddClient:
    case MessageType.RemoveClient:
      return { ...base, type, address: text(payload.subarray(0, CLIENT_ADDRESS_READ_LIMIT)) };
    case MessageType.Pause:
    case MessageType.Resume:
      return { ...base, type };
    case MessageType.SyncConnections:
      return { ...base, type, connIds: decodeConnectionIds(payload) };
    default:
      return { ...base, type: 'unknown', rawType: rawType.value, payload };
  }
}

/** The payload bytes a message carries (what follows the header on the wire). */
export function messagePayload(message: DecodedMessage): Uint8Array {
  switch (message.type) {
    case MessageType.Data:
    case 'unknown':
      return message.payload;
    case MessageType.Connect:
      return Buffer.from(`${message.proto}/${message.address}`);
    case MessageType.Error:
      return Buffer.from(message.text);
    case MessageType.AddClient:
    case MessageType.RemoveClient:
      return Buffer.from(message.address);
    case MessageType.SyncConnections:
      return encodeConnectionIds(message.connIds);
    case MessageType.Pause:
    case MessageType.Resume:
      return new Uint8Array(0);
  }
}
