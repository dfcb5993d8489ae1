import { describe, expect, it } from 'vitest';
import { canonical, loadGolden, parseExact } from './golden-vectors';
import {
  decodeProtobufObject,
  encodeProtobufObject,
  encodeProtobufWatchEvent,
  hasProtobufSchema,
  PROTOBUF_MEDIA_TYPE,
  ProtobufBodyError,
  ProtobufWatchDecoder,
} from './k8s-protobuf';
import { formatDuration, parseDuration } from './go-values';
import { schema } from './schema';

// Vectors written by tools/protobuf-schema from the real Go serializers
// (scripts/gen-protobuf-schema.sh regenerates them).
const golden = loadGolden();
const b64 = (s: string) => Buffer.from(s, 'base64');

function throwsBodyError(fn: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ProtobufBodyError);
  expect((err as Error).message).toMatch(pattern);
}

describe('golden objects from the Go serializers', () => {
  it('covers the kinds the brief asks for', () => {
    const kinds = new Set(golden.objects.map((o) => o.kind));
    for (const k of [
      'Pod',
      'Secret',
      'ConfigMap',
      'Namespace',
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'ClusterRole',
    ]) {
      expect(kinds).toContain(k);
    }
    for (const k of [
      'Deployment',
      'Job',
      'CronJob',
      'Service',
      'Node',
      'Event',
      'DeleteOptions',
      'Status',
      'List',
    ]) {
      expect(kinds).toContain(k);
    }
    expect(kinds).toContain('SelfSubjectAccessReview');
    expect(kinds).toContain('TokenReview');
  });

  for (const v of golden.objects) {
    it(`${v.name}: decodes to Go's JSON`, () => {
      const decoded = decodeProtobufObject(b64(v.protobuf));
      expect(canonical(decoded)).toBe(canonical(parseExact(v.json)));
    });

    it(`${v.name}: encoding Go's JSON gives Go's bytes`, () => {
      const encoded = encodeProtobufObject(parseExact(v.json) as Record<string, unknown>);
      expect(encoded).toBeDefined();
      if (v.name === 'list-protobuf-items' || v.name === 'list-json-items') {
        // RawExtensions: Go's first list holds its items as protobuf envelopes,
        // which from JSON become JSON (what a real apiserver keeps for a JSON
        // client); in the second, Go's json.Marshal wrote the items' "<>&" as
        // \u003c..., JSON.stringify writes them as they are. Same content,
        // other bytes, so only the decoded content can match.
        expect(canonical(decodeProtobufObject(encoded!))).toBe(canonical(parseExact(v.json)));
        return;
      }
      // All vectors are canonical (Go writes zero-valued non-pointer fields and
      // so do we), so the bytes must match exactly.
      expect(v.canonical).toBe(true);
      expect(encoded!.toString('hex')).toBe(b64(v.protobuf).toString('hex'));
    });

    it(`${v.name}: encode then decode gives the same JSON`, () => {
      const json = parseExact(v.json) as Record<string, unknown>;
      expect(canonical(decodeProtobufObject(encodeProtobufObject(json)!))).toBe(canonical(json));
    });
  }

  it('keeps int64 beyond 2^53 exact, as JSON.stringify prints it', () => {
    const pod = golden.objects.find((o) => o.name === 'pod')!;
    const decoded = decodeProtobufObject(b64(pod.protobuf)) as { spec: { activeDeadlineSeconds: unknown } };
    expect(JSON.stringify(decoded.spec.activeDeadlineSeconds)).toBe('9007199254740993');
    // A number that would round is written as its exact digits too.
    const enc = encodeProtobufObject({
      ...(parseExact(pod.json) as Record<string, unknown>),
      spec: { containers: [], activeDeadlineSeconds: 2n ** 62n },
    })!;
    expect(JSON.stringify((decodeProtobufObject(enc) as typeof decoded).spec.activeDeadlineSeconds)).toBe(
      String(2n ** 62n),
    );
  });
});

