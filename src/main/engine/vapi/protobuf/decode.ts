/**
 * Protobuf -> the JSON a Go apiserver would print for the same object: what
 * Go's generated Unmarshal fills in, then what encoding/json writes for it.
 *
 * Two steps per message. readMessage() walks the wire into a field-number ->
 * value map, with protobuf's merge rules (a repeated occurrence of a message
 * field merges into it, scalars: last one wins). toJson() then applies Go's
 * JSON rules: fields absent from the wire are Go zero values, printed unless
 * omitempty omits them; a nil pointer, slice or map is `null` unless omitted;
 * embedded (inline) structs merge into their parent; special types print
 * their own way.
 *
 * Special types are read "last occurrence wins" rather than merged (Go merges
 * the generated ones, IntOrString for instance): only hand-made input differs.
 */
import { hasMagic, MAGIC, MAX_DEPTH, TypeMetaField, UnknownField } from './envelope';
import { ProtobufBodyError } from './errors';
import { encodeBase64, formatDuration, formatTime, int64Json } from './go-values';
import {
  kindKey,
  SCALAR_WIRE_TYPE,
  schema,
  type FieldInfo,
  type MessageInfo,
  type ScalarType,
} from './schema';
import { WireReader, WireType } from './wire-reader';

type Values = Map<number, unknown>;

/** Leaves a field out of the JSON object. */
const OMIT = Symbol('omit');

export interface DecodeBudget {
  /** JSON values still allowed: zero-filled defaults make output larger than input. */
  values: number;
}

/** Output bound: generous for real objects (~0.1 values per input byte), fatal for amplification. */
export function newBudget(inputBytes: number): DecodeBudget {
  return { values: 500_000 + Math.floor(inputBytes / 2) };
}

function spend(budget: DecodeBudget, n = 1): void {
  budget.values -= n;
  if (budget.values < 0) throw new ProtobufBodyError('object too large once decoded');
}

function expectWire(info: MessageInfo, num: number, got: number, want: number): void {
  if (got !== want) {
    throw new ProtobufBodyError(`field ${num} of ${info.name} has wire type ${got}, expected ${want}`);
  }
}

function readScalar(r: WireReader, type: ScalarType): unknown {
  switch (type) {
    case 'string':
      return r.string();
    case 'bytes':
      return r.bytes();
    case 'bool':
      return r.bool();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'uint32':
      return r.uint32();
    case 'uint64':
      return r.uint64();
    case 'double':
      return r.double();
    case 'float':
      return r.float();
  }
}

/** A scalar as encoding/json prints it. */
function scalarJson(type: ScalarType, v: unknown): unknown {
  switch (type) {
    case 'bytes':
      return encodeBase64(v as Uint8Array);
    case 'int64':
    case 'uint64':
      return int64Json(v as number | bigint);
    case 'double':
    case 'float':
      if (!Number.isFinite(v as number)) throw new ProtobufBodyError(`unsupported float value ${String(v)}`);
      return v;
    default:
      return v;
  }
}

function scalarZero(type: ScalarType): unknown {
  switch (type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'bytes':
      return undefined;
    default:
      return 0;
  }
}

function isZeroScalar(v: unknown): boolean {
  return v === '' || v === 0 || v === false || v === 0n;
}

/** Sets a key that came from the input ("__proto__" included) as an own property. */
function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

export class Decoder {
  constructor(readonly budget: DecodeBudget) {}

