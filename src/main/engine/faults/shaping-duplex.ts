/**
 * Wraps the local end of a tunnelled connection (what a tunnel's `dial`
 * returns) so injected latency and bandwidth caps apply to it. The policy is
 * asked per chunk, so a fault injected or cleared takes effect on
 * connections already open (Rancher's watches live for minutes), and a
 * cleared fault releases what it held at once.
 *
 * Data the simulated cluster sends (toward Rancher) is held for the latency
 * and its share of the bandwidth; data Rancher sends is held for the
 * bandwidth only. Each chunk's time is booked when it arrives, so chunks in
 * flight are delayed side by side, as on a slow link, not one after another.
 */
import { Duplex } from 'node:stream';

export interface ShapingPolicy {
  /** ms added to data the cluster sends (0: none). */
  latencyMs(): number;
  /** Books bytes on the cluster's link in a direction: ms to hold them (0: none, or no cap). */
  reserve(direction: 'in' | 'out', bytes: number): number;
  /** Whether a bandwidth cap is in effect now. */
  capped(): boolean;
  /** Bytes a fault held back, by kind (metrics). */
  onShaped?(kind: 'latency' | 'bandwidth', bytes: number): void;
}

/** A held chunk is looked at again at least this often, to let go at once when its fault is cleared. */
const RECHECK_MS = 250;
/** Held data beyond this stops reading from the cluster (resumed below LOW_WATER). */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

interface HeldChunk {
  chunk: Buffer;
  due: number;
}

export class ShapingDuplex extends Duplex {
  private readonly held: HeldChunk[] = [];
  private heldBytes = 0;
  private lastDue = 0;
  private timer: NodeJS.Timeout | undefined;
  private innerEnded = false;
  private pushedEnd = false;
  private consumerFull = false;
  private tooMuchHeld = false;

  constructor(
    private readonly inner: Duplex,
    private readonly policy: ShapingPolicy,
  ) {
    super();
    inner.on('data', (chunk: Buffer) => this.fromCluster(chunk));
    inner.on('end', () => this.clusterEnded());
    // A local end that closes without ending still lets its held data out.
    inner.on('close', () => this.clusterEnded());
    inner.on('error', (err: Error) => this.destroy(err));
  }

  // ---- cluster -> Rancher: latency and bandwidth -------------------------

  private fromCluster(chunk: Buffer): void {
    const now = Date.now();
    const wait = this.policy.reserve('out', chunk.length);
    const latency = this.policy.latencyMs();
    if (wait > 0) this.policy.onShaped?.('bandwidth', chunk.length);
    if (latency > 0) this.policy.onShaped?.('latency', chunk.length);
    // Never before an earlier chunk: order is kept.
    const due = Math.max(now + wait + latency, this.lastDue);
    this.lastDue = due;
    this.held.push({ chunk, due });
    this.heldBytes += chunk.length;
    if (this.heldBytes > HIGH_WATER && !this.tooMuchHeld) {
      this.tooMuchHeld = true;
      this.inner.pause();
    }
    this.release();
  }

  private clusterEnded(): void {
    if (this.innerEnded) return;
    this.innerEnded = true;
    this.release();
  }

  /** Lets out every chunk that is due, in order; arms the timer for the next. */
  private release(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.destroyed) return;
    const now = Date.now();
    // A cleared fault holds nothing back any longer.
    const unshaped = this.policy.latencyMs() === 0 && !this.policy.capped();
    while (this.held.length > 0 && !this.consumerFull) {
      const head = this.held[0] as HeldChunk;
      if (!unshaped && head.due > now) {
        this.timer = setTimeout(() => this.release(), Math.min(head.due - now, RECHECK_MS));
        return;
      }
      this.held.shift();
      this.heldBytes -= head.chunk.length;
      if (!this.push(head.chunk)) this.consumerFull = true;
    }
    if (unshaped) this.lastDue = 0;
    this.resumeClusterIfRoom();
    if (this.held.length === 0 && this.innerEnded && !this.pushedEnd) {
      this.pushedEnd = true;
      this.push(null);
    }
  }

  private resumeClusterIfRoom(): void {
    if (this.tooMuchHeld && this.heldBytes < LOW_WATER) this.tooMuchHeld = false;
    if (this.consumerFull) this.inner.pause();
    else if (!this.tooMuchHeld && this.inner.isPaused() && !this.innerEnded) this.inner.resume();
  }

  override _read(): void {
    this.consumerFull = false;
    this.release();
  }

  // ---- Rancher -> cluster: bandwidth -------------------------------------

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const wait = this.policy.reserve('in', chunk.length);
    if (wait <= 0) {
      this.toCluster(chunk, callback);
      return;
    }
    this.policy.onShaped?.('bandwidth', chunk.length);
    const until = Date.now() + wait;
    const check = (): void => {
      if (this.destroyed) return callback();
      const left = until - Date.now();
      if (left <= 0 || !this.policy.capped()) this.toCluster(chunk, callback);
      else setTimeout(check, Math.min(left, RECHECK_MS));
    };
    setTimeout(check, Math.min(wait, RECHECK_MS));
  }

  private toCluster(chunk: Buffer, callback: (error?: Error | null) => void): void {
    const inner = this.inner;
    // The cluster side is gone: what Rancher still sends has nowhere to go.
    if (inner.destroyed || inner.writableEnded) return callback();
    if (inner.write(chunk)) return callback();
    const done = (): void => {
      inner.off('drain', done);
      inner.off('close', done);
      callback();
    };
    inner.on('drain', done);
    inner.on('close', done);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.inner.destroyed && !this.inner.writableEnded) this.inner.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.held.length = 0;
    this.heldBytes = 0;
    if (!this.inner.destroyed) this.inner.destroy(error ?? undefined);
    callback(error);
  }
}