describe('watch frames', () => {
  for (const v of golden.watch) {
    it(`${v.name}: decodes, and our frame equals Go's`, () => {
      const frame = b64(v.frame);
      const events = new ProtobufWatchDecoder().push(frame);
      expect(events).toHaveLength(1);
      expect(events[0]!.type).toBe(v.type);
      expect(canonical(events[0]!.object)).toBe(canonical(parseExact(v.json)));
      const ours = encodeProtobufWatchEvent(v.type, parseExact(v.json) as Record<string, unknown>);
      expect(ours?.toString('hex')).toBe(frame.toString('hex'));
    });
  }

  it('splits a stream cut at every byte boundary', () => {
    const stream = Buffer.concat(golden.watch.map((v) => b64(v.frame)));
    for (const step of [1, 3, 7, 64, stream.length]) {
      const dec = new ProtobufWatchDecoder();
      const types: string[] = [];
      for (let i = 0; i < stream.length; i += step) {
        for (const e of dec.push(stream.subarray(i, i + step))) types.push(e.type);
      }
      expect(types).toEqual(golden.watch.map((v) => v.type));
    }
  });

  it('frames: 4-byte big-endian length, then a WatchEvent without the envelope', () => {
    const frame = encodeProtobufWatchEvent('ADDED', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
    })!;
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    expect(frame[4]).toBe(0x0a); // field 1 (type), not the k8s\0 magic
    expect(frame.subarray(4).includes(Buffer.from('k8s\0', 'latin1'))).toBe(true); // the object has it
  });

  it('has no frame for a type without a schema', () => {
    expect(
      encodeProtobufWatchEvent('ADDED', { apiVersion: 'example.com/v1', kind: 'Widget' }),
    ).toBeUndefined();
  });

  it('rejects a frame longer than the bound', () => {
    const dec = new ProtobufWatchDecoder();
    throwsBodyError(() => dec.push(Buffer.from([0xff, 0xff, 0xff, 0xff])), /exceeds/);
  });
});

