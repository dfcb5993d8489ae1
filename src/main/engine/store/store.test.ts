import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { memoryLogger } from '../../../../test/helpers/test-logger';
import { readWithBackup, writeFileAtomic } from './atomic-file';
import { parseAgentState } from './agent-state';
import { AesSecretBox } from './secret-box';
import { MAX_DELAY_MS, StateStore } from './state-store';

const dir = () => mkdtempSync(join(tmpdir(), 'sca-store-'));

describe('state files', () => {
  it('writes atomically with a 0600 mode and keeps the previous copy', () => {
    const path = join(dir(), 'state.json');
    writeFileAtomic(path, '{"a":1}');
    writeFileAtomic(path, '{"a":2}');
    expect(readFileSync(path, 'utf8')).toBe('{"a":2}');
    expect(readFileSync(`${path}.bak`, 'utf8')).toBe('{"a":1}');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('falls back to the backup when the file is corrupt, never to empty', () => {
    const path = join(dir(), 'state.json');
    writeFileAtomic(path, '{"version":1,"clusters":[]}');
    writeFileAtomic(path, '{"version":1,"clusters":[]}');
    writeFileSync(path, 'garbage');
    const r = readWithBackup(path, parseAgentState);
    expect(r?.fromBackup).toBe(true);
    expect(r?.problem).toMatch(/unreadable/);
    writeFileSync(`${path}.bak`, 'also garbage');
    expect(() => readWithBackup(path, parseAgentState)).toThrow(/and so is its backup/);
  });

  it('refuses a state file from a newer agent', () => {
    expect(() => parseAgentState('{"version":99,"clusters":[]}')).toThrow(/newer agent/);
  });
});

describe('secret box', () => {
  it('seals and opens, with a 0600 key file made once', () => {
    const d = dir();
    const box = AesSecretBox.fromEnvOrFile(join(d, 'state.key'), {});
    const sealed = box.encrypt('eyJhbGciOi.secret.token');
    expect(sealed).not.toContain('secret');
    expect(AesSecretBox.fromEnvOrFile(join(d, 'state.key'), {}).decrypt(sealed)).toBe(
      'eyJhbGciOi.secret.token',
    );
    expect(statSync(join(d, 'state.key')).mode & 0o777).toBe(0o600);
  });

  it('detects tampering', () => {
    const box = AesSecretBox.fromEnvOrFile(join(dir(), 'k'), {});
    const sealed = box.encrypt('x');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw.writeUInt8(raw.readUInt8(raw.length - 1) ^ 1, raw.length - 1);
    expect(() => box.decrypt(`v1:${raw.toString('base64')}`)).toThrow();
  });
});

describe('StateStore: coalesced saves', () => {
  const silent = memoryLogger('info').logger;

  it('spaces saves by how long the last one took, within bounds, and saves on request at once', () => {
    vi.useFakeTimers();
    try {
      const path = join(dir(), 'state.json');
      let clock = 0;
      let saveTakes = 0;
      // The snapshot is where a save spends its time here: the clock moves by what the test says a save takes.
      const store = new StateStore(
        path,
        () => {
          clock += saveTakes;
          return [];
        },
        silent,
        200,
        () => clock,
      );
      /** A scheduled save happens exactly `ms` later: not a millisecond before. */
      const expectScheduledSaveAfter = (ms: number): void => {
        const writes = store.writes;
        store.schedule();
        vi.advanceTimersByTime(ms - 1);
        expect(store.writes).toBe(writes);
        vi.advanceTimersByTime(1);
        expect(store.writes).toBe(writes + 1);
      };
      expect(store.nextDelayMs).toBe(200);
      expectScheduledSaveAfter(200);

      saveTakes = 50; // a big state file: the next coalesced save waits 20 times as long
      store.saveNow();
      expect(store.writes).toBe(2);
      expect(store.nextDelayMs).toBe(1000);
      expectScheduledSaveAfter(1000);
      expect(store.writes).toBe(3);

      saveTakes = 500; // never more than MAX_DELAY_MS between them
      store.saveNow();
      expect(store.nextDelayMs).toBe(MAX_DELAY_MS);
      // An acknowledged change is not delayed.
      store.saveNow();
      expect(store.writes).toBe(5);
      expect(parseAgentState(readFileSync(path, 'utf8')).clusters).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
