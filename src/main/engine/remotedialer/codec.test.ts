import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FrameDecodeError, decodeMessage, encodeData, encodeMessage } from './codec';
import { LEGACY_CONNECT_READ_LIMIT, MessageType, type TunnelMessage } from './message-types';

// Vectors written by test-peers/remotedialer/cmd/golden from the real Go
// library (see scripts/build-test-peers.sh to regenerate).
interface EncodeVector {
  name: string;
  type: number;
  id: string;
  connId: string;
  payloadHex?: string;
  text?: string;
  proto?: string;
  address?: string;
  connIds?: string[];
  hex: string;
}
interface DecodeVector {
  name: string;
  hex: string;
  error?: string;
  id?: string;
  connId?: string;
  type?: number;
  proto?: string;
  address?: string;
  text?: string;
  isEOF?: boolean;
  bodyHex?: string;
  connIds?: string[];
}
const golden = JSON.parse(readFileSync(new URL('./testdata/golden.json', import.meta.url), 'utf8')) as {
  library: string;
  encode: EncodeVector[];
  decode: DecodeVector[];
};

function messageFromVector(v: EncodeVector): TunnelMessage {
  const base = { id: BigInt(v.id), connId: BigInt(v.connId) };
  switch (v.type) {
    case MessageType.Data:
      return { ...base, type: MessageType.Data, payload: Buffer.from(v.payloadHex ?? '', 'hex') };
    case MessageType.Connect:
      return { ...base, type: MessageType.Connect, proto: v.proto ?? '', address: v.address ?? '' };
    case MessageType.Error:
      return { ...base, type: MessageType.Error, text: v.text ?? '' };
    case MessageType.AddClient:
      return { ...base, type: MessageType.AddClient, address: v.address ?? '' };
    case MessageType.RemoveClient:
      return { ...base, type: MessageType.RemoveClient, address: v.address ?? '' };
    case MessageType.Pause:
      return { ...base, type: MessageType.Pause };
    case MessageType.Resume:
      return { ...base, type: MessageType.Resume };
    case MessageType.SyncConnections:
      return { ...base, type: MessageType.SyncConnections, connIds: (v.connIds ?? []).map(BigInt) };
    default:
      throw new Error(`vector ${v.name} has unexpected type ${v.type}`);
  }
}

describe(`codec against golden vectors from Go remotedialer ${golden.library}`, () => {
  it('has a meaningful number of vectors', () => {
    expect(golden.encode.length).toBeGreaterThan(20);
    expect(golden.decode.length).toBeGreaterThan(40);
  });

  it.each(golden.encode.map((v) => [v.name, v] as const))('encodes %s byte for byte', (_name, v) => {
    expect(encodeMessage(messageFromVector(v)).toString('hex')).toBe(v.hex);
  });

  it('encodes Data on the fast path identically', () => {
    for (const v of golden.encode.filter((e) => e.type === MessageType.Data)) {
      expect(
        encodeData(BigInt(v.id), BigInt(v.connId), Buffer.from(v.payloadHex ?? '', 'hex')).toString('hex'),
      ).toBe(v.hex);
    }
  });

  it.each(golden.decode.map((v) => [v.name, v] as const))('decodes %s like Go', (_name, v) => {
    const frame = new Uint8Array(Buffer.from(v.hex, 'hex'));
    if (v.error) {
      let caught: unknown;
      try {
        decodeMessage(frame);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(FrameDecodeError);
      expect((caught as FrameDecodeError).goText).toBe(v.error);
      return;
    }
    const message = decodeMessage(frame);
    expect(message.id.toString()).toBe(v.id);
    expect(message.connId.toString()).toBe(v.connId ?? '0');
    switch (message.type) {
      case 'unknown':
        expect(message.rawType).toBe(BigInt(v.type ?? 0));
        break;
      case MessageType.Data:
        expect(Buffer.from(message.payload).toString('hex')).toBe(v.bodyHex ?? '');
        break;
      case MessageType.Connect:
        expect([message.proto, message.address]).toEqual([v.proto ?? '', v.address ?? '']);
        break;
      case MessageType.Error:
        expect(message.text).toBe(v.isEOF ? 'EOF' : (v.text ?? ''));
        break;
      case MessageType.AddClient:
      case MessageType.RemoveClient:
        expect(message.address).toBe(v.address);
        break;
      case MessageType.SyncConnections:
        expect(message.connIds.map(String)).toEqual(v.connIds ?? []);
        break;
      default:
        expect(message.type).toBe(v.type);
    }
    if (message.type !== 'unknown') expect(message.type).toBe(v.type);
  });
});

describe('codec details', () => {
  it('cuts Connect at the 100-byte legacy limit when asked to', () => {
    const frame = encodeMessage({
      id: 1n,
      connId: 2n,
      type: MessageType.Connect,
      proto: 'tcp',
      address: 'a'.repeat(200),
    });
    const legacy = decodeMessage(frame, { connectReadLimit: LEGACY_CONNECT_READ_LIMIT });
    expect(legacy.type === MessageType.Connect && legacy.address.length).toBe(96);
    const current = decodeMessage(frame);
    expect(current.type === MessageType.Connect && current.address.length).toBe(200);
  });

  it('explains what is wrong with a bad frame', () => {
    expect(() => decodeMessage(Buffer.from('02040400747370', 'hex'))).toThrow(
      /invalid Connect payload "tsp"/,
    );
    expect(() => decodeMessage(Buffer.from('02001001', 'hex'))).toThrow(/1 bytes is not a multiple of 8/);
    expect(() => decodeMessage(Buffer.from('0280', 'hex'))).toThrow(/connection id.*truncated/);
  });

  it('hands out Data payloads without copying', () => {
    const frame = encodeData(3n, 4n, Buffer.from('hello'));
    const message = decodeMessage(frame);
    expect(message.type).toBe(MessageType.Data);
    if (message.type === MessageType.Data) expect(message.payload.buffer).toBe(frame.buffer);
  });
});
