/**
 * The real kube stack for tests: the binaries scripts/build-kube-stack.sh
 * builds, and a kwokctl workdir of the test's own so nothing touches ~/.kwok.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBE_BINARIES } from '../../src/main/engine/kube/kube-binaries';
import { kubeStackCacheDir } from '../../src/main/engine/kube/machine-cache';

export const KUBE_BIN_DIR = process.env.SCALE_AGENT_KUBE_BIN_DIR ?? kubeStackCacheDir();

/** Fails loudly (never skips) when the stack is not built: CI builds it first. */
export function requireKubeStack(): string {
  const missing = KUBE_BINARIES.filter((b) => !existsSync(join(KUBE_BIN_DIR, b)));
  if (missing.length > 0) {
    throw new Error(
      `kube stack not built (missing ${missing.join(', ')} in ${KUBE_BIN_DIR}): run bash scripts/build-kube-stack.sh`,
    );
  }
  return KUBE_BIN_DIR;
}

export function tempKwokWorkdir(): string {
  return mkdtempSync(join(tmpdir(), 'sca-kwok-'));
}
