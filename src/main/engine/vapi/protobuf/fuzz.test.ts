import { describe, expect, it } from 'vitest';
import { loadGolden, parseExact } from './golden-vectors';
import {
  decodeProtobufObject,
  encodeProtobufObject,
  ProtobufBodyError,
  ProtobufWatchDecoder,
} from './k8s-protobuf';

// Hostile input: every case must decode or throw ProtobufBodyError (never
// another error, never a hang), and what decodes must be printable JSON.

const golden = loadGolden();
const bodies = golden.objects.map((o) => Buffer.from(o.protobuf, 'base64'));
const MAGIC = Buffer.from('k8s\0', 'latin1');
/** Per input: far above the ~1 ms a golden body takes. */
const PER_INPUT_MS = 1000;

/** mulberry32: a small seeded PRNG, so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tally {
  decoded: number;
  rejected: number;
}

function attempt(input: Uint8Array, tally: Tally, what: string): void {
  const started = performance.now();
  try {
    const obj = decodeProtobufObject(input);
    JSON.stringify(obj); // no bigint or cycle may leak out
    tally.decoded++;
  } catch (err) {
    if (!(err instanceof ProtobufBodyError)) {
      throw new Error(`${what}: ${String(err)} (input ${Buffer.from(input).toString('hex').slice(0, 200)})`, {
        cause: err,
      });
    }
    tally.rejected++;
  }
  const ms = performance.now() - started;
  if (ms > PER_INPUT_MS) throw new Error(`${what}: took ${ms.toFixed(0)} ms`);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

function ld(num: number, body: Buffer): Buffer {
  return Buffer.concat([varint((num << 3) | 2), varint(body.length), body]);
}

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const tm = Buffer.concat([ld(1, Buffer.from(apiVersion)), ld(2, Buffer.from(kind))]);
  return Buffer.concat([MAGIC, ld(1, tm), ld(2, raw)]);
}

describe('decoding hostile protobuf', () => {
  it('survives more than 10,000 malformed inputs', () => {
    const tally: Tally = { decoded: 0, rejected: 0 };
    const random = rng(0x5eed);
    const started = performance.now();

    // Truncations of every golden body (every length for small ones, a stride for big ones).
    for (const [i, body] of bodies.entries()) {
      const step = Math.max(1, Math.floor(body.length / 400));
      for (let n = 0; n < body.length; n += step) attempt(body.subarray(0, n), tally, `truncation ${i}@${n}`);
    }
    // Random bit flips, one to four per input.
    for (const [i, body] of bodies.entries()) {
      for (let k = 0; k < 250; k++) {
        const b = Buffer.from(body);
        const flips = 1 + Math.floor(random() * 4);
        for (let f = 0; f < flips; f++) b[Math.floor(random() * b.length)]! ^= 1 << Math.floor(random() * 8);
        attempt(b, tally, `flip ${i}/${k}`);
      }
    }
    // Random bytes, bare and behind the magic and a real envelope head.
    const podHead = bodies[0]!.subarray(0, 15);
    for (let k = 0; k < 1500; k++) {
      const b = Buffer.alloc(Math.floor(random() * 300));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(random() * 256);
      attempt(b, tally, `random ${k}`);
      attempt(Buffer.concat([MAGIC, b]), tally, `random after magic ${k}`);
      attempt(Buffer.concat([podHead, Buffer.from([0x12]), varint(b.length), b]), tally, `random pod ${k}`);
    }
    // Wrong magic.
    for (const body of bodies) {
      for (let j = 0; j < 4; j++) {
        const b = Buffer.from(body);
        b[j] = b[j]! ^ 0x20;
        attempt(b, tally, 'wrong magic');
      }
    }
    // Wrong wire types: rewrite the low three bits of each tag byte-position in turn.
    for (const [i, body] of bodies.slice(0, 10).entries()) {
      for (let pos = 4; pos < Math.min(body.length, 200); pos++) {
        const b = Buffer.from(body);
        b[pos] = (b[pos]! & ~7) | Math.floor(random() * 8);
        attempt(b, tally, `wire type ${i}@${pos}`);
      }
    }
    // Huge declared lengths and overlong varints.
    const hugeLengths = [
      Buffer.concat([MAGIC, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])]),
      Buffer.concat([MAGIC, Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])]),
      Buffer.concat([
        MAGIC,
        Buffer.from([0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
      ]),
      envelope('v1', 'Pod', Buffer.from([0x12, 0xfe, 0xff, 0xff, 0xff, 0x07, 0x00])),
      envelope('v1', 'ConfigMap', Buffer.from([0x12, 0x05, 0x0a, 0xff, 0xff, 0xff, 0x7f])),
      envelope('v1', 'Pod', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])),
    ];
    for (const b of hugeLengths) attempt(b, tally, 'huge length');
    // Unknown kinds and missing type information.
    for (const [apiVersion, kind] of [
      ['example.com/v1', 'Widget'],
      ['v1', ''],
      ['', 'Pod'],
      ['meta.k8s.io/v1', 'Table'],
      ['v1', 'Pod\0'],
    ] as const) {
      attempt(envelope(apiVersion, kind, Buffer.alloc(0)), tally, `kind ${apiVersion}/${kind}`);
    }

    const total = tally.decoded + tally.rejected;
    expect(total).toBeGreaterThan(10_000);
    expect(tally.rejected).toBeGreaterThan(1000);
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 120_000);

  it('bounds nesting depth (CRD schemas, RawExtensions in lists)', () => {
    // JSONSchemaProps nested through properties 500 levels deep.
    let props: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 500; i++) {
      const entry = Buffer.concat([ld(1, Buffer.from('p')), ld(2, props)]);
      props = ld(29, entry); // JSONSchemaProps.properties
    }
    const crd = ld(2, ld(7, ld(4, ld(1, props)))); // spec.versions[0].schema.openAPIV3Schema
    expect(() =>
      decodeProtobufObject(envelope('apiextensions.k8s.io/v1', 'CustomResourceDefinition', crd)),
    ).toThrow(/nested deeper/);
    // A List whose item is a List whose item is ... 300 deep.
    let inner: Buffer = envelope('v1', 'List', Buffer.alloc(0));
    for (let i = 0; i < 300; i++) inner = envelope('v1', 'List', ld(2, ld(1, inner)));
    expect(() => decodeProtobufObject(inner)).toThrow(ProtobufBodyError);
    // Unterminated and deeply nested groups among unknown fields.
    const groups = envelope('v1', 'Pod', Buffer.concat([Buffer.alloc(5000, 0x9b), Buffer.from([0x06])]));
    expect(() => decodeProtobufObject(groups)).toThrow(ProtobufBodyError);
  });

  it('bounds what zero-filled defaults can amplify', () => {
    // 2 MiB of empty Containers: each prints a default object in Go's JSON.
    const spec = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < spec.length; i += 2) {
      spec[i] = 0x12; // PodSpec.containers
      spec[i + 1] = 0x00;
    }
    const body = envelope('v1', 'Pod', ld(2, spec));
    const started = performance.now();
    expect(() => decodeProtobufObject(body)).toThrow(/too large/);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('splits hostile watch streams without other errors', () => {
    const random = rng(7);
    const frames = golden.watch.map((w) => Buffer.from(w.frame, 'base64'));
    let rejected = 0;
    for (let k = 0; k < 2000; k++) {
      const b = Buffer.from(frames[k % frames.length]!);
      b[Math.floor(random() * b.length)]! ^= 1 << Math.floor(random() * 8);
      try {
        for (const e of new ProtobufWatchDecoder().push(b)) JSON.stringify(e);
      } catch (err) {
        if (!(err instanceof ProtobufBodyError)) throw err;
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});

describe('encoding hostile JSON', () => {
  it('encodes or throws ProtobufBodyError for values of the wrong type anywhere', () => {
    const random = rng(42);
    const junk: unknown[] = [
      'x',
      '',
      -1,
      1.5,
      2 ** 70,
      true,
      null,
      [],
      [1, 'a'],
      {},
      { a: 1 },
      'not-base64!',
      '0001-01-01T00:00:00Z',
    ];
    let rejected = 0;
    let encoded = 0;
    for (const v of golden.objects) {
      for (let k = 0; k < 150; k++) {
        const obj = parseExact(v.json) as Record<string, unknown>;
        mutate(obj, random, junk);
        try {
          const out = encodeProtobufObject(obj);
          if (out) decodeProtobufObject(out);
          encoded++;
        } catch (err) {
          if (!(err instanceof ProtobufBodyError))
            throw new Error(`${v.name}: ${String(err)}`, { cause: err });
          rejected++;
        }
      }
    }
    expect(rejected).toBeGreaterThan(100);
    expect(encoded).toBeGreaterThan(100);
  });
});

/** Replaces one random value somewhere in obj with junk. */
function mutate(obj: Record<string, unknown>, random: () => number, junk: unknown[]): void {
  let node: unknown = obj;
  for (let depth = 0; depth < 12; depth++) {
    const keys = node && typeof node === 'object' ? Object.keys(node) : [];
    const keep = keys.filter((k) => k !== 'apiVersion' && k !== 'kind');
    if (keep.length === 0) return;
    const key = keep[Math.floor(random() * keep.length)]!;
    const child = (node as Record<string, unknown>)[key];
    if (
      child === null ||
      typeof child !== 'object' ||
      Object.getPrototypeOf(child) === null ||
      random() < 0.3
    ) {
      (node as Record<string, unknown>)[key] = junk[Math.floor(random() * junk.length)];
      return;
    }
    node = child;
  }
}
