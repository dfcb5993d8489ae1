/**
 * A load generator for the inspector UI: it feeds synthetic frames, at a
 * chosen rate for a bounded time, into a cluster's real FrameTap, so they go
 * through the same recorder, history, batching and transport as real frames.
 * Real tunnels cannot be pushed to 10,000 frames/s on a small test machine;
 * the aim is to load the renderer. It runs only when the agent was started
 * with SCALE_AGENT_INSPECTOR_LOAD=1 (the inspector refuses otherwise), and its
 * conversations go to `tcp/synthetic-load:80` so nobody mistakes them.
 *
 * Each conversation is what a Steve /ping looks like on the wire: Connect,
 * request, answer, both sides' EOF; every 50th also pauses and resumes.
 */
import type { TunnelSessionKind } from '../../../shared/inspector';
import { EngineError } from '../../../shared/errors';
import type { FrameTap } from '../remotedialer/frame-tap';
import { MessageType } from '../remotedialer/message-types';

export interface SyntheticLoadRequest {
  framesPerSecond: number;
  seconds: number;
}

export const MAX_SYNTHETIC_FRAMES_PER_SECOND = 50_000;
export const MAX_SYNTHETIC_SECONDS = 120;
const TICK_MS = 10;
/** Header bytes of a remotedialer message (id, connID, type, deadline), roughly. */
const HEADER_BYTES = 16;

interface Step {
  direction: 'in' | 'out';
  type: number;
  payload: Uint8Array;
}

const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');

const CONVERSATION: Step[] = [
  { direction: 'in', type: MessageType.Connect, payload: bytes('tcp/synthetic-load:80') },
  {
    direction: 'in',
    type: MessageType.Data,
    payload: bytes('GET /ping HTTP/1.1\r\nHost: synthetic-load\r\nUser-Agent: load\r\n\r\n'),
  },
  {
    direction: 'out',
    type: MessageType.Data,
    payload: bytes('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\npong'),
  },
  { direction: 'out', type: MessageType.Error, payload: bytes('EOF') },
  { direction: 'in', type: MessageType.Error, payload: bytes('EOF') },
];

const PAUSE: Step = { direction: 'out', type: MessageType.Pause, payload: new Uint8Array(0) };
const RESUME: Step = { direction: 'out', type: MessageType.Resume, payload: new Uint8Array(0) };

function validNumber(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw new EngineError('invalid', `"${name}" must be a number from ${min} to ${max}`);
  return value;
}

/** Checks a request body: {"framesPerSecond": 10000, "seconds": 30}. */
export function parseSyntheticLoadRequest(body: unknown): SyntheticLoadRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new EngineError('invalid', 'request body must be like {"framesPerSecond": 10000, "seconds": 30}');
  const r = body as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => k !== 'framesPerSecond' && k !== 'seconds');
  if (unknown.length > 0)
    throw new EngineError('invalid', `unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  return {
    framesPerSecond: validNumber(r.framesPerSecond, 'framesPerSecond', 1, MAX_SYNTHETIC_FRAMES_PER_SECOND),
    seconds: validNumber(r.seconds, 'seconds', 1, MAX_SYNTHETIC_SECONDS),
  };
}

interface Running {
  timer: NodeJS.Timeout;
}

export class SyntheticFrameLoad {
  private readonly running = new Map<string, Running>();

  start(
    cluster: string,
    session: TunnelSessionKind,
    tap: FrameTap,
    request: SyntheticLoadRequest,
  ): { framesPerSecond: number; seconds: number } {
    const { framesPerSecond, seconds } = parseSyntheticLoadRequest(request);
    const key = `${cluster}/${session}`;
    if (this.running.has(key))
      throw new EngineError('conflict', `synthetic frames already run into ${key}; wait until they end`);
    const startedAt = Date.now();
    const endsAt = startedAt + seconds * 1000;
    let emitted = 0;
    let step = 0;
    let conversation = 0;
    // Real server sessions start their connection ids at 2 (Go's nextConnID).
    let connId = 1n;
    const emit = (s: Step): void => {
      tap.record(s.direction, s.type, connId, HEADER_BYTES + s.payload.byteLength, s.payload);
      emitted++;
    };
    const timer = setInterval(() => {
      const now = Math.min(Date.now(), endsAt);
      const due = Math.floor(((now - startedAt) * framesPerSecond) / 1000) - emitted;
      for (let i = 0; i < due; i++) {
        if (step === 0) {
          connId++;
          conversation++;
        }
        emit(CONVERSATION[step] as Step);
        step = (step + 1) % CONVERSATION.length;
        if (step === 3 && conversation % 50 === 0 && i + 2 < due) {
          emit(PAUSE);
          emit(RESUME);
          i += 2;
        }
      }
      if (now >= endsAt) this.stopKey(key);
    }, TICK_MS);
    timer.unref();
    this.running.set(key, { timer });
    return { framesPerSecond, seconds };
  }

  stop(cluster: string): void {
    for (const key of [...this.running.keys()]) if (key.startsWith(`${cluster}/`)) this.stopKey(key);
  }

  stopAll(): void {
    for (const key of [...this.running.keys()]) this.stopKey(key);
  }

  private stopKey(key: string): void {
    const running = this.running.get(key);
    if (!running) return;
    clearInterval(running.timer);
    this.running.delete(key);
  }
}

/** The environment variable that enables the generator (set to 1). */
export const SYNTHETIC_LOAD_ENV = 'SCALE_AGENT_INSPECTOR_LOAD';

export function syntheticLoadAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[SYNTHETIC_LOAD_ENV] === '1';
}
