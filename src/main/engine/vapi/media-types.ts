/**
 * Content negotiation of a simulated cluster's API, as a real apiserver does
 * it: which request bodies it reads (anything else is its 415), and whether
 * an answer goes back as JSON or protobuf, from the client's Accept header.
 */

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** The body types a real apiserver reads for built-in types, in the order its 415 lists them. */
const READABLE_BODY_TYPES = [
  'application/json',
  'application/yaml',
  PROTOBUF,
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

export type BodyFormat = 'json' | 'yaml' | 'protobuf' | 'json-patch';

/** The media type without parameters, lower case: `application/json;charset=utf-8` -> `application/json`. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** How to read a request body of this Content-Type; undefined for one the apiserver refuses (415). */
export function bodyFormat(contentType: string | undefined): BodyFormat | undefined {
  const type = mediaType(contentType);
  if (type === '' || type === 'application/json') return 'json';
  if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json')
    return 'json';
  if (type === 'application/json-patch+json') return 'json-patch';
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') return 'yaml';
  if (type === PROTOBUF) return 'protobuf';
  return undefined;
}

/** The apiserver's 415 message for a body it cannot read. */
export function unsupportedBodyMessage(): string {
  return `the body of the request was in an unknown format - accepted media types include: ${READABLE_BODY_TYPES.join(', ')}`;
}

/** The media types of an Accept header in the client's order of preference (q-values respected, stable). */
function acceptedTypes(accept: string | undefined): Array<{ type: string; params: string }> {
  if (!accept) return [{ type: '*/*', params: '' }];
  return accept
    .split(',')
    .map((part, index) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim());
      const q = params.find((p) => p.startsWith('q='));
      return {
        type: type.toLowerCase(),
        params: params.filter((p) => !p.startsWith('q=')).join(';'),
        q: q ? Number(q.slice(2)) : 1,
        index,
      };
    })
    .filter((t) => t.type !== '' && !(t.q <= 0))
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map(({ type, params }) => ({ type, params }));
}

/**
 * The format of an answer: protobuf when the client prefers it (client-go's
 * typed clients send `application/vnd.kubernetes.protobuf,application/json`),
 * JSON otherwise. Tables and other `as=` forms are JSON, as kubectl asks.
 */
export function preferredAnswer(accept: string | undefined): 'protobuf' | 'json' {
  const first = acceptedTypes(accept)[0];
  return first?.type === PROTOBUF && !first.params.includes('as=') ? 'protobuf' : 'json';
}

/** True when the client takes JSON (or anything) as an answer. */
export function acceptsJson(accept: string | undefined): boolean {
  return acceptedTypes(accept).some(
    (t) => t.type === 'application/json' || t.type === 'application/*' || t.type === '*/*',
  );
}

/** True when the client takes protobuf. */
export function acceptsProtobuf(accept: string | undefined): boolean {
  return acceptedTypes(accept).some((t) => t.type === PROTOBUF);
}
