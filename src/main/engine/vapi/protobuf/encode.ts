/**
 * JSON -> protobuf, byte for byte what Go writes for the same object: Go's
 * encoding/json fills the struct (absent or null fields stay zero, null
 * pointers stay nil, unknown fields are dropped), then go-to-protobuf's
 * marshallers write it. Those write fields in ascending number; every
 * non-pointer scalar and struct even when zero; a pointer, []byte or named
 * slice only when non-nil; repeated fields unpacked; map entries by key in
 * byte order, with key and value always present (a nil []byte value aside).
 */
import { MAGIC, MAX_DEPTH, TypeMetaField, UnknownField } from './envelope';
import { ProtobufBodyError } from './errors';
import { decodeBase64, GO_ZERO_TIME_SECONDS, jsonInteger, parseDuration, parseTime } from './go-values';
import { SCALAR_WIRE_TYPE, type FieldInfo, type MessageInfo, type ScalarType } from './schema';
import { WireType } from './wire-reader';
import { WireWriter } from './wire-writer';

/** A value that does not fit its field; the path is filled in as the error unwinds. */
class ValueError extends ProtobufBodyError {
  readonly path: string[] = [];
  constructor(
    readonly detail: string,
    readonly messageName: string,
  ) {
    super(detail);
  }

  at(segment: string): this {
    this.path.unshift(segment);
    this.message = `protobuf body: cannot encode ${this.path.join('.')} (${this.messageName}): ${this.detail}`;
    return this;
  }
}

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT32_MAX = 2n ** 32n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Go's sort.Strings compares bytes; JS compares UTF-16 units, which differ only past U+D7FF. */
function sortKeys(keys: string[]): string[] {
  if (keys.some((k) => /[\uD800-\uFFFF]/.test(k))) {
    return keys.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  }
  return keys.sort();
}

export class Encoder {
  constructor(readonly w: WireWriter) {}

  /** `k8s\0` + runtime.Unknown{typeMeta, raw, "", ""}, as the Go serializer frames it. */
  envelope(
    info: MessageInfo,
    apiVersion: string,
    kind: string,
    obj: Record<string, unknown>,
    depth: number,
  ): void {
    const w = this.w;
    w.raw(MAGIC);
    const tm = w.begin(UnknownField.TypeMeta);
    w.tag(TypeMetaField.APIVersion, WireType.Bytes);
    w.string(apiVersion);
    w.tag(TypeMetaField.Kind, WireType.Bytes);
    w.string(kind);
    w.end(tm);
    const raw = w.begin(UnknownField.Raw);
    this.message(info, obj, depth + 1);
    w.end(raw);
    w.tag(UnknownField.ContentEncoding, WireType.Bytes);
    w.uint32(0);
    w.tag(UnknownField.ContentType, WireType.Bytes);
    w.uint32(0);
  }

  /** A generic message's fields (the body, without tag or length). */
  message(info: MessageInfo, obj: Record<string, unknown>, depth: number): void {
    if (depth > MAX_DEPTH) throw new ProtobufBodyError(`nested deeper than ${MAX_DEPTH} messages`);
    for (const f of info.wireOrder) {
      try {
        if (f.inline) {
          // An embedded struct's JSON fields sit in the parent object.
          const m = this.w.begin(f.num);
          this.value(f.message!, obj, depth + 1);
          this.w.end(m);
        } else this.field(info, f, f.notInJson ? undefined : own(obj, f.json), depth);
      } catch (err) {
        if (err instanceof ValueError) throw err.at(f.inline ? `(${f.message!.name})` : f.json);
        throw err;
      }
    }
  }

