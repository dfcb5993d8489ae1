/**
 * The Kubernetes protobuf schema, as tools/protobuf-schema reflected it from
 * the Go types (regenerate with scripts/gen-protobuf-schema.sh). It is parsed
 * and indexed on first use: most virtual API requests are JSON and never
 * need it.
 */
import schemaText from './k8s-protobuf-schema.json?raw';
import { WireType } from './wire-reader';

export type ScalarType =
  'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'double' | 'float';

/** The wire type each scalar is written with: the one table the decoder checks and the encoder writes. */
export const SCALAR_WIRE_TYPE: Record<ScalarType, number> = {
  string: WireType.Bytes,
  bytes: WireType.Bytes,
  bool: WireType.Varint,
  int32: WireType.Varint,
  int64: WireType.Varint,
  uint32: WireType.Varint,
  uint64: WireType.Varint,
  double: WireType.Fixed64,
  float: WireType.Fixed32,
};

/**
 * Types whose Go protobuf or JSON marshalling is hand-written, so their JSON
 * is not what their fields would say. SliceWrapper is go-to-protobuf's
 * message for a named slice type (metav1.Verbs, ExtraValue): field 1 holds
 * the items, and in JSON it is the bare array.
 */
export type SpecialKind =
  | 'Time'
  | 'MicroTime'
  | 'Duration'
  | 'Quantity'
  | 'IntOrString'
  | 'RawExtension'
  | 'FieldsV1'
  | 'JSON'
  | 'JSONSchemaPropsOrArray'
  | 'JSONSchemaPropsOrBool'
  | 'JSONSchemaPropsOrStringArray'
  | 'SliceWrapper';

export interface FieldInfo {
  /** Protobuf field number; 0 for a field that is in JSON only. */
  readonly num: number;
  readonly json: string;
  /** Exactly one of scalar and message is set (for a map: the value's type). */
  readonly scalar: ScalarType | undefined;
  message: MessageInfo | undefined;
  readonly repeated: boolean;
  readonly map: boolean;
  readonly keyScalar: ScalarType | undefined;
  readonly omitempty: boolean;
  /** encoding/json's omitzero (only ObjectMeta.creationTimestamp has it). */
  readonly omitzero: boolean;
  /** A Go pointer: nil (absent, JSON null or omitted) differs from the zero value. */
  readonly pointer: boolean;
  /** An embedded struct: a nested message on the wire, merged into its parent in JSON. */
  readonly inline: boolean;
  /** json:"-": on the wire only. */
  readonly notInJson: boolean;
}

export interface MessageInfo {
  readonly name: string;
  readonly special: SpecialKind | undefined;
  /** In Go struct order, the order encoding/json prints them in. */
  readonly fields: FieldInfo[];
  readonly byNumber: Map<number, FieldInfo>;
  /** Wire fields by ascending number, the order Go's generated marshallers write. */
  readonly wireOrder: FieldInfo[];
}

export interface Schema {
  readonly source: string;
  readonly messages: Map<string, MessageInfo>;
  /** By `${apiVersion}/${kind}`, e.g. "apps/v1/Deployment", "v1/Pod". */
  readonly kinds: Map<string, MessageInfo>;
}

type RawField = [number, string, string, string, string?];
interface RawSchema {
  source: string;
  kinds: Record<string, string>;
  special: Record<string, SpecialKind>;
  messages: Record<string, RawField[]>;
}

const SCALARS = new Set<string>([
  'string',
  'bytes',
  'bool',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'double',
  'float',
]);

let loaded: Schema | undefined;

export function schema(): Schema {
  loaded ??= buildSchema(JSON.parse(schemaText) as RawSchema);
  return loaded;
}

export function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/** Indexes a schema in the generator's format (exported for tests of malformed schemas). */
export function buildSchema(raw: RawSchema): Schema {
  const messages = new Map<string, MessageInfo>();
  // Two passes: messages refer to each other (JSONSchemaProps to itself).
  for (const name of Object.keys(raw.messages)) {
    messages.set(name, {
      name,
      special: raw.special[name],
      fields: [],
      byNumber: new Map(),
      wireOrder: [],
    });
  }
  for (const [name, rawFields] of Object.entries(raw.messages)) {
    const msg = messages.get(name)!;
    for (const [num, json, type, flags, key] of rawFields) {
      const field: FieldInfo = {
        num,
        json,
        scalar: SCALARS.has(type) ? (type as ScalarType) : undefined,
        message: undefined,
        repeated: flags.includes('r'),
        map: flags.includes('m'),
        keyScalar: key === undefined ? undefined : (key as ScalarType),
        omitempty: flags.includes('o'),
        omitzero: flags.includes('z'),
        pointer: flags.includes('p'),
        inline: flags.includes('i'),
        notInJson: flags.includes('n'),
      };
      if (field.scalar === undefined) {
        field.message = messages.get(type);
        if (!field.message)
          throw new Error(`protobuf schema: ${name}.${json} refers to unknown type ${type}`);
      }
      msg.fields.push(field);
      if (num > 0) msg.byNumber.set(num, field);
    }
    msg.wireOrder.push(...msg.fields.filter((f) => f.num > 0).sort((a, b) => a.num - b.num));
  }
  const kinds = new Map<string, MessageInfo>();
  for (const [key, name] of Object.entries(raw.kinds)) {
    const msg = messages.get(name);
    if (!msg) throw new Error(`protobuf schema: kind ${key} refers to unknown message ${name}`);
    kinds.set(key, msg);
  }
  return { source: raw.source, messages, kinds };
}
