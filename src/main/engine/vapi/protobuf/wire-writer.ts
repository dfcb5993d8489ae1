/**
 * Writes the protobuf wire format into one growing buffer. A nested
 * message's length precedes it but is known only after it is written, so
 * begin() reserves one byte for the length (enough below 128 bytes, the
 * common case) and end() writes it, moving the body up when the length needs
 * more bytes. The moves cost O(size x nesting depth), which for Kubernetes
 * objects (depth ~10) is cheaper than a writer per message.
 */

const INITIAL = 1024;

export class WireWriter {
  private buf = Buffer.allocUnsafe(INITIAL);
  private pos = 0;

  private room(n: number): void {
    if (this.buf.length - this.pos >= n) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  tag(fieldNum: number, wireType: number): void {
    this.uint32(((fieldNum << 3) | wireType) >>> 0);
  }

  /** An unsigned value below 2^32. */
  uint32(v: number): void {
    this.room(5);
    const b = this.buf;
    let i = this.pos;
    while (v > 0x7f) {
      b[i++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[i++] = v;
    this.pos = i;
  }

  /** A 64-bit varint in two's complement (a negative value takes 10 bytes, as in Go). */
  int64(v: bigint): void {
    let u = BigInt.asUintN(64, v);
    if (u <= 0xffffffffn) {
      this.uint32(Number(u));
      return;
    }
    this.room(10);
    const b = this.buf;
    let i = this.pos;
    while (u > 0x7fn) {
      b[i++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    b[i++] = Number(u);
    this.pos = i;
  }

  /** Go's int32 fields: a negative value is sign-extended to 64 bits. */
  int32(v: number): void {
    if (v >= 0) this.uint32(v);
    else this.int64(BigInt(v));
  }

  double(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  float(v: number): void {
    this.room(4);
    this.buf.writeFloatLE(v, this.pos);
    this.pos += 4;
  }

  /** Length-prefixed bytes. */
  bytes(b: Uint8Array): void {
    this.uint32(b.length);
    this.raw(b);
  }

  /** Bytes with no prefix. */
  raw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(s: string): void {
    const len = s.length;
    if (len < 128) {
      // Short ASCII strings (most in Kubernetes objects) byte by byte, without a call into C++.
      this.room(1 + len);
      const b = this.buf;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[this.pos + 1 + i] = c;
      }
      if (i === len) {
        b[this.pos] = len;
        this.pos += 1 + len;
        return;
      }
    }
    // Short strings: write, then the length (one byte: at most 127).
    const max = len * 3;
    if (max < 128) {
      this.room(1 + max);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.uint32(n);
    this.room(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Starts a length-delimited nested message; returns the mark end() needs. */
  begin(fieldNum: number): number {
    this.tag(fieldNum, 2);
    this.room(1);
    this.pos += 1;
    return this.pos;
  }

  end(mark: number): void {
    const len = this.pos - mark;
    if (len < 0x80) {
      this.buf[mark - 1] = len;
      return;
    }
    let size = 1;
    for (let v = len >>> 7; v > 0; v >>>= 7) size++;
    this.room(size - 1);
    this.buf.copy(this.buf, mark + size - 1, mark, this.pos);
    let i = mark - 1;
    let v = len;
    while (v > 0x7f) {
      this.buf[i++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[i] = v;
    this.pos += size - 1;
  }

  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}