  private field(info: MessageInfo, f: FieldInfo, v: unknown, depth: number): void {
    const w = this.w;
    const nil = v === undefined || v === null;
    if (f.map) {
      if (nil) return;
      if (!isObject(v)) throw new ValueError(`expected an object, got ${describe(v)}`, info.name);
      for (const key of sortKeys(Object.keys(v))) {
        try {
          const entry = w.begin(f.num);
          w.tag(1, WireType.Bytes);
          w.string(key);
          this.element(info, f, 2, v[key], depth, true);
          w.end(entry);
        } catch (err) {
          if (err instanceof ValueError) throw err.at(key);
          throw err;
        }
      }
      return;
    }
    if (f.repeated) {
      if (nil) return;
      if (!Array.isArray(v)) throw new ValueError(`expected an array, got ${describe(v)}`, info.name);
      for (let i = 0; i < v.length; i++) {
        try {
          this.element(info, f, f.num, v[i], depth, false);
        } catch (err) {
          if (err instanceof ValueError) throw err.at(`[${i}]`);
          throw err;
        }
      }
      return;
    }
    if (f.scalar) {
      if (nil && (f.pointer || f.scalar === 'bytes')) return;
      w.tag(f.num, SCALAR_WIRE_TYPE[f.scalar]);
      this.scalar(info, f.scalar, v);
      return;
    }
    const msg = f.message!;
    if (nil && (f.pointer || msg.special === 'SliceWrapper')) return;
    const m = w.begin(f.num);
    this.value(msg, v, depth + 1);
    w.end(m);
  }

  /** A repeated element or a map value (field 2 of the entry). */
  private element(
    info: MessageInfo,
    f: FieldInfo,
    num: number,
    v: unknown,
    depth: number,
    mapValue: boolean,
  ): void {
    const w = this.w;
    if (f.scalar) {
      // Go leaves a nil []byte map value out of its entry; a null element is the zero value.
      if (f.scalar === 'bytes' && mapValue && v === null) return;
      w.tag(num, SCALAR_WIRE_TYPE[f.scalar]);
      this.scalar(info, f.scalar, v);
      return;
    }
    const m = w.begin(num);
    this.value(f.message!, v, depth + 1);
    w.end(m);
  }

