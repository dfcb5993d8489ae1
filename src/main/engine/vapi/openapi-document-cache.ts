/**
 * OpenAPI v3 documents, kept once for every simulated cluster. Each import
 * into Rancher runs `kubectl apply` (clusterdeploy), and kubectl's default
 * strict validation fetches the OpenAPI documents of every group version in
 * the manifest: about 2.6 MB of JSON per cluster (core v1 alone is 1.5 MB).
 * kubectl's own cache is per server URL, and each cluster has its own, so
 * every import asked kube-apiserver for the same bytes again and carried
 * them uncompressed through the tunnel.
 *
 * All simulated clusters share the main apiserver's schemas, so one copy
 * serves them all. Only what the apiserver itself declares immutable is
 * kept: a document asked for by its content hash (`?hash=`, as the
 * `/openapi/v3` index links them) and answered 200 with
 * `Cache-Control: ... immutable`. A changed schema (a CRD) gets a new hash,
 * so a kept copy is never stale. Clients that accept gzip (Go's transport
 * always does) get the document compressed, as kube-apiserver would send a
 * large answer; it is compressed once, off the event loop.
 */
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);

/** All kept documents together stay under this; the least recently served go first. */
export const OPENAPI_CACHE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The upstream answer headers passed on (not per-request ones like Date or
 * Audit-Id). Location: a stale hash is answered 301 to the current one.
 */
const KEPT_HEADERS = [
  'content-type',
  'cache-control',
  'expires',
  'etag',
  'last-modified',
  'vary',
  'location',
];

export interface UpstreamDocument {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

interface KeptDocument extends UpstreamDocument {
  gzipped?: Promise<Buffer>;
}

export class OpenApiDocumentCache {
  private readonly kept = new Map<string, KeptDocument>();
  private readonly loading = new Map<string, Promise<KeptDocument>>();
  private bytes = 0;

  constructor(private readonly maxBytes = OPENAPI_CACHE_MAX_BYTES) {}

  /**
   * The cache key of a request one copy can answer, else undefined: a GET of
   * an OpenAPI v3 document by hash, with no query but `hash` and `timeout`
   * (client-go adds its timeout to every request). The Accept header is part
   * of the key: the apiserver answers JSON or protobuf by it.
   */
  static keyOf(method: string, url: URL, accept: string | undefined): string | undefined {
    if (method !== 'GET' || !url.pathname.startsWith('/openapi/v3/')) return undefined;
    const hash = url.searchParams.get('hash');
    if (!hash) return undefined;
    for (const key of url.searchParams.keys()) if (key !== 'hash' && key !== 'timeout') return undefined;
    return `${url.pathname}?hash=${hash}\n${accept ?? ''}`;
  }

  /** Documents kept now, and their bytes (uncompressed). */
  get size(): { documents: number; bytes: number } {
    return { documents: this.kept.size, bytes: this.bytes };
  }

  /**
   * The document for key: the kept copy (hit true), else loaded once however
   * many clusters ask at the same moment, and kept when the apiserver says
   * it is immutable. An answer that is not (an error, a changed hash) is
   * passed on as it came and not kept.
   */
  async get(
    key: string,
    load: () => Promise<UpstreamDocument>,
  ): Promise<{ doc: KeptDocument; hit: boolean }> {
    const kept = this.kept.get(key);
    if (kept) {
      // Map order is the eviction order: a served document moves to the back.
      this.kept.delete(key);
      this.kept.set(key, kept);
      return { doc: kept, hit: true };
    }
    let pending = this.loading.get(key);
    if (!pending) {
      pending = load().then(
        (answer) => {
          this.loading.delete(key);
          const doc = keptForm(answer);
          if (isImmutable(answer)) this.keep(key, doc);
          return doc;
        },
        (err: unknown) => {
          this.loading.delete(key);
          throw err;
        },
      );
      this.loading.set(key, pending);
    }
    return { doc: await pending, hit: false };
  }

  /** The document's body in gzip, compressed once per kept document. */
  gzipped(doc: KeptDocument): Promise<Buffer> {
    doc.gzipped ??= gzipAsync(doc.body);
    return doc.gzipped;
  }

  private keep(key: string, doc: KeptDocument): void {
    if (doc.body.length > this.maxBytes) return;
    this.kept.set(key, doc);
    this.bytes += doc.body.length;
    for (const [oldKey, old] of this.kept) {
      if (this.bytes <= this.maxBytes) break;
      this.kept.delete(oldKey);
      this.bytes -= old.body.length;
    }
  }
}

function keptForm(answer: UpstreamDocument): KeptDocument {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = answer.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return { status: answer.status, headers, body: answer.body };
}

function isImmutable(answer: UpstreamDocument): boolean {
  return (
    answer.status === 200 &&
    !answer.headers['content-encoding'] &&
    /(^|,)\s*immutable\s*(,|$)/i.test(answer.headers['cache-control'] ?? '')
  );
}

/** Whether an Accept-Encoding header takes gzip (named, or "*", and not at q=0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  for (const entry of acceptEncoding.split(',')) {
    const [coding = '', ...params] = entry.split(';').map((s) => s.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}
