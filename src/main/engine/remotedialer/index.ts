// Public surface of the TypeScript remotedialer (Rancher's tunnel protocol).
export {
  connectClientSession,
  ClientSession,
  HandshakeError,
  spliceWithoutHalfClose,
  CONNECT_NOT_ALLOWED,
} from './client-session';
export type { AllowConnect, LocalDialer, ClientSessionOptions, ConnectClientOptions } from './client-session';
export { RemoteDialerServer, ServerSession } from './server-session';
export type {
  Authorizer,
  AuthResult,
  RemoteDialerServerOptions,
  ServerSessionOptions,
} from './server-session';
export { TunnelSession, SessionClosedError } from './tunnel-session';
export { CloseCode } from './close-codes';
export type { CloseCodeValue } from './close-codes';
export type { SessionStats, SessionRole, TunnelSessionOptions } from './tunnel-session';
export { TunnelConnection, TunnelConnectionError, MAX_BUFFER, RESUME_BELOW } from './connection';
export { FrameTap } from './frame-tap';
export type { FrameRecord, FrameListener, FrameDirection } from './frame-tap';
export { encodeMessage, decodeMessage, FrameDecodeError } from './codec';
export { MessageType, messageTypeName, LEGACY_CONNECT_READ_LIMIT, CONNECT_READ_LIMIT } from './message-types';
export type { TunnelMessage, DecodedMessage } from './message-types';
