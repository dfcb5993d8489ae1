/**
 * docs/benchmarks.md is shared by every benchmark: each owns one section,
 * headed `## <title>`, and replaces only that section when it runs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';

export const BENCHMARKS_DOC = resolve(import.meta.dirname, '../../docs/benchmarks.md');

const HEADER = `# Benchmarks

Each section is written by the benchmark that measured it, with the command
that reproduces it. Timings on a shared 2-core machine are noisy: read the
ratios and orders of magnitude, not the last digit.
`;

export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `Machine: ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`;
}

export function writeSection(title: string, body: string): void {
  mkdirSync(dirname(BENCHMARKS_DOC), { recursive: true });
  const text = existsSync(BENCHMARKS_DOC) ? readFileSync(BENCHMARKS_DOC, 'utf8') : HEADER;
  const heading = `## ${title}`;
  const section = `${heading}\n\n${body.trim()}\n`;
  const start = text.indexOf(`${heading}\n`);
  let next: string;
  if (start < 0) {
    next = `${text.trimEnd()}\n\n${section}`;
  } else {
    const after = text.indexOf('\n## ', start + heading.length);
    next = text.slice(0, start) + section + (after < 0 ? '' : `\n${text.slice(after + 1)}`);
  }
  writeFileSync(BENCHMARKS_DOC, next.endsWith('\n') ? next : `${next}\n`);
}
