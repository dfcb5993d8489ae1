// Test support: deterministic random and mutated remotedialer frames, and the
// verdict a Go session would reach on each. Shared by the unit fuzz test and
// the differential fuzz test against Go's decoder.

import { decodeMessage, encodeMessage, FrameDecodeError } from '../../src/main/engine/remotedialer/codec';
import { MessageType, type TunnelMessage } from '../../src/main/engine/remotedialer/message-types';
import type { SessionRole } from '../../src/main/engine/remotedialer/tunnel-session';

/** xorshift128+: fast and reproducible from a seed. */
export class FuzzRandom {
  private a: bigint;
  private b: bigint;
  constructor(seed: number) {
    this.a = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
    this.b = BigInt(seed) ^ 0xdeadbeefcafebaben;
    for (let i = 0; i < 8; i++) this.next64();
  }
  next64(): bigint {
    let x = this.a;
    const y = this.b;
    this.a = y;
    x ^= (x << 23n) & 0xffffffffffffffffn;
    x ^= x >> 17n;
    x ^= y ^ (y >> 26n);
    this.b = x;
    return (x + y) & 0xffffffffffffffffn;
  }
  int(max: number): number {
    return Number(this.next64() % BigInt(max));
  }
  chance(probability: number): boolean {
    return this.int(1_000_000) < probability * 1_000_000;
  }
  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

const INTERESTING_IDS = [0n, 1n, 2n, 3n, -1n, 127n, 128n, (1n << 63n) - 1n, -(1n << 63n), 1n << 53n];
const PROTOS = ['tcp', 'unix', 'npipe', 'udp', '', 'c1::tcp'];
const ADDRESSES = [
  '127.0.0.1:6443',
  '/var/run/docker.sock',
  '//./pipe/docker_engine',
  '',
  'a/b/c',
  'x'.repeat(300),
];

function randomId(random: FuzzRandom): bigint {
  return random.chance(0.5) ? random.pick(INTERESTING_IDS) : BigInt.asIntN(64, random.next64());
}

export function randomMessage(random: FuzzRandom): TunnelMessage {
  const id = randomId(random);
  const connId = random.chance(0.7) ? BigInt(random.int(6)) : randomId(random);
  switch (random.int(8) + 1) {
    case MessageType.Data:
      return { id, connId, type: MessageType.Data, payload: random.bytes(random.int(64)) };
    case MessageType.Connect:
      return {
        id,
        connId,
        type: MessageType.Connect,
        proto: random.pick(PROTOS),
        address: random.pick(ADDRESSES),
      };
    case MessageType.Error:
      return { id, connId, type: MessageType.Error, text: random.pick(['EOF', 'boom', '', 'x'.repeat(150)]) };
    case MessageType.AddClient:
      return {
        id,
        connId,
        type: MessageType.AddClient,
        address: random.pick(['c/1', 'c/x', 'nokey', 'c/-5', 'c/99999999999999999999']),
      };
    case MessageType.RemoveClient:
      return {
        id,
        connId,
        type: MessageType.RemoveClient,
        address: random.pick(['c/1', 'c/x', 'nokey', 'c/+7', '']),
      };
    case MessageType.Pause:
      return { id, connId, type: MessageType.Pause };
    case MessageType.Resume:
      return { id, connId, type: MessageType.Resume };
    default:
      return {
        id,
        connId: 0n,
        type: MessageType.SyncConnections,
        connIds: Array.from({ length: random.int(4) }, () => BigInt(random.int(8))),
      };
  }
}

/** A valid frame, or one mutated in a way that stresses the decoder. */
export function fuzzFrame(random: FuzzRandom): Buffer {
  const choice = random.int(10);
  if (choice === 0) return random.bytes(random.int(40));
  let frame = encodeMessage(randomMessage(random));
  if (choice <= 2) return frame;
  const mutations = 1 + random.int(3);
  for (let m = 0; m < mutations; m++) {
    switch (random.int(6)) {
      case 0: // flip a bit
        if (frame.length > 0)
          frame[random.int(frame.length)] =
            (frame[random.int(frame.length)] as number) ^ (1 << random.int(8));
        break;
      case 1: // truncate
        frame = frame.subarray(0, random.int(frame.length + 1));
        break;
      case 2: // append junk
        frame = Buffer.concat([frame, random.bytes(random.int(16))]);
        break;
      case 3: // overlong / overflowing varint at the start
        frame = Buffer.concat([Buffer.alloc(random.int(12), 0xff), Buffer.from([random.int(4)]), frame]);
        break;
      case 4: // replace the type byte
        if (frame.length > 2) frame[2] = random.int(24);
        break;
      default: // set a random byte
        if (frame.length > 0) frame[random.int(frame.length)] = random.int(256);
    }
  }
  return Buffer.from(frame);
}

/**
 * The error text with which a Go session would end on this frame, or null
 * when it would carry on. `allowConnect` is the client's allow() result;
 * Go's client dies on a refused Connect, ours (by design) does not, so the
 * live fuzz allows every Connect to compare like with like.
 */
export function goSessionVerdict(frame: Uint8Array, role: SessionRole): string | null {
  let message;
  try {
    message = decodeMessage(frame);
  } catch (error) {
    if (error instanceof FrameDecodeError) return error.goText;
    throw error;
  }
  if (message.type === MessageType.Connect && role === 'server') return 'connect not allowed';
  if (
    message.type === MessageType.RemoveClient ||
    (message.type === MessageType.AddClient && role === 'server')
  ) {
    const slash = message.address.indexOf('/');
    if (slash < 0) return 'invalid remote Session';
    const number = message.address.slice(slash + 1);
    if (!/^[+-]?\d+$/.test(number) || BigInt(number) >= 1n << 63n || BigInt(number) < -(1n << 63n))
      return 'invalid remote Session';
  }
  return null;
}
