/**
 * Protobuf watch streams, as k8s.io/apiserver writes them (endpoints/handlers/
 * watch.go): each event is a metav1.WatchEvent {1 type, 2 object} encoded by
 * the RawSerializer (no envelope), whose object is a RawExtension {1 raw}
 * holding the object encoded with the envelope, and the framer
 * (LengthDelimitedFramer) puts the event's length before it, 4 bytes
 * big-endian.
 */
import { Decoder, newBudget } from './decode';
import { Encoder } from './encode';
import { ProtobufBodyError } from './errors';
import { kindKey, schema } from './schema';
import { WireReader, WireType } from './wire-reader';
import { WireWriter } from './wire-writer';

const LENGTH_PREFIX = 4;
/** The largest frame the decoder buffers; more is a broken or hostile stream. */
export const MAX_WATCH_FRAME = 64 * 1024 * 1024;

export function encodeWatchFrame(type: string, obj: Record<string, unknown>): Buffer | undefined {
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const info = schema().kinds.get(kindKey(apiVersion, kind));
  if (!info) return undefined;
  const w = new WireWriter();
  w.raw(new Uint8Array(LENGTH_PREFIX)); // filled in below
  w.tag(1, WireType.Bytes);
  w.string(type);
  const object = w.begin(2);
  const raw = w.begin(1);
  new Encoder(w).envelope(info, apiVersion, kind, obj, 0);
  w.end(raw);
  w.end(object);
  const frame = w.finish();
  frame.writeUInt32BE(frame.length - LENGTH_PREFIX, 0);
  return frame;
}

const WATCH_EVENT = 'k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent';

/** Decodes one WatchEvent message (without its length prefix). */
export function decodeWatchEvent(event: Uint8Array): { type: string; object: Record<string, unknown> } {
  const r = new WireReader(event, 0, event.length);
  let type = '';
  let raw: Uint8Array | undefined;
  while (!r.done) {
    const num = r.tag();
    const wt = r.wireType;
    if (num === 1 || num === 2) {
      if (wt !== WireType.Bytes) {
        throw new ProtobufBodyError(`field ${num} of ${WATCH_EVENT} has wire type ${wt}, expected 2`);
      }
      if (num === 1) type = r.string();
      else {
        // RawExtension {1 raw}
        const ext = r.sub(r.length());
        while (!ext.done) {
          const n = ext.tag();
          const w = ext.wireType;
          if (n === 1 && w === WireType.Bytes) raw = ext.bytes();
          else if (n === 1)
            throw new ProtobufBodyError(`field 1 of RawExtension has wire type ${w}, expected 2`);
          else ext.skip(w);
        }
      }
    } else if (wt === WireType.EndGroup) throw new ProtobufBodyError('end group outside a group');
    else r.skip(wt);
  }
  const object = new Decoder(newBudget(event.length)).embedded(raw, true, 0);
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new ProtobufBodyError('watch event without an object');
  }
  return { type, object: object as Record<string, unknown> };
}

export class WatchFrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): Array<{ type: string; object: Record<string, unknown> }> {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const events: Array<{ type: string; object: Record<string, unknown> }> = [];
    let at = 0;
    while (this.pending.length - at >= LENGTH_PREFIX) {
      const len = this.pending.readUInt32BE(at);
      if (len > MAX_WATCH_FRAME) {
        this.pending = Buffer.alloc(0);
        throw new ProtobufBodyError(`watch frame of ${len} bytes exceeds ${MAX_WATCH_FRAME}`);
      }
      if (this.pending.length - at - LENGTH_PREFIX < len) break;
      const frame = this.pending.subarray(at + LENGTH_PREFIX, at + LENGTH_PREFIX + len);
      at += LENGTH_PREFIX + len;
      events.push(decodeWatchEvent(frame));
    }
    this.pending = this.pending.subarray(at);
    return events;
  }
}
