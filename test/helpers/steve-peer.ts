/**
 * The real rancher/steve (Rancher's Steve v1 API, behind the cluster
 * explorer) as a child process: a differential test oracle pointed at a
 * kubeconfig, e.g. a simulated cluster's exported one. A test peer only:
 * scripts/build-kube-stack.sh builds it (tools/steve) into the kube-stack
 * cache beside kubectl; the app never looks for it.
 *
 * Run as Rancher's own standalone binary runs: plain HTTP only
 * (--https-listen-port 0), no auth flags, so every request is steve's
 * built-in "admin" (groups system:masters, system:authenticated) and steve
 * talks to the API as the kubeconfig's own user, without impersonation
 * headers. Its listener binds every interface (steve has no bind-address
 * flag); tests reach it on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { KUBE_BIN_DIR } from './kube-stack';

export interface StevePeer {
  /** http://127.0.0.1:<port>, without a trailing slash. */
  url: string;
  stop(): Promise<void>;
  /** Everything steve wrote on stdout and stderr so far. */
  output(): string;
}

export interface StevePeerOptions {
  /** steve's --sql-cache mode (Rancher's ui-sql-cache feature); off by default, as in steve's own binary. */
  sqlCache?: boolean;
  /** How long to wait for GET /v1/schemas to answer 200. */
  readyTimeoutMs?: number;
}

/** The types Rancher's cluster explorer opens first: every Steve API must list their schemas. */
export const EXPLORER_SCHEMA_IDS = [
  'pod',
  'node',
  'namespace',
  'apps.deployment',
  'configmap',
  'secret',
  'event',
  'service',
];

/** The cached steve binary, or a loud error saying how to build it (never a skip). */
export function steveBinary(): string {
  const bin = join(KUBE_BIN_DIR, 'steve');
  if (!existsSync(bin)) {
    throw new Error(
      `steve not built (missing ${bin}): run bash scripts/build-kube-stack.sh --with-test-peers`,
    );
  }
  return bin;
}

export async function startStevePeer(
  kubeconfigPath: string,
  options: StevePeerOptions = {},
): Promise<StevePeer> {
  const bin = steveBinary();
  const port = await freePort();
  // Its working directory holds the SQL cache's database file in --sql-cache mode.
  const workdir = mkdtempSync(join(tmpdir(), 'sca-steve-'));
  const args = [
    '--kubeconfig',
    kubeconfigPath,
    '--http-listen-port',
    String(port),
    '--https-listen-port',
    '0',
  ];
  if (options.sqlCache) args.push('--sql-cache');
  const child = spawn(bin, args, {
    cwd: workdir,
    env: { ...process.env, KUBECONFIG: kubeconfigPath, CONTEXT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      resolve();
    }),
  );
  child.once('error', (err) => (exited = `failed to start: ${err.message}`));

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedPromise;
      clearTimeout(killer);
    }
    rmSync(workdir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let last: string | undefined;
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`steve ${exited} before it answered GET /v1/schemas:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/v1/schemas`, { signal: AbortSignal.timeout(5_000) });
      const body = await res.text();
      if (res.status === 200) break;
      last = `${res.status} ${body.slice(0, 500)}`;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `steve did not answer GET ${url}/v1/schemas with 200 (last: ${last ?? 'no answer'}); its output:\n${log}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, stop, output: () => log };
}
