// Differential fuzzing: the same 100,000 random and mutated frames per
// session role go through Go's decoder (the real library code, via the golden
// peer's "decode" mode) and ours. Every verdict - the error that ends the
// session, or the decoded fields - must match.

import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, MessageType } from '../../src/main/engine/remotedialer/index';
import { FuzzRandom, fuzzFrame, goSessionVerdict } from '../support/fuzz-frames';
import { REPO_ROOT, buildPeers, goAvailable } from './go-peer';

const FRAMES = 100_000;
const SEED = Number(process.env.REMOTEDIALER_FUZZ_SEED ?? 77);
const HAVE_GO = goAvailable();

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function ourVerdict(frame: Buffer, role: 'client' | 'server'): string {
  const fatal = goSessionVerdict(frame, role);
  if (fatal !== null) return `fatal ${fatal}`;
  const message = decodeMessage(frame);
  const type = message.type === 'unknown' ? message.rawType : BigInt(message.type);
  let detail = '';
  switch (message.type) {
    case MessageType.Data:
      detail = hex(message.payload);
      break;
    case MessageType.Connect:
      detail = hex(Buffer.from(`${message.proto}/${message.address}`));
      break;
    case MessageType.Error:
      detail = hex(Buffer.from(message.text));
      break;
    case MessageType.AddClient:
    case MessageType.RemoveClient:
      detail = hex(Buffer.from(message.address));
      break;
    case MessageType.SyncConnections:
      detail = message.connIds.join(',');
      break;
  }
  return `ok ${type} ${message.connId} ${detail}`;
}

/**
 * Go keeps Connect, Error and AddClient/RemoveClient payloads as raw bytes;
 * we expose them as strings decoded from UTF-8 (invalid bytes become U+FFFD).
 * Apply the same decoding to Go's bytes so everything else must match exactly.
 */
function asUtf8(goLine: string): string {
  const match = /^ok ([2345]) (-?\d+) ([0-9a-f]*)$/.exec(goLine);
  if (!match) return goLine;
  return `ok ${match[1]} ${match[2]} ${hex(Buffer.from(Buffer.from(match[3] ?? '', 'hex').toString('utf8')))}`;
}

describe.skipIf(!HAVE_GO)(`differential fuzz against Go's decoder (seed ${SEED})`, () => {
  beforeAll(() => buildPeers(), 300_000);

  for (const role of ['client', 'server'] as const) {
    it(`agrees with Go on ${FRAMES} frames for a ${role} session`, () => {
      const random = new FuzzRandom(SEED + (role === 'client' ? 0 : 1));
      const frames = Array.from({ length: FRAMES }, () => fuzzFrame(random));
      const result = spawnSync(`${REPO_ROOT}.cache/test-peers/golden`, ['decode', role], {
        input: frames.map(hex).join('\n') + '\n',
        maxBuffer: 512 * 1024 * 1024,
        timeout: 60_000,
      });
      expect(result.status).toBe(0);
      const goLines = result.stdout.toString().split('\n').slice(0, -1);
      expect(goLines.length).toBe(FRAMES);
      const mismatches: string[] = [];
      let fatal = 0;
      frames.forEach((frame, index) => {
        const ours = ourVerdict(frame, role);
        const go = asUtf8(goLines[index] ?? '');
        if (ours !== go && mismatches.length < 10)
          mismatches.push(`${hex(frame)}\n  go:  ${goLines[index]}\n  ts:  ${ours}`);
        if (ours.startsWith('fatal')) fatal++;
      });
      expect(mismatches).toEqual([]);
      expect(fatal).toBeGreaterThan(FRAMES / 10);
      expect(fatal).toBeLessThan(FRAMES * 0.9);
    });
  }
});