  /** The envelope (`k8s\0` + runtime.Unknown) to the object's JSON, apiVersion and kind first. */
  envelope(body: Uint8Array, depth: number): Record<string, unknown> {
    if (body.length === 0) throw new ProtobufBodyError('empty data');
    if (!hasMagic(body)) {
      throw new ProtobufBodyError(
        `does not start with the Kubernetes protobuf prefix ${Buffer.from(MAGIC).toString('hex')}`,
      );
    }
    if (body.length === MAGIC.length) throw new ProtobufBodyError('empty body after the prefix');
    const r = new WireReader(body, MAGIC.length, body.length);
    let apiVersion = '';
    let kind = '';
    let raw: Uint8Array | undefined;
    while (!r.done) {
      const num = r.tag();
      const wt = r.wireType;
      if (num === UnknownField.TypeMeta) {
        expectWire(UNKNOWN, num, wt, WireType.Bytes);
        const tm = r.sub(r.length());
        while (!tm.done) {
          const n = tm.tag();
          const w = tm.wireType;
          if (n === TypeMetaField.APIVersion || n === TypeMetaField.Kind) {
            expectWire(TYPE_META, n, w, WireType.Bytes);
            if (n === TypeMetaField.APIVersion) apiVersion = tm.string();
            else kind = tm.string();
          } else tm.skip(w);
        }
      } else if (num === UnknownField.Raw) {
        expectWire(UNKNOWN, num, wt, WireType.Bytes);
        raw = r.bytes();
      } else {
        if (wt === WireType.EndGroup) throw new ProtobufBodyError('end group outside a group');
        r.skip(wt); // contentEncoding and contentType: Go ignores them too
      }
    }
    if (kind === '') throw new ProtobufBodyError('the envelope names no kind');
    if (apiVersion === '') throw new ProtobufBodyError(`the envelope names no apiVersion for kind ${kind}`);
    const info = schema().kinds.get(kindKey(apiVersion, kind));
    if (!info) throw new ProtobufBodyError(`no protobuf schema for apiVersion ${apiVersion}, kind ${kind}`);
    const body2 = raw ?? new Uint8Array(0);
    const values = this.readMessage(new WireReader(body2, 0, body2.length), info, depth + 1);
    spend(this.budget, 2);
    return { kind, apiVersion, ...this.toJson(info, values, depth + 1) };
  }

  readMessage(r: WireReader, info: MessageInfo, depth: number, into?: Values): Values {
    if (depth > MAX_DEPTH) throw new ProtobufBodyError(`nested deeper than ${MAX_DEPTH} messages`);
    const values: Values = into ?? new Map();
    while (!r.done) {
      const num = r.tag();
      const wt = r.wireType;
      if (wt === WireType.EndGroup) throw new ProtobufBodyError(`end group outside a group in ${info.name}`);
      const f = info.byNumber.get(num);
      if (!f) {
        r.skip(wt); // unknown fields are skipped, as Go's generated code does
        continue;
      }
      if (f.map) {
        expectWire(info, num, wt, WireType.Bytes);
        let m = values.get(num) as Map<string, unknown> | undefined;
        if (!m) values.set(num, (m = new Map()));
        this.readMapEntry(r.sub(r.length()), info, f, m, depth + 1);
      } else if (f.repeated) {
        let list = values.get(num) as unknown[] | undefined;
        if (!list) values.set(num, (list = []));
        const scalar = f.scalar;
        if (scalar && scalar !== 'string' && scalar !== 'bytes' && wt === WireType.Bytes) {
          // Packed numbers: Go's generated Unmarshal accepts them although it writes unpacked.
          const packed = r.sub(r.length());
          while (!packed.done) {
            spend(this.budget);
            list.push(scalarJson(scalar, readScalar(packed, scalar)));
          }
        } else {
          spend(this.budget);
          list.push(this.readElement(r, info, f, wt, depth));
        }
      } else if (f.scalar) {
        expectWire(info, num, wt, SCALAR_WIRE_TYPE[f.scalar]);
        values.set(num, readScalar(r, f.scalar));
      } else {
        expectWire(info, num, wt, WireType.Bytes);
        const msg = f.message!;
        const sub = r.sub(r.length());
        if (msg.special) values.set(num, this.special(sub, msg, depth + 1));
        else values.set(num, this.readMessage(sub, msg, depth + 1, values.get(num) as Values | undefined));
      }
    }
    return values;
  }