describe('special types', () => {
  const encodeDecode = (obj: Record<string, unknown>) => decodeProtobufObject(encodeProtobufObject(obj)!);

  it('Duration prints as Go prints time.Duration and parses back', () => {
    for (const d of golden.durations) {
      expect(formatDuration(BigInt(d.nanos))).toBe(d.string);
      expect(parseDuration(d.string)).toBe(BigInt(d.nanos));
    }
    expect(parseDuration('1.5h')).toBe(5_400_000_000_000n);
    expect(parseDuration('1h2m3.5s')).toBe(3_723_500_000_000n);
    expect(parseDuration('5')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
    expect(parseDuration('9999999999h')).toBeUndefined();
  });

  it('Time: zero is null, omitted where omitzero; RFC 3339 with offsets is accepted', () => {
    const ns = encodeDecode({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'a', creationTimestamp: null },
    });
    expect(ns.metadata).toEqual({ name: 'a' });
    const withOffset = encodeDecode({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'a', creationTimestamp: '2026-03-14T17:09:26.9+02:00' },
    });
    expect((withOffset.metadata as Record<string, unknown>).creationTimestamp).toBe('2026-03-14T15:09:26Z');
    const pod = encodeDecode({
      apiVersion: 'v1',
      kind: 'Pod',
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    }) as { status: { conditions: Array<Record<string, unknown>> } };
    expect(pod.status.conditions[0]).toMatchObject({ lastProbeTime: null, lastTransitionTime: null });
    expect(() =>
      encodeProtobufObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { creationTimestamp: 'today' } }),
    ).toThrow(ProtobufBodyError);
  });

  it('MicroTime keeps microseconds', () => {
    const ev = encodeDecode({ apiVersion: 'v1', kind: 'Event', eventTime: '2026-03-14T15:09:26.123456789Z' });
    expect(ev.eventTime).toBe('2026-03-14T15:09:26.123456Z');
  });

  it('IntOrString: a number or a string; a fraction or a wrong type is refused', () => {
    const svc = (port: unknown) => ({
      apiVersion: 'v1',
      kind: 'Service',
      spec: { ports: [{ port: 80, targetPort: port }] },
    });
    const decoded = (port: unknown) =>
      (encodeDecode(svc(port)) as { spec: { ports: Array<{ targetPort: unknown }> } }).spec;
    expect(decoded(8080).ports[0]!.targetPort).toBe(8080);
    expect(decoded('http').ports[0]!.targetPort).toBe('http');
    expect(() => encodeProtobufObject(svc(1.5))).toThrow(/targetPort/);
    expect(() => encodeProtobufObject(svc(true))).toThrow(ProtobufBodyError);
  });

  it('RawExtension holds JSON (exact big integers kept), FieldsV1 raw JSON', () => {
    const list = encodeDecode({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'example.com/v1', kind: 'Widget', spec: { n: parseExact('12345678901234567890') } },
      ],
    }) as { items: Array<{ spec: { n: unknown } }> };
    expect(JSON.stringify(list.items[0]!.spec.n)).toBe('12345678901234567890');
  });

  it('a wrong JSON type names the field path', () => {
    throwsBodyError(
      () => encodeProtobufObject({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 'three' } }),
      /spec\.replicas .*expected an int32/,
    );
    throwsBodyError(
      () => encodeProtobufObject({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 5 }] } }),
      /spec\.containers\.\[0\]\.name/,
    );
    throwsBodyError(
      () => encodeProtobufObject({ apiVersion: 'v1', kind: 'Secret', data: { a: '%%%' } }),
      /data\.a/,
    );
  });

  it('ignores JSON fields the type does not have, as Go does', () => {
    const cm = encodeDecode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, bogus: 1 });
    expect(cm).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
  });

  it('maps keep "__proto__" as an ordinary key', () => {
    const data = JSON.parse('{"__proto__":"x","a":"b"}') as Record<string, unknown>;
    const cm = encodeDecode({ apiVersion: 'v1', kind: 'ConfigMap', data }) as {
      data: Record<string, unknown>;
    };
    expect(Object.keys(cm.data)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(cm.data)).toBe(Object.prototype);
  });
});

