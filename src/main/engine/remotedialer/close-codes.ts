// RFC 6455 section 7.4.1 close codes a session sends when it ends: a normal
// close, or the kind of protocol trouble that ended it, so the peer's log
// says why (Go's gorilla shows "websocket: close 1003 (unsupported data): ...").

export const CloseCode = {
  /** Closed on purpose: stopped, dropped, timed out. */
  Normal: 1000,
  /** The peer broke the protocol: an unreadable frame header, a message it may not send. */
  ProtocolError: 1002,
  /** A message of a kind we do not accept: remotedialer frames are binary, never text. */
  UnsupportedData: 1003,
  /** A binary frame whose payload does not fit its message type. */
  InvalidPayload: 1007,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