  /** One element of a repeated field (or a map value), as JSON. */
  private readElement(r: WireReader, info: MessageInfo, f: FieldInfo, wt: number, depth: number): unknown {
    if (f.scalar) {
      expectWire(info, f.num, wt, SCALAR_WIRE_TYPE[f.scalar]);
      return scalarJson(f.scalar, readScalar(r, f.scalar));
    }
    expectWire(info, f.num, wt, WireType.Bytes);
    return this.messageJson(r.sub(r.length()), f.message!, depth + 1);
  }

  private messageJson(r: WireReader, msg: MessageInfo, depth: number): unknown {
    if (msg.special) return this.special(r, msg, depth);
    return this.toJson(msg, this.readMessage(r, msg, depth), depth);
  }

  /** A map entry {1 key, 2 value}; a missing key or value is its zero value, as in Go. */
  private readMapEntry(
    r: WireReader,
    info: MessageInfo,
    f: FieldInfo,
    into: Map<string, unknown>,
    depth: number,
  ): void {
    if (depth > MAX_DEPTH) throw new ProtobufBodyError(`nested deeper than ${MAX_DEPTH} messages`);
    let key = '';
    let value: unknown;
    let seen = false;
    while (!r.done) {
      const num = r.tag();
      const wt = r.wireType;
      if (num === 1) {
        expectWire(info, f.num, wt, SCALAR_WIRE_TYPE[f.keyScalar ?? 'string']);
        key = String(readScalar(r, f.keyScalar ?? 'string'));
      } else if (num === 2) {
        value = this.readElement(r, info, f, wt, depth);
        seen = true;
      } else {
        if (wt === WireType.EndGroup) throw new ProtobufBodyError('end group outside a group');
        r.skip(wt);
      }
    }
    spend(this.budget);
    if (!seen)
      value = f.scalar
        ? this.zeroJson(f)
        : this.messageJson(new WireReader(EMPTY, 0, 0), f.message!, depth + 1);
    into.set(key, value);
  }

  private zeroJson(f: FieldInfo): unknown {
    if (f.scalar === 'bytes') return ''; // Go starts a []byte map value as []byte{}
    return f.scalar ? scalarJson(f.scalar, scalarZero(f.scalar)) : undefined;
  }

  /** The Go struct's JSON: every field in struct order, zero-valued where the wire had nothing. */
  toJson(info: MessageInfo, values: Values, depth: number): Record<string, unknown> {
    if (info.special) throw new Error(`toJson on special ${info.name}`);
    const out: Record<string, unknown> = {};
    for (const f of info.fields) {
      if (f.notInJson) continue;
      if (f.inline) {
        const inner = this.toJson(
          f.message!,
          (values.get(f.num) as Values | undefined) ?? new Map(),
          depth + 1,
        );
        // Go: a field of the outer struct wins over a promoted one of the same name.
        for (const k of Object.keys(inner)) if (!(k in out) && !ownField(info, k)) out[k] = inner[k];
        continue;
      }
      const present = values.has(f.num);
      const v = this.fieldJson(f, present, values.get(f.num), depth);
      if (v !== OMIT) {
        spend(this.budget);
        out[f.json] = v;
      }
    }
    return out;
  }

  private fieldJson(f: FieldInfo, present: boolean, v: unknown, depth: number): unknown {
    const nil = f.omitempty ? OMIT : null;
    if (f.map) {
      if (!present) return nil;
      const m = v as Map<string, unknown>;
      const obj: Record<string, unknown> = {};
      for (const [k, val] of m) setKey(obj, k, val);
      return obj;
    }
    if (f.repeated) return present ? v : nil;
    if (f.scalar) {
      if (f.scalar === 'bytes') {
        if (!present) return nil;
        const b = v as Uint8Array;
        return f.omitempty && b.length === 0 ? OMIT : encodeBase64(b);
      }
      if (!present) return f.pointer ? nil : f.omitempty ? OMIT : scalarJson(f.scalar, scalarZero(f.scalar));
      if (!f.pointer && f.omitempty && isZeroScalar(v)) return OMIT;
      return scalarJson(f.scalar, v);
    }
    const msg = f.message!;
    if (msg.special) {
      if (!present) {
        // A named slice is nil when absent; other special types are structs, zero-valued.
        if (f.pointer || msg.special === 'SliceWrapper') return nil;
        v = this.special(new WireReader(EMPTY, 0, 0), msg, depth + 1);
      }
      if (msg.special === 'SliceWrapper') return f.omitempty && (v as unknown[]).length === 0 ? OMIT : v;
      // omitzero: metav1.Time.IsZero(), which prints as null.
      if (f.omitzero && v === null) return OMIT;
      return v;
    }
    if (!present) return f.pointer ? nil : this.toJson(msg, new Map(), depth + 1);
    return this.toJson(msg, v as Values, depth + 1);
  }