describe('envelope and schema', () => {
  it('exports the media type and knows built-in kinds only', () => {
    expect(PROTOBUF_MEDIA_TYPE).toBe('application/vnd.kubernetes.protobuf');
    expect(hasProtobufSchema('v1', 'Pod')).toBe(true);
    expect(hasProtobufSchema('apps/v1', 'Deployment')).toBe(true);
    expect(hasProtobufSchema('meta.k8s.io/v1', 'PartialObjectMetadataList')).toBe(true);
    expect(hasProtobufSchema('apiextensions.k8s.io/v1', 'CustomResourceDefinition')).toBe(true);
    expect(hasProtobufSchema('meta.k8s.io/v1', 'Table')).toBe(false);
    expect(hasProtobufSchema('example.com/v1', 'Widget')).toBe(false);
    expect(encodeProtobufObject({ apiVersion: 'example.com/v1', kind: 'Widget' })).toBeUndefined();
    expect(encodeProtobufObject({ kind: 'Pod' })).toBeUndefined();
    expect(schema().source).toContain('k8s.io/api v0.36.1');
  });

  it('names the apiVersion and kind it has no schema for', () => {
    const typeMeta = Buffer.concat([field(1, 'example.com/v1'), field(2, 'Widget')]);
    const unknown = Buffer.concat([
      Buffer.from('k8s\0', 'latin1'),
      field(1, typeMeta),
      field(2, Buffer.alloc(0)),
    ]);
    throwsBodyError(() => decodeProtobufObject(unknown), /apiVersion example\.com\/v1, kind Widget/);
  });

  it('rejects wrong magic, empty bodies, a missing kind', () => {
    throwsBodyError(() => decodeProtobufObject(Buffer.from('{"kind":"Pod"}')), /prefix/);
    throwsBodyError(() => decodeProtobufObject(new Uint8Array(0)), /empty/);
    throwsBodyError(() => decodeProtobufObject(Buffer.from('k8s\0', 'latin1')), /empty/);
    throwsBodyError(() => decodeProtobufObject(Buffer.from('6b387300', 'hex')), /empty/);
    throwsBodyError(() => decodeProtobufObject(Buffer.from('6b387300120022', 'hex')), /.+/);
    throwsBodyError(() => decodeProtobufObject(Buffer.from('6b3873001200', 'hex')), /no kind/);
  });

  it('rejects a wrong wire type for a known field, naming field and message', () => {
    // Pod whose spec (field 2) is a varint.
    const body = Buffer.concat([
      Buffer.from('6b3873000a090a0276311203506f64', 'hex'),
      Buffer.from('12021001', 'hex'),
    ]);
    throwsBodyError(
      () => decodeProtobufObject(body),
      /field 2 of k8s\.io\.api\.core\.v1\.Pod has wire type 0, expected 2/,
    );
  });

  it('accepts packed repeated numbers and merges a message field sent twice, as Go does', () => {
    const num = (message: string, json: string) =>
      schema()
        .messages.get(`k8s.io.api.core.v1.${message}`)!
        .fields.find((f) => f.json === json)!.num;
    const packed = field(
      num('PodSecurityContext', 'supplementalGroups'),
      Buffer.from([0xb8, 0x17, 0xa0, 0x1f]),
    );
    const spec = field(num('PodSpec', 'securityContext'), packed);
    const meta1 = field(num('Pod', 'metadata'), field(1, 'a')); // ObjectMeta.name
    const meta2 = field(num('Pod', 'metadata'), field(3, 'ns')); // ObjectMeta.namespace
    const typeMeta = Buffer.concat([field(1, 'v1'), field(2, 'Pod')]);
    const pod = Buffer.concat([meta1, field(num('Pod', 'spec'), spec), meta2]);
    const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, typeMeta), field(2, pod)]);
    const decoded = decodeProtobufObject(body) as {
      metadata: Record<string, unknown>;
      spec: { securityContext: { supplementalGroups: number[] } };
    };
    expect(decoded.metadata).toEqual({ name: 'a', namespace: 'ns' });
    expect(decoded.spec.securityContext.supplementalGroups).toEqual([3000, 4000]);
  });

  it('skips unknown field numbers, as Go does', () => {
    const pod = golden.objects.find((o) => o.name === 'pod-minimal')!;
    const envelope = b64(pod.protobuf);
    // Append an unknown varint field 99 and a group to the Pod message (raw is field 2 of Unknown).
    const raw = decodeRaw(envelope);
    const extra = Buffer.concat([raw, Buffer.from([0x98, 0x06, 0x01, 0x9b, 0x06, 0x08, 0x01, 0x9c, 0x06])]);
    const rebuilt = Buffer.concat([
      envelope.subarray(0, 4 + 11),
      Buffer.from([0x12, extra.length]),
      extra,
      Buffer.from('1a002200', 'hex'),
    ]);
    expect(canonical(decodeProtobufObject(rebuilt))).toBe(canonical(parseExact(pod.json)));
  });
});

/** A length-delimited field (lengths below 128). */
function field(num: number, value: string | Buffer): Buffer {
  const b = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([Buffer.from([(num << 3) | 2, b.length]), b]);
}

/** The raw object bytes of an envelope whose typeMeta is 11 bytes and raw under 128 bytes. */
function decodeRaw(envelope: Buffer): Buffer {
  expect(envelope[4 + 11]).toBe(0x12);
  const len = envelope[4 + 12]!;
  return envelope.subarray(4 + 13, 4 + 13 + len);
}
