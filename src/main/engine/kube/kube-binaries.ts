/**
 * Locates the binaries a kwokctl-managed main cluster needs. Looked for, in
 * order: the configured KubeBinDir, the app's own `<home>/bin`, the machine's
 * cache that scripts/build-kube-stack.sh fills (~/.cache/scale-cluster-agent),
 * then PATH. A missing binary is reported by name with how to get it.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EngineError } from '../../../shared/errors';
import { kubeStackCacheDir } from './machine-cache';

export const KUBE_BINARIES = [
  'kwokctl',
  'kwok',
  'kube-apiserver',
  'kube-controller-manager',
  'etcd',
] as const;
export type KubeBinary = (typeof KUBE_BINARIES)[number];
export type KubeBinaryPaths = Record<KubeBinary, string>;

export interface BinarySearch {
  binDir?: string;
  homeDir?: string;
  pathEnv?: string;
}

export function binarySearchDirs(search: BinarySearch): string[] {
  const dirs: string[] = [];
  if (search.binDir) dirs.push(search.binDir);
  if (search.homeDir) dirs.push(join(search.homeDir, 'bin'));
  dirs.push(kubeStackCacheDir());
  dirs.push(...(search.pathEnv ?? process.env.PATH ?? '').split(delimiter).filter(Boolean));
  return dirs;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Resolves every binary or throws one error listing all that are missing. */
export function findKubeBinaries(search: BinarySearch): KubeBinaryPaths {
  const dirs = binarySearchDirs(search);
  const found: Partial<KubeBinaryPaths> = {};
  const missing: KubeBinary[] = [];
  for (const name of KUBE_BINARIES) {
    const dir = dirs.find((d) => isExecutable(join(d, name)));
    if (dir) found[name] = join(dir, name);
    else missing.push(name);
  }
  if (missing.length > 0) {
    throw new EngineError(
      'unavailable',
      `missing ${missing.join(', ')} for the local main cluster. Looked in: ${dirs.slice(0, 3).join(', ')} and PATH. ` +
        'Build them once with `bash scripts/build-kube-stack.sh` (from the Go module proxy), or set KubeBinDir ' +
        '(SCALE_AGENT_KUBE_BIN_DIR) to a folder that holds them, or use MainClusterProvider external with a kubeconfig.',
    );
  }
  return found as KubeBinaryPaths;
}