  /** A special type's message to its Go JSON. */
  special(r: WireReader, msg: MessageInfo, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new ProtobufBodyError(`nested deeper than ${MAX_DEPTH} messages`);
    switch (msg.special) {
      case 'Time':
      case 'MicroTime': {
        // Timestamp {int64 seconds = 1; int32 nanos = 2}; no bytes at all is the zero time.
        let seconds: number | bigint = 0;
        let nanos = 0;
        if (r.done) return null;
        while (!r.done) {
          const num = r.tag();
          const wt = r.wireType;
          if (num === 1 || num === 2) {
            expectWire(msg, num, wt, WireType.Varint);
            if (num === 1) seconds = r.int64();
            else nanos = r.int32();
          } else skipUnknown(r, wt);
        }
        return formatTime(seconds, nanos, msg.special === 'MicroTime');
      }
      case 'Duration': {
        let nanos: number | bigint = 0;
        while (!r.done) {
          const num = r.tag();
          const wt = r.wireType;
          if (num === 1) {
            expectWire(msg, num, wt, WireType.Varint);
            nanos = r.int64();
          } else skipUnknown(r, wt);
        }
        return formatDuration(BigInt(nanos));
      }
      case 'Quantity': {
        // {string string = 1}. Passed through as written: Go re-parses it into
        // canonical form ("1000m" -> "1"), and so does the apiserver the JSON
        // goes to. No field is the zero Quantity, "0"; an empty string is an error in Go.
        let s: string | undefined;
        while (!r.done) {
          const num = r.tag();
          const wt = r.wireType;
          if (num === 1) {
            expectWire(msg, num, wt, WireType.Bytes);
            s = r.string();
          } else skipUnknown(r, wt);
        }
        if (s === undefined) return '0';
        if (s === '') throw new ProtobufBodyError('quantity is an empty string');
        return s;
      }
      case 'IntOrString': {
        // {int64 type = 1 (0 int, 1 string); int32 intVal = 2; string strVal = 3}
        let type: number | bigint = 0;
        let intVal = 0;
        let strVal = '';
        while (!r.done) {
          const num = r.tag();
          const wt = r.wireType;
          if (num === 1 || num === 2) {
            expectWire(msg, num, wt, WireType.Varint);
            if (num === 1) type = r.int64();
            else intVal = r.int32();
          } else if (num === 3) {
            expectWire(msg, num, wt, WireType.Bytes);
            strVal = r.string();
          } else skipUnknown(r, wt);
        }
        if (type === 0) return intVal;
        if (type === 1) return strVal;
        throw new ProtobufBodyError(`IntOrString has type ${type}, expected 0 (int) or 1 (string)`);
      }
      case 'RawExtension':
      case 'FieldsV1':
      case 'JSON': {
        // {bytes raw = 1}: embedded JSON (RawExtension: or a protobuf envelope).
        let raw: Uint8Array | undefined;
        while (!r.done) {
          const num = r.tag();
          const wt = r.wireType;
          if (num === 1) {
            expectWire(msg, num, wt, WireType.Bytes);
            raw = r.bytes();
          } else skipUnknown(r, wt);
        }
        return this.embedded(raw, msg.special === 'RawExtension', depth);
      }
      case 'SliceWrapper': {
        const values = this.readMessage(r, msg, depth);
        return (values.get(1) as unknown[] | undefined) ?? [];
      }
      case 'JSONSchemaPropsOrArray': {
        // {JSONSchemaProps schema = 1; repeated JSONSchemaProps jSONSchemas = 2}: the array if any, else the schema.
        const values = this.readMessage(r, msg, depth);
        const list = values.get(2) as unknown[] | undefined;
        if (list && list.length > 0) return list;
        return this.optionalMessage(msg, values, 1, depth);
      }
      case 'JSONSchemaPropsOrBool': {
        // {bool allows = 1; JSONSchemaProps schema = 2}: the schema if set, else the bool.
        const values = this.readMessage(r, msg, depth);
        if (values.has(2)) return this.optionalMessage(msg, values, 2, depth);
        return values.get(1) === true;
      }
      case 'JSONSchemaPropsOrStringArray': {
        // {JSONSchemaProps schema = 1; repeated string property = 2}: the strings if any, else the schema, else null.
        const values = this.readMessage(r, msg, depth);
        const list = values.get(2) as unknown[] | undefined;
        if (list && list.length > 0) return list;
        return this.optionalMessage(msg, values, 1, depth);
      }
      default:
        throw new Error(`protobuf codec: special type ${String(msg.special)} of ${msg.name} not handled`);
    }
  }

