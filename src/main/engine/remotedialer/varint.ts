// Go's signed varints (encoding/binary PutVarint / ReadVarint): a ZigZag
// transform of an int64 followed by unsigned LEB128, at most 10 bytes.
//
// Values are bigint because remotedialer message ids are random Int63 values
// that routinely exceed Number.MAX_SAFE_INTEGER. The hot path (small values)
// is done with plain number arithmetic and only converted at the end.

export const MAX_VARINT_LENGTH = 10;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MASK = (1n << 64n) - 1n;

export type VarintErrorKind = 'empty' | 'truncated' | 'overflow';

/** A varint that Go's binary.ReadVarint would also reject. */
export class VarintError extends Error {
  readonly kind: VarintErrorKind;
  constructor(kind: VarintErrorKind, message: string) {
    super(message);
    this.name = 'VarintError';
    this.kind = kind;
  }
}

export interface DecodedVarint {
  value: bigint;
  /** Offset of the first byte after the varint. */
  next: number;
}

/** Bytes needed to encode `value`; lets callers size a buffer exactly. */
export function varintLength(value: bigint): number {
  let z = zigzagEncode(value);
  let length = 1;
  while (z >= 0x80n) {
    z >>= 7n;
    length++;
  }
  return length;
}

/** Writes `value` at `offset` and returns the offset after it. */
export function writeVarint(target: Uint8Array, offset: number, value: bigint): number {
  const z = zigzagEncode(value);
  // Split into two 32-bit halves so the byte loop runs on numbers, not bigints.
  let low = Number(z & 0xffffffffn);
  let high = Number(z >> 32n);
  let pos = offset;
  for (;;) {
    const byte = low & 0x7f;
    // Shift the 64-bit (high:low) pair right by 7.
    low = ((low >>> 7) | ((high & 0x7f) << 25)) >>> 0;
    high = high >>> 7;
    if (low === 0 && high === 0) {
      target[pos++] = byte;
      return pos;
    }
    target[pos++] = byte | 0x80;
  }
}

export function encodeVarint(value: bigint): Uint8Array {
  const out = new Uint8Array(varintLength(value));
  writeVarint(out, 0, value);
  return out;
}

/**
 * Reads one varint starting at `offset`, with exactly Go's acceptance rules:
 * non-minimal encodings are accepted, an 11th byte or a 10th byte above 1 is
 * an overflow, and running out of bytes is "truncated" (Go's
 * io.ErrUnexpectedEOF) unless no byte was read at all ("empty", Go's io.EOF).
 */
export function readVarint(source: Uint8Array, offset: number): DecodedVarint {
  // Up to 7 bytes (49 bits) fit a double exactly; beyond that use bigint.
  let small = 0;
  let multiplier = 1;
  let big = 0n;
  for (let i = 0; i < MAX_VARINT_LENGTH; i++) {
    const pos = offset + i;
    if (pos >= source.length) {
      if (i === 0) throw new VarintError('empty', 'varint missing: no bytes left (EOF)');
      throw new VarintError('truncated', `varint truncated after ${i} byte(s) (unexpected EOF)`);
    }
    const byte = source[pos] as number;
    if (byte < 0x80) {
      if (i === MAX_VARINT_LENGTH - 1 && byte > 1) {
        throw new VarintError('overflow', 'binary: varint overflows a 64-bit integer');
      }
      let unsigned: bigint;
      if (i < 7) {
        unsigned = BigInt(small + byte * multiplier);
      } else {
        unsigned = big | (BigInt(byte) << BigInt(7 * i));
      }
      return { value: zigzagDecode(unsigned), next: pos + 1 };
    }
    const bits = byte & 0x7f;
    if (i < 6) {
      small += bits * multiplier;
      multiplier *= 128;
    } else {
      if (i === 6) big = BigInt(small);
      big |= BigInt(bits) << BigInt(7 * i);
    }
  }
  throw new VarintError('overflow', 'binary: varint overflows a 64-bit integer');
}

/** Offset after the varint at `offset`, validating it like readVarint but without building a value. */
export function skipVarint(source: Uint8Array, offset: number): number {
  for (let i = 0; i < MAX_VARINT_LENGTH; i++) {
    const pos = offset + i;
    if (pos >= source.length) {
      if (i === 0) throw new VarintError('empty', 'varint missing: no bytes left (EOF)');
      throw new VarintError('truncated', `varint truncated after ${i} byte(s) (unexpected EOF)`);
    }
    const byte = source[pos] as number;
    if (byte < 0x80) {
      if (i === MAX_VARINT_LENGTH - 1 && byte > 1) {
        throw new VarintError('overflow', 'binary: varint overflows a 64-bit integer');
      }
      return pos + 1;
    }
  }
  throw new VarintError('overflow', 'binary: varint overflows a 64-bit integer');
}

function zigzagEncode(value: bigint): bigint {
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new RangeError(`varint value ${value} is outside the int64 range`);
  }
  return ((value << 1n) ^ (value >> 63n)) & UINT64_MASK;
}

function zigzagDecode(unsigned: bigint): bigint {
  const half = unsigned >> 1n;
  return (unsigned & 1n) === 0n ? half : -half - 1n;
}
