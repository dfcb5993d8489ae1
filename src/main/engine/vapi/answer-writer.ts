/**
 * Writes a simulated cluster's translated answers in the format the client
 * negotiated. The engine always reads the main apiserver's answers as JSON
 * (to translate them); a client that prefers protobuf (client-go's typed
 * clients: Rancher, kubectl create) gets them re-encoded, as a real
 * apiserver would answer it.
 */
import type { ServerResponse } from 'node:http';
import { encodeProtobufObject, encodeProtobufWatchEvent, ProtobufBodyError } from './protobuf/k8s-protobuf';
import { statusBody } from './kube-status';
import { acceptsJson, acceptsProtobuf, preferredAnswer, PROTOBUF } from './media-types';
import type { Json } from './translate/object-translator';

const NOT_ACCEPTABLE = `only the following media types are accepted: application/json, application/yaml, ${PROTOBUF}`;

/** One whole (non-watch) answer: JSON text, or protobuf when preferred and the type has a schema. */
export function writeObjectAnswer(
  res: ServerResponse,
  code: number,
  headers: Record<string, string>,
  obj: Json,
  accept: string | undefined,
): void {
  let body: Buffer | string | undefined;
  let type = 'application/json';
  if (preferredAnswer(accept) === 'protobuf' || !acceptsJson(accept)) {
    body = encodeOrUndefined(obj);
    if (body) type = PROTOBUF;
  }
  if (body === undefined) {
    if (!acceptsJson(accept)) {
      // The apiserver's answer for a type it cannot give in any format the client takes.
      code = 406;
      body = statusBody(406, NOT_ACCEPTABLE);
    } else body = JSON.stringify(obj);
  }
  res.writeHead(code, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function encodeOrUndefined(obj: Json): Buffer | undefined {
  try {
    return encodeProtobufObject(obj);
  } catch (err) {
    // A value the schema cannot carry: fall back to JSON rather than answer wrongly.
    if (err instanceof ProtobufBodyError) return undefined;
    throw err;
  }
}

/**
 * The framing of a watch answer. JSON events unless the client takes no
 * JSON: watch events are the steady traffic of 1,000 clusters, JSON is what
 * the engine already holds, and a client that offers JSON decodes it.
 */
export function watchFormat(accept: string | undefined): 'json' | 'protobuf' {
  return !acceptsJson(accept) && acceptsProtobuf(accept) ? 'protobuf' : 'json';
}

export function watchContentType(format: 'json' | 'protobuf'): string {
  return format === 'protobuf' ? `${PROTOBUF};stream=watch` : 'application/json';
}

/** One watch event in the stream's framing; undefined when protobuf cannot carry its object. */
export function watchEventBytes(
  format: 'json' | 'protobuf',
  event: { type: string; object: Json },
): Buffer | string | undefined {
  if (format === 'json') return `${JSON.stringify(event)}\n`;
  try {
    return encodeProtobufWatchEvent(event.type, event.object);
  } catch (err) {
    if (err instanceof ProtobufBodyError) return undefined;
    throw err;
  }
}