  private optionalMessage(msg: MessageInfo, values: Values, num: number, depth: number): unknown {
    const f = msg.byNumber.get(num)!;
    const v = values.get(num) as Values | undefined;
    return v ? this.toJson(f.message!, v, depth + 1) : null;
  }

  /**
   * Raw bytes that Go prints as JSON. Empty is null (Go would fail on a
   * RawExtension with empty non-nil bytes; null is the kinder reading). A
   * RawExtension may hold a protobuf object (watch events, lists), which Go's
   * JSON cannot print; we decode it, which is what the Go client meant.
   */
  embedded(raw: Uint8Array | undefined, allowProtobuf: boolean, depth: number): unknown {
    if (!raw || raw.length === 0) return null;
    if (allowProtobuf && hasMagic(raw)) return this.envelope(raw, depth);
    if (raw.length >= 3 && raw[0] === 0xd9 && raw[1] === 0xd9 && raw[2] === 0xf7) {
      throw new ProtobufBodyError('embedded CBOR is not supported');
    }
    if (!JSON_START.has(raw[0]!)) throw new ProtobufBodyError('embedded object is neither JSON nor protobuf');
    const text = new TextDecoder('utf-8').decode(raw);
    let value: unknown;
    try {
      value = JSON.parse(text, exactIntegers);
    } catch (err) {
      throw new ProtobufBodyError(`embedded JSON: ${(err as Error).message}`);
    }
    // JSON.parse cannot amplify: each value costs at least a byte of input.
    spend(this.budget, Math.ceil(raw.length / 8));
    return value;
  }
}

/** The first bytes with which Go's RawExtension guesses JSON (runtime/extension.go). */
const JSON_START = new Set([...'\t\r\n {[ntf"-0123456789'].map((c) => c.charCodeAt(0)));

const EMPTY = new Uint8Array(0);
const UNKNOWN = { name: 'k8s.io.apimachinery.pkg.runtime.Unknown' } as MessageInfo;
const TYPE_META = { name: 'k8s.io.apimachinery.pkg.runtime.TypeMeta' } as MessageInfo;

function skipUnknown(r: WireReader, wt: number): void {
  if (wt === WireType.EndGroup) throw new ProtobufBodyError('end group outside a group');
  r.skip(wt);
}

function ownField(info: MessageInfo, json: string): boolean {
  return info.fields.some((f) => !f.inline && !f.notInJson && f.json === json);
}

/** JSON.parse reviver: integers beyond 2^53 keep their exact digits (see int64Json). */
function exactIntegers(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context?.source &&
    /^-?\d+$/.test(context.source)
  ) {
    return int64Json(BigInt(context.source));
  }
  return value;
}
