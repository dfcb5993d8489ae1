/**
 * Reads the protobuf wire format from an untrusted buffer. Every read is
 * checked against the end of the (sub)message, varints stop at 10 bytes, and
 * declared lengths must fit in what is left, so hostile input fails with a
 * ProtobufBodyError instead of reading out of bounds or allocating on trust.
 */
import { ProtobufBodyError } from './errors';

export const WireType = { Varint: 0, Fixed64: 1, Bytes: 2, StartGroup: 3, EndGroup: 4, Fixed32: 5 } as const;

const MAX_VARINT_BYTES = 10;
const utf8 = new TextDecoder('utf-8'); // not fatal: invalid UTF-8 becomes U+FFFD, as Go's JSON encoder prints it

export class WireReader {
  pos: number;
  /** The wire type of the last tag read. */
  wireType = 0;
  /** The last varint read, as two unsigned 32-bit halves (no allocation per read). */
  private lo = 0;
  private hi = 0;
  private view: DataView | undefined;
  private node: Buffer | undefined;

  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A reader over the next `length` bytes, which this reader then skips. */
  sub(length: number): WireReader {
    const r = new WireReader(this.buf, this.pos, this.pos + length);
    this.pos += length;
    return r;
  }

  private varint(): void {
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      if (i === MAX_VARINT_BYTES) throw new ProtobufBodyError('varint longer than 10 bytes');
      if (this.pos >= this.end) throw new ProtobufBodyError('truncated varint');
      const b = this.buf[this.pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32); // the 10th byte's bits past 64 are dropped, as Go does
      if (b < 0x80) break;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** Reads a tag and returns its field number; its wire type is then in `wireType`. */
  tag(): number {
    this.varint();
    this.wireType = this.lo & 7;
    // Go takes int32(wire >> 3) and rejects numbers <= 0.
    const fieldNum = (this.hi << 29) | (this.lo >>> 3) | 0;
    if (fieldNum <= 0) throw new ProtobufBodyError(`illegal tag ${fieldNum} (wire type ${this.wireType})`);
    return fieldNum;
  }

  /** Go's int32 fields keep the low 32 bits of the varint. */
  int32(): number {
    this.varint();
    return this.lo | 0;
  }

  uint32(): number {
    this.varint();
    return this.lo;
  }

  bool(): boolean {
    this.varint();
    return this.lo !== 0 || this.hi !== 0;
  }

  /** A signed 64-bit value: a number when it is a safe integer, else a bigint. */
  int64(): number | bigint {
    this.varint();
    if (this.hi === 0 && this.lo <= 0x7fffffff) return this.lo;
    if (this.hi === 0xffffffff && this.lo >= 0x80000000) return this.lo | 0;
    return safeOrBig(BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo)));
  }

  uint64(): number | bigint {
    this.varint();
    if (this.hi === 0) return this.lo;
    return safeOrBig((BigInt(this.hi) << 32n) | BigInt(this.lo));
  }

  private dataView(): DataView {
    this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    return this.view;
  }

  private need(n: number): void {
    if (this.end - this.pos < n)
      throw new ProtobufBodyError(`truncated: ${n} bytes needed, ${this.end - this.pos} left`);
  }

  double(): number {
    this.need(8);
    const v = this.dataView().getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  float(): number {
    this.need(4);
    const v = this.dataView().getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** The length of a length-delimited field, checked against what is left. */
  length(): number {
    this.varint();
    const left = this.end - this.pos;
    if (this.hi !== 0 || this.lo > left) {
      const declared = this.hi === 0 ? String(this.lo) : String((BigInt(this.hi) << 32n) | BigInt(this.lo));
      throw new ProtobufBodyError(`length ${declared} exceeds the ${left} bytes left`);
    }
    return this.lo;
  }

  /** The bytes of a length-delimited field (a view into the input, not a copy). */
  bytes(): Uint8Array {
    const n = this.length();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    const n = this.length();
    const start = this.pos;
    this.pos += n;
    if (n < 24) {
      // Most Kubernetes strings are short ASCII: building them here beats a decoder call.
      let s = '';
      for (let i = start; i < start + n; i++) {
        const c = this.buf[i]!;
        if (c >= 0x80) return utf8.decode(this.buf.subarray(start, start + n));
        s += String.fromCharCode(c);
      }
      return s;
    }
    this.node ??= Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    return this.node.toString('utf8', start, start + n); // invalid UTF-8 becomes U+FFFD, as with the decoder
  }

  /** Skips a field whose tag was just read, as Go's generated skip function does (groups included). */
  skip(wireType: number): void {
    let depth = 0;
    for (;;) {
      switch (wireType) {
        case WireType.Varint:
          this.varint();
          break;
        case WireType.Fixed64:
          this.need(8);
          this.pos += 8;
          break;
        case WireType.Bytes: {
          const n = this.length(); // before reading pos: length() moves it
          this.pos += n;
          break;
        }
        case WireType.Fixed32:
          this.need(4);
          this.pos += 4;
          break;
        case WireType.StartGroup:
          depth++;
          break;
        case WireType.EndGroup:
          if (depth === 0) throw new ProtobufBodyError('unexpected end of group');
          depth--;
          break;
        default:
          throw new ProtobufBodyError(`illegal wire type ${wireType}`);
      }
      if (depth === 0) return;
      if (this.done) throw new ProtobufBodyError('unterminated group');
      this.tag();
      wireType = this.wireType;
    }
  }
}

function safeOrBig(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
