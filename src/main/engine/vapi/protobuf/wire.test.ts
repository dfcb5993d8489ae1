import { describe, expect, it } from 'vitest';
import { ProtobufBodyError } from './errors';
import { decodeBase64, formatTime, GO_ZERO_TIME_SECONDS, parseTime } from './go-values';
import { WireReader } from './wire-reader';
import { WireWriter } from './wire-writer';

const reader = (hex: string) => {
  const b = Buffer.from(hex, 'hex');
  return new WireReader(b, 0, b.length);
};

describe('wire reader', () => {
  it('reads varints up to 10 bytes and refuses longer or truncated ones', () => {
    expect(reader('ffffffffffffffff7f').int64()).toBe(2n ** 63n - 1n);
    expect(reader('ffffffffffffffffff01').int64()).toBe(-1);
    expect(reader('ffffffffffffffffff01').int32()).toBe(-1);
    expect(reader('ffffffffffffffffff01').uint64()).toBe(2n ** 64n - 1n);
    expect(() => reader('8080808080808080808001').int64()).toThrow(/longer than 10 bytes/);
    expect(() => reader('8080').int64()).toThrow(/truncated/);
    expect(reader('feffffff0f').int32()).toBe(-2); // int32 keeps the low 32 bits, as Go does
  });

  it('keeps safe int64 values as numbers, others as bigints', () => {
    expect(reader('ffffffffffffff0f').int64()).toBe(2 ** 53 - 1);
    expect(reader('8080808080808010').int64()).toBe(2n ** 53n);
  });

  it('checks declared lengths against what is left', () => {
    expect(() => reader('0568656c6c').bytes()).toThrow(/length 5 exceeds the 4 bytes left/);
    expect(() => reader('ffffffffff01').bytes()).toThrow(/exceeds/);
    expect(reader('0568656c6c6f').string()).toBe('hello');
  });

  it('rejects field number 0 and skips groups', () => {
    expect(() => reader('00').tag()).toThrow(/illegal tag 0/);
    const r = reader('0b10011a0161' + '0c' + '08');
    r.tag();
    r.skip(r.wireType); // group 1 with a varint and a string inside
    expect(r.tag()).toBe(1);
    expect(r.wireType).toBe(0);
    expect(() => reader('0c').skip(4)).toThrow(/end of group/);
    expect(() => reader('').skip(6)).toThrow(/illegal wire type/);
  });
});

describe('wire writer', () => {
  it('writes nested messages of every length size (the body moves when the length needs more bytes)', () => {
    for (const size of [0, 1, 127, 128, 300, 16383, 16384, 70000]) {
      const w = new WireWriter();
      const m = w.begin(1);
      w.raw(Buffer.alloc(size, 0xab));
      w.end(m);
      w.tag(2, 0);
      w.uint32(7);
      const r = new WireReader(w.finish(), 0, Infinity);
      expect(r.tag()).toBe(1);
      expect(r.wireType).toBe(2);
      const body = r.bytes();
      expect(body.length).toBe(size);
      expect(body.every((b) => b === 0xab)).toBe(true);
      expect(r.tag()).toBe(2);
      expect(r.wireType).toBe(0);
      expect(r.uint32()).toBe(7);
    }
  });

  it('sign-extends negative int32 to 10 bytes, as Go does', () => {
    const w = new WireWriter();
    w.int32(-5);
    expect(w.finish().toString('hex')).toBe('fbffffffffffffffff01');
  });

  it('writes strings of every UTF-8 width with the right length', () => {
    for (const s of ['', 'a', 'ü', '€', '😀', 'x'.repeat(200), 'ü'.repeat(50)]) {
      const w = new WireWriter();
      w.string(s);
      const b = w.finish();
      expect(new WireReader(b, 0, b.length).string()).toBe(s);
    }
  });
});

describe('Go values', () => {
  it('formats times as metav1.Time / MicroTime print them', () => {
    expect(formatTime(0, 0, false)).toBe('1970-01-01T00:00:00Z');
    expect(formatTime(-1, 0, false)).toBe('1969-12-31T23:59:59Z');
    expect(formatTime(951782400, 0, false)).toBe('2000-02-29T00:00:00Z');
    expect(formatTime(253402300799, 999999999, true)).toBe('9999-12-31T23:59:59.999999Z');
    expect(formatTime(GO_ZERO_TIME_SECONDS, 0, false)).toBeNull();
    expect(formatTime(GO_ZERO_TIME_SECONDS, 999, true)).toBeNull(); // truncated to zero microseconds
    expect(formatTime(GO_ZERO_TIME_SECONDS, 5000, true)).toBe('0001-01-01T00:00:00.000005Z');
    expect(() => formatTime(2n ** 62n, 0, false)).toThrow(ProtobufBodyError);
  });

  it('parses RFC 3339 as time.Parse does', () => {
    expect(parseTime('1970-01-01T00:00:00Z')).toEqual({ seconds: 0, nanos: 0 });
    expect(parseTime('1970-01-01T01:00:00+01:00')).toEqual({ seconds: 0, nanos: 0 });
    expect(parseTime('1969-12-31T23:59:59.5Z')).toEqual({ seconds: -1, nanos: 500_000_000 });
    expect(parseTime('0001-01-01T00:00:00Z')).toEqual({ seconds: GO_ZERO_TIME_SECONDS, nanos: 0 });
    expect(parseTime('2026-02-29T00:00:00Z')).toBeUndefined();
    expect(parseTime('2026-13-01T00:00:00Z')).toBeUndefined();
    expect(parseTime('2026-01-01 00:00:00Z')).toBeUndefined();
  });

  it('accepts only standard padded base64 for []byte, like encoding/json', () => {
    expect(decodeBase64('aGk=')?.toString()).toBe('hi');
    expect(decodeBase64('aG\nk=')?.toString()).toBe('hi');
    expect(decodeBase64('aGk')).toBeUndefined();
    expect(decodeBase64('aG-_')).toBeUndefined();
  });
});
