// Starts the Go remotedialer peers built by scripts/build-test-peers.sh and
// talks to their control API. Interop tests only.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PEER_DIR = `${REPO_ROOT}.cache/test-peers`;

export const PEER_VERSIONS = [
  { name: 'v05', library: 'v0.5.2', hasSync: true },
  { name: 'v04', library: 'v0.4.0', hasSync: true },
  { name: 'v03', library: 'v0.3.0', hasSync: false },
] as const;
export type PeerVersion = (typeof PEER_VERSIONS)[number];

export function goAvailable(): boolean {
  if (existsSync('/usr/local/go/bin/go')) return true;
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/** Runs the idempotent build script; throws with its output when a build fails. */
export function buildPeers(): void {
  execFileSync('bash', [`${REPO_ROOT}scripts/build-test-peers.sh`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 280_000,
  });
}

function waitForLine(child: ChildProcess, prefix: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdout = child.stdout;
    if (!stdout) return reject(new Error('peer has no stdout'));
    const lines = createInterface({ input: stdout });
    const timer = setTimeout(
      () => reject(new Error(`peer did not print ${prefix} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    lines.on('line', (line) => {
      if (line.startsWith(prefix)) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`peer exited with ${code} before printing ${prefix}`)));
  });
}

function spawnPeer(version: PeerVersion, args: string[]): ChildProcess {
  const child = spawn(`${PEER_DIR}/remotedialer-${version.name}`, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return child;
}

async function stopPeer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

export interface JobStatus {
  kind: string;
  done: boolean;
  error?: string;
  isEOF: boolean;
  written: number;
  read: number;
  sentSha?: string;
  recvSha?: string;
  ms: number;
  p50us?: number;
  p99us?: number;
}

export interface JobRequest {
  kind: 'echo' | 'flood' | 'sink' | 'hold' | 'latency';
  client: string;
  address: string;
  proto?: string;
  bytes?: number;
  seed?: number;
  stallMs?: number;
  rounds?: number;
}

export class GoServer {
  readonly url: string;
  readonly control: string;
  readonly echoAddress: string;
  readonly pid: number;
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess, listen: string, echo: string) {
    this.child = child;
    this.url = `ws://${listen}/connect`;
    this.control = `http://${listen}`;
    this.echoAddress = echo;
    this.pid = child.pid ?? 0;
  }

  static async start(version: PeerVersion): Promise<GoServer> {
    const child = spawnPeer(version, ['server', '-listen', '127.0.0.1:0', '-token', 'test-token']);
    const line = await waitForLine(child, 'LISTENING');
    const [, listen, , echo] = line.split(' ');
    return new GoServer(child, listen ?? '', echo ?? '');
  }

  async startJob(request: JobRequest): Promise<string> {
    const query = new URLSearchParams({
      kind: request.kind,
      client: request.client,
      address: request.address,
      proto: request.proto ?? 'tcp',
      bytes: String(request.bytes ?? 0),
      seed: String(request.seed ?? 1),
      stall_ms: String(request.stallMs ?? 0),
      rounds: String(request.rounds ?? 0),
    });
    const response = await fetch(`${this.control}/job?${query}`, { method: 'POST' });
    return ((await response.json()) as { id: string }).id;
  }

  async job(id: string): Promise<JobStatus> {
    const response = await fetch(`${this.control}/job?id=${id}`);
    return (await response.json()) as JobStatus;
  }

  async waitJob(id: string, timeoutMs = 120_000): Promise<JobStatus> {
    const started = Date.now();
    for (;;) {
      const status = await this.job(id);
      if (status.done) return status;
      if (Date.now() - started > timeoutMs)
        throw new Error(`job ${id} not done after ${timeoutMs} ms: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async closeJob(id: string): Promise<void> {
    await fetch(`${this.control}/job/close?id=${id}`, { method: 'POST' });
  }

  async hasSession(client: string): Promise<boolean> {
    const response = await fetch(`${this.control}/has-session?client=${encodeURIComponent(client)}`);
    return ((await response.json()) as { has: boolean }).has;
  }

  stop(): Promise<void> {
    return stopPeer(this.child);
  }
}

export class GoClient {
  readonly pid: number;
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.child = child;
    this.pid = child.pid ?? 0;
  }

  /** Starts `count` Go client sessions and resolves once all are connected. */
  static async start(
    version: PeerVersion,
    url: string,
    clientKey: string,
    count = 1,
    token = 'test-token',
  ): Promise<GoClient> {
    const child = spawnPeer(version, [
      'client',
      '-url',
      url,
      '-token',
      token,
      '-client-key',
      clientKey,
      '-count',
      String(count),
    ]);
    await waitForLine(child, 'CONNECTED', 120_000);
    return new GoClient(child);
  }

  stop(): Promise<void> {
    return stopPeer(this.child);
  }
}
