/**
 * Test helper: the golden vectors tools/protobuf-schema wrote from the Go
 * serializers (testdata/golden.json), and an exact reading of Go's JSON.
 */
import { readFileSync } from 'node:fs';

export interface ObjectVector {
  name: string;
  apiVersion: string;
  kind: string;
  /** base64 of the envelope bytes */
  protobuf: string;
  /** Go's JSON text */
  json: string;
  /** Go re-encoding the decoded object gives the same bytes. */
  canonical: boolean;
}
export interface WatchVector {
  name: string;
  type: string;
  frame: string;
  json: string;
}
export interface Golden {
  source: string;
  objects: ObjectVector[];
  watch: WatchVector[];
  durations: Array<{ nanos: string; string: string }>;
}

export function loadGolden(): Golden {
  return JSON.parse(readFileSync(new URL('./testdata/golden.json', import.meta.url), 'utf8')) as Golden;
}

const J = JSON as unknown as { rawJSON(text: string): unknown };

/** JSON.parse that keeps integers beyond 2^53 exact (as the codec's decoder emits them). */
export function parseExact(text: string): unknown {
  return JSON.parse(text, function (_key, value: unknown, context?: { source?: string }) {
    if (
      typeof value === 'number' &&
      !Number.isSafeInteger(value) &&
      context?.source &&
      /^-?\d+$/.test(context.source)
    ) {
      return J.rawJSON(context.source);
    }
    return value;
  });
}

/** JSON text with sorted keys: equal for equal JSON values (exact big integers included). */
export function canonical(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) !== null) {
    const obj = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort()) out[k] = sortKeys(obj[k]);
    return out;
  }
  return v; // primitives and JSON.rawJSON values (null prototype)
}
