/**
 * Finds the project's own folder (where package.json names this app), from
 * source files and from the built bundle alike, so the app can find the
 * kube-stack binaries that scripts/build-kube-stack.sh caches there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined | null = null;

export function packageRoot(): string | undefined {
  if (cached !== null) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        if (
          (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'scale-cluster-agent'
        ) {
          cached = dir;
          return dir;
        }
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  cached = undefined;
  return undefined;
}
