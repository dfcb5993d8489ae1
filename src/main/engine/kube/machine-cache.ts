/**
 * The per-machine cache shared by every checkout: scripts/build-kube-stack.sh
 * builds the kube stack into it once, and every clone and the app reuse it.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function machineCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'scale-cluster-agent');
}

export function kubeStackCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SCALE_AGENT_KUBE_CACHE || join(machineCacheDir(env), 'kube-stack', 'bin');
}