  /** A scalar; undefined and null are the zero value (what Go's JSON decoder leaves). */
  private scalar(info: MessageInfo, type: ScalarType, v: unknown): void {
    const w = this.w;
    const zero = v === undefined || v === null;
    switch (type) {
      case 'string':
        if (zero) w.uint32(0);
        else if (typeof v === 'string') w.string(v);
        else throw new ValueError(`expected a string, got ${describe(v)}`, info.name);
        return;
      case 'bytes': {
        if (zero) return w.uint32(0);
        const b = typeof v === 'string' ? decodeBase64(v) : undefined;
        if (!b) throw new ValueError(`expected base64 bytes, got ${describe(v)}`, info.name);
        return w.bytes(b);
      }
      case 'bool':
        if (!zero && typeof v !== 'boolean')
          throw new ValueError(`expected a boolean, got ${describe(v)}`, info.name);
        return w.uint32(v === true ? 1 : 0);
      case 'double':
      case 'float': {
        if (!zero && (typeof v !== 'number' || !Number.isFinite(v))) {
          throw new ValueError(`expected a number, got ${describe(v)}`, info.name);
        }
        const n = zero ? 0 : (v as number);
        return type === 'double' ? w.double(n) : w.float(n);
      }
      default: {
        if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x7fffffff && type !== 'uint64') {
          return w.uint32(v); // the common case, without a bigint
        }
        const n = zero ? 0n : jsonInteger(v);
        const [min, max] =
          type === 'int32'
            ? [INT32_MIN, INT32_MAX]
            : type === 'int64'
              ? [INT64_MIN, INT64_MAX]
              : type === 'uint32'
                ? [0n, UINT32_MAX]
                : [0n, UINT64_MAX];
        if (n === undefined || n < min || n > max) {
          throw new ValueError(`expected an ${type}, got ${describe(v)}`, info.name);
        }
        if (type === 'int32' || type === 'uint32') w.int32(Number(n));
        else w.int64(n);
      }
    }
  }

  /** A message's body from its JSON value; undefined/null is Go's zero value of the type. */
  value(msg: MessageInfo, v: unknown, depth: number): void {
    if (depth > MAX_DEPTH) throw new ProtobufBodyError(`nested deeper than ${MAX_DEPTH} messages`);
    const w = this.w;
    const zero = v === undefined || v === null;
    switch (msg.special) {
      case undefined:
        if (!zero && !isObject(v)) throw new ValueError(`expected an object, got ${describe(v)}`, msg.name);
        return this.message(msg, zero ? {} : v, depth);
      case 'Time':
      case 'MicroTime': {
        // Zero (null) is an empty message; Time carries whole seconds, nanos always written as 0.
        if (zero) return;
        const t = typeof v === 'string' ? parseTime(v) : undefined;
        if (!t) throw new ValueError(`expected an RFC 3339 time, got ${describe(v)}`, msg.name);
        if (t.seconds === GO_ZERO_TIME_SECONDS && t.nanos === 0) return;
        w.tag(1, WireType.Varint);
        w.int64(BigInt(t.seconds));
        w.tag(2, WireType.Varint);
        w.int32(msg.special === 'MicroTime' ? t.nanos - (t.nanos % 1000) : 0);
        return;
      }
      case 'Duration': {
        const d = zero ? 0n : typeof v === 'string' ? parseDuration(v) : undefined;
        if (d === undefined)
          throw new ValueError(`expected a duration like "1m30s", got ${describe(v)}`, msg.name);
        w.tag(1, WireType.Varint);
        w.int64(d);
        return;
      }
      case 'Quantity': {
        // Written as given: the apiserver's JSON already has Go's canonical form.
        if (!zero && typeof v !== 'string' && typeof v !== 'number') {
          throw new ValueError(`expected a quantity, got ${describe(v)}`, msg.name);
        }
        w.tag(1, WireType.Bytes);
        w.string(zero ? '0' : String(v));
        return;
      }
      case 'IntOrString': {
        const isString = typeof v === 'string';
        const n = zero || isString ? 0n : jsonInteger(v);
        if (n === undefined || n < INT32_MIN || n > INT32_MAX) {
          throw new ValueError(`expected an int32 or a string, got ${describe(v)}`, msg.name);
        }
        w.tag(1, WireType.Varint);
        w.uint32(isString ? 1 : 0);
        w.tag(2, WireType.Varint);
        w.int32(Number(n));
        w.tag(3, WireType.Bytes);
        w.string(isString ? v : '');
        return;
      }
      case 'RawExtension':
      case 'FieldsV1':
      case 'JSON': {
        // The JSON text itself. (Integer-like object keys come first in a JS object,
        // so such JSON is reordered; the content is the same.)
        if (zero) return;
        const text = JSON.stringify(v);
        if (text === undefined) throw new ValueError(`expected a JSON value, got ${describe(v)}`, msg.name);
        w.tag(1, WireType.Bytes);
        w.string(text);
        return;
      }
      case 'SliceWrapper': {
        if (zero) return;
        if (!Array.isArray(v)) throw new ValueError(`expected an array, got ${describe(v)}`, msg.name);
        return this.message(msg, { items: v }, depth);
      }
      case 'JSONSchemaPropsOrArray':
        // {schema = 1} from an object, {jSONSchemas = 2} from an array.
        if (zero) return;
        if (Array.isArray(v)) return this.repeatedOf(msg, 2, v, depth);
        return this.single(msg, 1, v, depth);
      case 'JSONSchemaPropsOrBool':
        // {allows = 1 (always written); schema = 2}: an object means allows: true.
        if (typeof v === 'boolean' || zero) {
          w.tag(1, WireType.Varint);
          w.uint32(v === true ? 1 : 0);
          return;
        }
        w.tag(1, WireType.Varint);
        w.uint32(1);
        return this.single(msg, 2, v, depth);
      case 'JSONSchemaPropsOrStringArray':
        // {schema = 1} from an object, {property = 2} from an array of strings.
        if (zero) return;
        if (Array.isArray(v)) return this.repeatedOf(msg, 2, v, depth);
        return this.single(msg, 1, v, depth);
    }
  }

  private single(msg: MessageInfo, num: number, v: unknown, depth: number): void {
    const f = msg.byNumber.get(num)!;
    if (!isObject(v)) throw new ValueError(`expected an object, got ${describe(v)}`, msg.name);
    const m = this.w.begin(num);
    this.value(f.message!, v, depth + 1);
    this.w.end(m);
  }

  private repeatedOf(msg: MessageInfo, num: number, v: unknown[], depth: number): void {
    this.field(msg, msg.byNumber.get(num)!, v, depth);
  }
}
