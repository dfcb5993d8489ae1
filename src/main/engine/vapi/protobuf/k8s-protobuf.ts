/**
 * Kubernetes protobuf (application/vnd.kubernetes.protobuf) for the virtual
 * API: what real client-go sends and asks for, translated to and from the
 * JSON objects the rest of the engine works with. Descriptor-driven: the
 * schema (k8s-protobuf-schema.json) is reflected from the Go types of
 * Kubernetes v1.36.1 by tools/protobuf-schema.
 *
 * Files: schema.ts (loading, index), wire-reader.ts / wire-writer.ts (the
 * wire format), decode.ts, encode.ts, watch.ts (watch framing), go-values.ts
 * (Go's JSON spellings of times, durations, int64, bytes).
 */
import { Decoder, newBudget } from './decode';
import { Encoder } from './encode';
import { kindKey, schema } from './schema';
import { encodeWatchFrame, WatchFrameDecoder } from './watch';
import { WireWriter } from './wire-writer';

export { ProtobufBodyError } from './errors';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/**
 * `k8s\0` + runtime.Unknown envelope -> the JSON object a JSON client would
 * have sent: apiVersion and kind from the envelope, fields as Go's
 * encoding/json prints them (omitempty, inline structs merged, special types
 * converted). int64 values beyond 2^53 come back as JSON.rawJSON values, so
 * JSON.stringify prints them exactly. Throws ProtobufBodyError for anything
 * malformed and for a type with no schema. The caller bounds the input size.
 */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  return new Decoder(newBudget(body.length)).envelope(body, 0);
}

/**
 * A JSON object (with apiVersion and kind) -> envelope bytes, as Go would
 * write them; undefined when the apiVersion/kind has no schema (custom
 * resources, Table, ...). Throws ProtobufBodyError when a value does not fit.
 */
export function encodeProtobufObject(obj: Record<string, unknown>): Buffer | undefined {
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const info = schema().kinds.get(kindKey(apiVersion, kind));
  if (!info) return undefined;
  const w = new WireWriter();
  new Encoder(w).envelope(info, apiVersion, kind, obj, 0);
  return w.finish();
}

/** One watch event frame as the apiserver streams it (length prefix included); undefined without a schema. */
export function encodeProtobufWatchEvent(type: string, obj: Record<string, unknown>): Buffer | undefined {
  return encodeWatchFrame(type, obj);
}

/** Splits a protobuf watch stream back into events (for tests and a stream reader). */
export class ProtobufWatchDecoder {
  private readonly frames = new WatchFrameDecoder();

  push(chunk: Uint8Array): Array<{ type: string; object: Record<string, unknown> }> {
    return this.frames.push(chunk);
  }
}

export function hasProtobufSchema(apiVersion: string, kind: string): boolean {
  return schema().kinds.has(kindKey(apiVersion, kind));
}
