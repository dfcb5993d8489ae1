/**
 * Rancher's Steve health check, recognised and answered without an HTTP
 * server. Every 15 s per cluster Rancher opens a tunnelled connection to
 * `not-used:80` and sends one plain `GET /ping` with `Connection: close`.
 * Node's HTTP server costs a parser, a request and a response object per
 * connection for it, and builds an "already finished" error when the peer
 * closes a connection it already ended; at 1,000 idle clusters that was a
 * measurable share of the agent's idle CPU (docs/benchmarks.md, "Idle CPU").
 *
 * Only the simplest case is taken: one whole request in one chunk, GET or
 * HEAD of `/ping`, no body, no upgrade. Anything else (a request split
 * across chunks, pipelined requests, other paths) is left to the HTTP server.
 */

export interface PlainPing {
  head: boolean;
  /** The client asked to close after the answer (HTTP/1.1 `Connection: close`, or HTTP/1.0 without keep-alive). */
  close: boolean;
}

const REQUEST_LINE = /^(GET|HEAD) \/ping(?:\?[^ ]*)? HTTP\/1\.([01])\r\n/;
/** A header no plain ping carries: a body, an upgrade or an expectation means the HTTP server decides. */
const NOT_PLAIN = /^(?:content-length|transfer-encoding|upgrade|expect)$/;
/** Bigger than any real ping's header block: such a chunk goes to the HTTP server. */
const MAX_PING_BYTES = 4096;

/** The ping in `chunk`, when the chunk is exactly one plain ping request; undefined otherwise. */
export function parsePlainPing(chunk: Buffer): PlainPing | undefined {
  if (chunk.length > MAX_PING_BYTES || chunk.length < 4) return undefined;
  // The request must end exactly at the chunk's end: no body, nothing pipelined after it.
  if (chunk.indexOf('\r\n\r\n') !== chunk.length - 4) return undefined;
  const text = chunk.toString('latin1');
  const line = REQUEST_LINE.exec(text);
  if (!line) return undefined;
  const http10 = line[2] === '0';
  let connection = '';
  for (const header of text.slice(line[0].length, -4).split('\r\n')) {
    if (header === '') continue;
    const colon = header.indexOf(':');
    // A malformed header: the HTTP server gives the proper 400.
    if (colon <= 0) return undefined;
    const name = header.slice(0, colon).toLowerCase();
    if (NOT_PLAIN.test(name)) return undefined;
    if (name === 'connection') connection += `,${header.slice(colon + 1).toLowerCase()}`;
  }
  const tokens = connection.split(',').map((t) => t.trim());
  const close = tokens.includes('close') || (http10 && !tokens.includes('keep-alive'));
  return { head: line[1] === 'HEAD', close };
}

/** The answer Steve gives a ping: `pong`, as text. */
export function pongAnswer(ping: PlainPing): string {
  const head =
    'HTTP/1.1 200 OK\r\n' +
    'Content-Type: text/plain\r\n' +
    'Content-Length: 4\r\n' +
    `Date: ${new Date().toUTCString()}\r\n` +
    `Connection: ${ping.close ? 'close' : 'keep-alive'}\r\n\r\n`;
  return ping.head ? head : `${head}pong`;
}
