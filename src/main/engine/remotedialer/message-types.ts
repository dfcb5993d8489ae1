// The remotedialer message vocabulary (rancher/remotedialer message.go).
// Type numbers are Go's `iota + 1` and travel as signed varints.

export const MessageType = {
  Data: 1,
  Connect: 2,
  Error: 3,
  AddClient: 4,
  RemoveClient: 5,
  Pause: 6,
  Resume: 7,
  SyncConnections: 8,
} as const;

export type MessageTypeName = keyof typeof MessageType;
export type KnownMessageType = (typeof MessageType)[MessageTypeName];

const NAMES: Record<number, MessageTypeName> = Object.fromEntries(
  Object.entries(MessageType).map(([name, value]) => [value, name as MessageTypeName]),
);

/** Human-readable name for any type number, including ones we do not know. */
export function messageTypeName(type: number | bigint): string {
  const asNumber = typeof type === 'bigint' ? (type >= 1n && type <= 8n ? Number(type) : Number.NaN) : type;
  return NAMES[asNumber] ?? `Unknown(${type})`;
}

/** Go always writes this value (15 s in ms) into the legacy deadline field of Data and Connect. */
export const LEGACY_DEADLINE_MS = 15_000n;

/** Go's io.LimitReader sizes in newServerMessage and message.Err. */
export const CONNECT_READ_LIMIT = 266;
/** Up to and including v0.4.x, Connect payloads were cut at 100 bytes. */
export const LEGACY_CONNECT_READ_LIMIT = 100;
export const CLIENT_ADDRESS_READ_LIMIT = 100;
export const ERROR_READ_LIMIT = 100;

/** The text an Error message carries for a graceful close (Go's io.EOF). */
export const EOF_TEXT = 'EOF';

interface MessageBase {
  /** Sender's message counter; receivers ignore it. */
  id: bigint;
  connId: bigint;
}

export interface DataMessage extends MessageBase {
  type: typeof MessageType.Data;
  payload: Uint8Array;
}

export interface ConnectMessage extends MessageBase {
  type: typeof MessageType.Connect;
  proto: string;
  address: string;
}

export interface ErrorMessage extends MessageBase {
  type: typeof MessageType.Error;
  /** At most ERROR_READ_LIMIT bytes of the sender's text when decoded. */
  text: string;
}

export interface AddClientMessage extends MessageBase {
  type: typeof MessageType.AddClient;
  /** "<clientKey>/<sessionKey>" */
  address: string;
}

export interface RemoveClientMessage extends MessageBase {
  type: typeof MessageType.RemoveClient;
  address: string;
}

export interface PauseMessage extends MessageBase {
  type: typeof MessageType.Pause;
}

export interface ResumeMessage extends MessageBase {
  type: typeof MessageType.Resume;
}

export interface SyncConnectionsMessage extends MessageBase {
  type: typeof MessageType.SyncConnections;
  /** Active connection ids, sorted ascending by the sender. */
  connIds: bigint[];
}

/** A type number Go does not know either; Go ignores these, and so do we. */
export interface UnknownMessage extends MessageBase {
  type: 'unknown';
  rawType: bigint;
  payload: Uint8Array;
}

export type TunnelMessage =
  | DataMessage
  | ConnectMessage
  | ErrorMessage
  | AddClientMessage
  | RemoveClientMessage
  | PauseMessage
  | ResumeMessage
  | SyncConnectionsMessage;

export type DecodedMessage = TunnelMessage | UnknownMessage;
