/**
 * Long-running requests (watches) to the main apiserver as HTTP/2 streams,
 * many to one connection. Over HTTP/1.1 every watch a simulated cluster's
 * client holds open costs its own TLS connection to kube-apiserver (about
 * 100-170 KiB of OpenSSL and stream buffers here, a file descriptor, and
 * the apiserver's side of it); as streams they share a few connections.
 *
 * A connection takes at most `maxStreams` streams (and never more than the
 * server allows); a new one is opened when all are full, and one left with
 * no stream closes after `idleMs`. A connection that fails ends its streams
 * with an error, as a dropped HTTP/1.1 watch would end: clients re-watch.
 */
import {
  connect,
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import type { SecureContext } from 'node:tls';

export interface Http2StreamPoolOptions {
  /** https://host:port of the apiserver. */
  origin: URL;
  secureContext: SecureContext;
  rejectUnauthorized: boolean;
  /** Streams per connection at most (the server's own limit still applies). */
  maxStreams?: number;
  /** A connection with no stream for this long is closed. */
  idleMs?: number;
}

export interface Http2Answer {
  status: number;
  /** Response headers, pseudo-headers removed. */
  headers: Record<string, string | string[]>;
  /** The body; destroy it to cancel the request. */
  body: ClientHttp2Stream;
}

/** Headers HTTP/2 forbids (connection-specific, RFC 9113 8.2.2) or carries as pseudo-headers. */
const NOT_IN_HTTP2 = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'host',
  'http2-settings',
]);

interface PooledSession {
  session: ClientHttp2Session;
  streams: number;
  idleTimer: NodeJS.Timeout | undefined;
}

export class Http2StreamPool {
  private readonly sessions = new Set<PooledSession>();
  private readonly maxStreams: number;
  private readonly idleMs: number;
  private closed = false;
  private refused = false;

  constructor(private readonly o: Http2StreamPoolOptions) {
    this.maxStreams = o.maxStreams ?? 100;
    this.idleMs = o.idleMs ?? 30_000;
  }

  /**
   * False once the server answered TLS without offering HTTP/2 (ALPN): the
   * caller then sends its long requests over HTTP/1.1 as before.
   */
  get available(): boolean {
    return !this.refused && !this.closed;
  }

  /** Connections open now and the streams they carry (tests and benchmarks read it). */
  get usage(): { connections: number; streams: number } {
    let streams = 0;
    for (const s of this.sessions) streams += s.streams;
    return { connections: this.sessions.size, streams };
  }

  /** Sends a request without a body; resolves on the response headers. */
  request(
    method: string,
    path: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Http2Answer> {
    if (this.closed) return Promise.reject(new Error('HTTP/2 stream pool closed'));
    const pooled = this.pick();
    const outgoing: OutgoingHttpHeaders = {
      [constants.HTTP2_HEADER_METHOD]: method,
      [constants.HTTP2_HEADER_PATH]: path,
    };
    for (const [k, v] of Object.entries(headers)) {
      const name = k.toLowerCase();
      if (!NOT_IN_HTTP2.has(name)) outgoing[name] = v;
    }
    return new Promise<Http2Answer>((resolve, reject) => {
      let stream: ClientHttp2Stream;
      try {
        stream = pooled.session.request(outgoing, { endStream: true });
      } catch (err) {
        reject(err as Error);
        return;
      }
      this.opened(pooled);
      let answered = false;
      // Cancelled by hand rather than through http2's own `signal` option, which destroys the
      // stream with an AbortError: its stack trace, built for every watch that ends, was a
      // measurable share of an idle agent's CPU.
      const cancel = (): void => {
        if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
      };
      if (signal?.aborted) cancel();
      else signal?.addEventListener('abort', cancel, { once: true });
      stream.once('close', () => {
        signal?.removeEventListener('abort', cancel);
        this.released(pooled);
        // Closed before any answer (cancelled, or reset by the server): nobody waits for nothing.
        if (!answered) reject(new Error(`HTTP/2 stream closed before its answer (code ${stream.rstCode})`));
      });
      stream.once('error', reject);
      stream.once('response', (h: IncomingHttpHeaders) => {
        answered = true;
        stream.off('error', reject);
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(h)) if (!k.startsWith(':') && v !== undefined) out[k] = v;
        resolve({ status: Number(h[constants.HTTP2_HEADER_STATUS] ?? 502), headers: out, body: stream });
      });
    });
  }

  close(): void {
    this.closed = true;
    for (const s of this.sessions) {
      if (s.idleTimer) clearTimeout(s.idleTimer);
      s.session.destroy();
    }
    this.sessions.clear();
  }

  /** The fullest connection that still has room (so idle ones can close), or a new one. */
  private pick(): PooledSession {
    let best: PooledSession | undefined;
    for (const s of this.sessions) {
      const limit = Math.min(this.maxStreams, s.session.remoteSettings.maxConcurrentStreams ?? Infinity);
      if (s.session.closed || s.session.destroyed || s.streams >= limit) continue;
      if (!best || s.streams > best.streams) best = s;
    }
    return best ?? this.open();
  }

  private open(): PooledSession {
    const session = connect(this.o.origin, {
      secureContext: this.o.secureContext,
      rejectUnauthorized: this.o.rejectUnauthorized,
    });
    const pooled: PooledSession = { session, streams: 0, idleTimer: undefined };
    this.sessions.add(pooled);
    const forget = (): void => {
      if (pooled.idleTimer) clearTimeout(pooled.idleTimer);
      this.sessions.delete(pooled);
    };
    // A failed or closing connection takes no new streams; its open ones end with their own errors.
    session.on('error', (err: NodeJS.ErrnoException) => {
      // A server that has no HTTP/2 refuses the ALPN offer in the handshake (Go and Node send no_application_protocol).
      if (/NO_APPLICATION_PROTOCOL/i.test(err.code ?? '') || /no.application.protocol/i.test(err.message))
        this.refused = true;
      forget();
    });
    session.once('goaway', forget);
    session.once('close', forget);
    session.once('connect', () => {
      if (session.alpnProtocol === 'h2') return;
      this.refused = true;
      session.destroy(
        new Error(`${this.o.origin.host} does not speak HTTP/2 (ALPN: ${session.alpnProtocol ?? 'none'})`),
      );
    });
    // An idle pool must not keep the process alive.
    session.unref();
    return pooled;
  }

  private opened(pooled: PooledSession): void {
    pooled.streams++;
    if (pooled.idleTimer) clearTimeout(pooled.idleTimer);
    pooled.idleTimer = undefined;
  }

  private released(pooled: PooledSession): void {
    pooled.streams--;
    if (pooled.streams > 0 || !this.sessions.has(pooled)) return;
    pooled.idleTimer = setTimeout(() => {
      if (pooled.streams === 0) {
        this.sessions.delete(pooled);
        pooled.session.close();
      }
    }, this.idleMs);
    pooled.idleTimer.unref();
  }
}
