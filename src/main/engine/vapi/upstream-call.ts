/**
 * One request the virtual API forwards to the main apiserver, with the
 * engine's credentials. Watches go as HTTP/2 streams over a few shared
 * connections when the apiserver speaks HTTP/2 (one TLS connection per
 * watch per simulated cluster was the biggest memory cost of an idle
 * cluster after its tunnels); everything else goes over the pooled
 * HTTP/1.1 keep-alive agent.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { KubeRest } from '../kube/kube-rest';

export interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders | Record<string, string | string[]>;
  body: Readable;
}

export interface UpstreamCall {
  answer: Promise<UpstreamAnswer>;
  /** Ends the request (the client went away); safe to call at any time, twice too. */
  cancel(): void;
}

export function callUpstream(
  rest: KubeRest,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  longRunning: boolean,
): UpstreamCall {
  const streams = rest.watchStreams;
  if (longRunning && method === 'GET' && !body && streams?.available) {
    const abort = new AbortController();
    return {
      answer: streams
        .request(method, path, { ...rest.tls.headers, ...headers }, abort.signal)
        .then((a) => ({ status: a.status, headers: a.headers, body: a.body })),
      cancel: () => abort.abort(),
    };
  }
  const req = httpsRequest(rest.requestOptions(method, path, headers, longRunning));
  const answer = new Promise<UpstreamAnswer>((resolve, reject) => {
    // Kept for the request's whole life: a late error (the client went away) must not go unheard.
    req.on('error', reject);
    req.once('response', (res) =>
      resolve({ status: res.statusCode ?? 502, headers: res.headers, body: res }),
    );
  });
  req.end(body);
  return { answer, cancel: () => req.destroy() };
}

/** A GET whose whole answer is read into memory (documents of a few MB at most). */
export async function getWhole(
  rest: KubeRest,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const answer = await callUpstream(rest, 'GET', path, headers, undefined, false).answer;
  const chunks: Buffer[] = [];
  for await (const chunk of answer.body) chunks.push(chunk as Buffer);
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(answer.headers)) {
    if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return { status: answer.status, headers: flat, body: Buffer.concat(chunks) };
}
