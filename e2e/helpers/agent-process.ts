/**
 * Runs the real `scale-cluster-agent serve` (the built bundle) as a child
 * process with its own home and kwokctl workdir, as a user would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../test/helpers/free-port';
import { KUBE_BIN_DIR, requireKubeStack } from '../../test/helpers/kube-stack';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

export interface AgentProcess {
  url: string;
  /** The agent's process id (CPU and memory readings in benchmarks). */
  pid: number;
  apiPort: number;
  workdir: string;
  home: string;
  output: () => string;
  /** Kills the process at once (SIGKILL), leaving the main cluster running. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export function requireBuild(): void {
  if (
    !existsSync(join(PROJECT_ROOT, 'out', 'renderer', 'index.html')) ||
    !existsSync(join(PROJECT_ROOT, 'out', 'main', 'headless.js'))
  ) {
    throw new Error('the app is not built: run `npm run build` first');
  }
}

export interface AgentProcessOptions {
  /** Reuse a home (state), kwokctl workdir and ports: a restart of the same agent. */
  home?: string;
  workdir?: string;
  port?: number;
  apiPort?: number;
  env?: Record<string, string>;
}

export async function startAgentProcess(
  extraArgs: string[] = [],
  options: AgentProcessOptions = {},
): Promise<AgentProcess> {
  requireBuild();
  requireKubeStack();
  const port = options.port ?? (await freePort());
  const apiPort = options.apiPort ?? (await freePort());
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'sca-home-'));
  const workdir = options.workdir ?? mkdtempSync(join(tmpdir(), 'sca-kwok-'));
  let log = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(PROJECT_ROOT, 'bin', 'scale-cluster-agent.mjs'),
      'serve',
      '--listen-port',
      String(port),
      '--main-api-port',
      String(apiPort),
      '--kwok-workdir',
      workdir,
      '--kube-bin-dir',
      KUBE_BIN_DIR,
      ...extraArgs,
    ],
    {
      env: { ...process.env, SCALE_AGENT_HOME: home, RANCHER_URL: '', RANCHER_TOKEN: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`agent exited early (${child.exitCode}):\n${log}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // a test that failed to start it must not leave it running
      throw new Error(`agent did not answer /healthz:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid ?? 0,
    apiPort,
    workdir,
    home,
    output: () => log,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      // The main cluster outlives the agent by design; tests clean it up.
      await new Promise<void>((r) => {
        const kwokctl = spawn(
          join(KUBE_BIN_DIR, 'kwokctl'),
          ['delete', 'cluster', '--name', 'main-cluster'],
          {
            env: { ...process.env, KWOK_WORKDIR: workdir },
            stdio: 'ignore',
          },
        );
        kwokctl.once('exit', () => r());
      });
    },
  };
}
