import { describe, expect, it } from 'vitest';
import { VarintError, encodeVarint, readVarint, skipVarint, varintLength } from './varint';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

describe('Go signed varints', () => {
  it('encodes like binary.PutVarint at the edges of each byte length', () => {
    expect(hex(encodeVarint(0n))).toBe('00');
    expect(hex(encodeVarint(-1n))).toBe('01');
    expect(hex(encodeVarint(1n))).toBe('02');
    expect(hex(encodeVarint(63n))).toBe('7e');
    expect(hex(encodeVarint(-64n))).toBe('7f');
    expect(hex(encodeVarint(64n))).toBe('8001');
    expect(hex(encodeVarint(15_000n))).toBe('b0ea01');
    expect(hex(encodeVarint((1n << 63n) - 1n))).toBe('feffffffffffffffff01');
    expect(hex(encodeVarint(-(1n << 63n)))).toBe('ffffffffffffffffff01');
  });

  it('round-trips values across the whole int64 range', () => {
    const values = [
      0n,
      1n,
      -1n,
      127n,
      128n,
      1n << 31n,
      1n << 32n,
      (1n << 48n) + 5n,
      1n << 49n,
      -(1n << 55n),
      (1n << 62n) + 12345n,
    ];
    for (let i = 0; i < 2000; i++)
      values.push(
        BigInt.asIntN(
          64,
          BigInt(Math.floor(Math.random() * 2 ** 32)) * BigInt(Math.floor(Math.random() * 2 ** 32)),
        ),
      );
    for (const value of values) {
      const bytes = encodeVarint(value);
      expect(bytes.length).toBe(varintLength(value));
      expect(readVarint(bytes, 0)).toEqual({ value, next: bytes.length });
      expect(skipVarint(bytes, 0)).toBe(bytes.length);
    }
  });

  it('accepts non-minimal encodings like Go does', () => {
    expect(readVarint(fromHex('8400'), 0)).toEqual({ value: 2n, next: 2 });
  });

  it('reports empty, truncated and overflowing input distinctly', () => {
    const kind = (bytes: string): string => {
      try {
        readVarint(fromHex(bytes), 0);
        return 'ok';
      } catch (error) {
        return error instanceof VarintError ? error.kind : 'other';
      }
    };
    expect(kind('')).toBe('empty');
    expect(kind('80')).toBe('truncated');
    expect(kind('ffffffffffffffffff')).toBe('truncated');
    expect(kind('ffffffffffffffffff02')).toBe('overflow');
    expect(kind('ffffffffffffffffffff01')).toBe('overflow');
    expect(() => skipVarint(fromHex('ffffffffffffffffffff01'), 0)).toThrow(/overflows a 64-bit integer/);
  });

  it('refuses to encode values outside int64', () => {
    expect(() => encodeVarint(1n << 63n)).toThrow(RangeError);
  });
});
