/**
 * glibc malloc's own account of this process (malloc_info(3), read through
 * gdb): what native code (OpenSSL, Node's TLS and HTTP layers, nghttp2)
 * holds, which process.memoryUsage() does not show. Undefined where gdb is
 * not installed or cannot attach; the process is stopped for a moment.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MallocTotals {
  /** Bytes in allocated chunks, mmapped ones included. */
  inUse: number;
  /** Bytes glibc holds from the system (in use plus free chunks it kept). */
  held: number;
}

export function mallocTotals(): MallocTotals | undefined {
  const file = join(tmpdir(), `sca-malloc-${process.pid}.xml`);
  try {
    execFileSync(
      'gdb',
      [
        '-p',
        String(process.pid),
        '-batch',
        '-ex',
        `call (void*)fopen("${file}", "w")`,
        '-ex',
        'call (int)malloc_info(0, $1)',
        '-ex',
        'call (int)fclose($1)',
      ],
      { stdio: 'ignore', timeout: 60_000 },
    );
    const xml = readFileSync(file, 'utf8');
    // The rows after the last arena are the whole process's.
    const tail = xml.slice(xml.lastIndexOf('</heap>'));
    const num = (re: RegExp): number => Number(re.exec(tail)?.[1] ?? 0);
    const free =
      num(/<total type="fast" count="\d+" size="(\d+)"/) + num(/<total type="rest" count="\d+" size="(\d+)"/);
    const mmapped = num(/<total type="mmap" count="\d+" size="(\d+)"/);
    const system = num(/<system type="current" size="(\d+)"/);
    if (!system) return undefined;
    return { inUse: system - free + mmapped, held: system + mmapped };
  } catch {
    return undefined;
  } finally {
    rmSync(file, { force: true });
  }
}
