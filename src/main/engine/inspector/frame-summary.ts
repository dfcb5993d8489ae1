/**
 * One line per remotedialer frame for the inspector, from the frame's type
 * and the first bytes of its payload (FrameTap's `head`): the address of a
 * Connect, the reason of an Error, the request or status line of plain HTTP
 * (what the Steve tunnel carries), the TLS record kind of encrypted Data (the
 * main tunnel; its decrypted requests come from the virtual API instead).
 * Only first lines are shown: headers, which may hold credentials, never are.
 */
import type { FrameRecord } from '../remotedialer/frame-tap';
import { MessageType } from '../remotedialer/message-types';
import { maskSecrets } from '../telemetry/logger';

/** Longest summary kept; request lines of watches are long, but not this long. */
export const MAX_SUMMARY_CHARS = 240;

const HTTP_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'CONNECT',
  'TRACE',
]);
const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/\d\.\d$/;
const STATUS_LINE = /^HTTP\/\d\.\d \d{3}(?: [^\r\n]*)?$/;

/** TLS record content types (RFC 8446 §5.1). */
const TLS_RECORDS: Record<number, string> = {
  20: 'TLS change cipher spec',
  21: 'TLS alert',
  22: 'TLS handshake',
  23: 'TLS application data',
};

/** Handshake messages that travel unencrypted, so they can be named (RFC 8446 §4, RFC 5246 §7.4). */
const TLS_HANDSHAKES: Record<number, string> = {
  1: 'ClientHello',
  2: 'ServerHello',
  4: 'NewSessionTicket',
  11: 'Certificate',
  12: 'ServerKeyExchange',
  13: 'CertificateRequest',
  14: 'ServerHelloDone',
  16: 'ClientKeyExchange',
};

function text(head: Uint8Array): string {
  return Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
}

function clip(line: string): string {
  return line.length > MAX_SUMMARY_CHARS ? `${line.slice(0, MAX_SUMMARY_CHARS - 1)}…` : line;
}

/** The request or status line when the payload starts an HTTP/1.x message, else undefined. */
export function httpFirstLine(head: Uint8Array): string | undefined {
  const first = head[0];
  // Cheap test first: every method and "HTTP/" start with an upper-case letter.
  if (first === undefined || first < 0x41 || first > 0x5a) return undefined;
  const latin = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  const end = latin.indexOf('\r\n');
  const line = end < 0 ? latin : latin.slice(0, end);
  if (line.startsWith('HTTP/')) return STATUS_LINE.test(line) ? line : undefined;
  const request = REQUEST_LINE.exec(line);
  if (request && HTTP_METHODS.has(request[1] ?? '')) return line;
  // A request line longer than the head: still say what it is.
  const space = line.indexOf(' ');
  if (end < 0 && space > 0 && HTTP_METHODS.has(line.slice(0, space)) && line[space + 1] === '/') return line;
  return undefined;
}

/** What a TLS record header (5 bytes, plus the handshake type) says, else undefined. */
export function tlsRecordKind(head: Uint8Array): string | undefined {
  const content = head[0];
  if (content === undefined || head[1] !== 3 || head.length < 5) return undefined;
  const name = TLS_RECORDS[content];
  if (!name) return undefined;
  if (content === 22 && head[5] !== undefined) {
    const handshake = TLS_HANDSHAKES[head[5]];
    // After ServerHello in TLS 1.3 everything is encrypted: an unknown number is just "handshake".
    if (handshake) return `${name}: ${handshake}`;
  }
  return name;
}

function connectionIds(head: Uint8Array, truncated: boolean): string {
  const ids: string[] = [];
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  for (let i = 0; i + 8 <= head.byteLength; i += 8) ids.push(view.getBigUint64(i, true).toString());
  if (ids.length === 0 && !truncated) return 'no open connections';
  return `open: ${ids.join(', ')}${truncated ? ', …' : ''}`;
}

/** The summary shown for a frame; `headBytes` is the tap's limit (a full head may be cut). */
export function summarizeFrame(record: FrameRecord, headBytes: number): string {
  const { head } = record;
  const truncated = head.byteLength >= headBytes;
  switch (record.type === null ? null : Number(record.type)) {
    case null:
      return `undecodable frame (${record.size} bytes)`;
    case MessageType.Connect:
      return clip(text(head));
    case MessageType.Error:
      return clip(maskSecrets(text(head)));
    case MessageType.AddClient:
    case MessageType.RemoveClient:
      return clip(text(head));
    case MessageType.Pause:
      return 'pause: the receiver has more than 2 MiB buffered';
    case MessageType.Resume:
      return 'resume';
    case MessageType.SyncConnections:
      return connectionIds(head, truncated);
    case MessageType.Data: {
      if (head.byteLength === 0) return 'empty';
      const line = httpFirstLine(head);
      if (line) return clip(maskSecrets(line));
      const tls = tlsRecordKind(head);
      if (tls) return tls;
      return 'continued data';
    }
    default:
      return `unknown message type (${record.size} bytes)`;
  }
}
