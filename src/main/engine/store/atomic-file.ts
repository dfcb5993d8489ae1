/**
 * Durable small files: write to a temp file, fsync, rename over the target,
 * fsync the folder, and keep the previous good copy as `.bak`, so a crash at
 * any instant leaves either the old or the new state, never a torn one.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (existsSync(path)) copyFileSync(path, `${path}.bak`);
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export interface ReadResult<T> {
  value: T;
  /** The main file was unreadable and the backup was used. */
  fromBackup: boolean;
  problem?: string;
}

/**
 * Reads and parses the file; when it is missing returns undefined; when it is
 * corrupt, falls back to the `.bak` copy and says why (never silently empty).
 */
export function readWithBackup<T>(path: string, parse: (text: string) => T): ReadResult<T> | undefined {
  if (!existsSync(path) && !existsSync(`${path}.bak`)) return undefined;
  let problem: string | undefined;
  if (existsSync(path)) {
    try {
      return { value: parse(readFileSync(path, 'utf8')), fromBackup: false };
    } catch (err) {
      problem = `${path} is unreadable (${(err as Error).message})`;
    }
  }
  if (existsSync(`${path}.bak`)) {
    try {
      return {
        value: parse(readFileSync(`${path}.bak`, 'utf8')),
        fromBackup: true,
        problem: problem ?? `${path} is missing`,
      };
    } catch (err) {
      throw new Error(
        `${problem ?? `${path} is missing`}, and so is its backup (${(err as Error).message})`,
        { cause: err },
      );
    }
  }
  throw new Error(`${problem}; no backup to fall back to`);
}
