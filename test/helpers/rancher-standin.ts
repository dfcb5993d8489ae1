/**
 * The Rancher stand-in (test-peers/rancher-standin, Go, on the real
 * remotedialer server) as a child process for one test file.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const STANDIN_TOKEN = 'token-abcde:s3cr3tvalue0123456789abcdefghijklmnopqrstuv';
const ROOT = resolve(import.meta.dirname, '../..');

export interface StandIn {
  url: string;
  control: string;
  dataDir: string;
  caPath: string;
  process: ChildProcess;
  output: () => string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  del(path: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A request on the stand-in's Rancher side (its v3 API, its /k8s/clusters
 * proxy) as a Rancher user would make it: with the admin token, verifying its CA.
 */
export function rancherRequest(
  standin: Pick<StandIn, 'url' | 'caPath'>,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: string }> {
  const url = new URL(path, standin.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname + url.search,
        ca: readFileSync(standin.caPath),
        headers: {
          authorization: `Bearer ${STANDIN_TOKEN}`,
          accept: 'application/json',
          ...(payload !== undefined ? { 'content-type': contentType } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** GET through the stand-in as a Rancher user (see rancherRequest). */
export function rancherGet(
  standin: Pick<StandIn, 'url' | 'caPath'>,
  path: string,
): Promise<{ status: number; body: string }> {
  return rancherRequest(standin, 'GET', path);
}

export function buildStandIn(): string {
  const out = execFileSync('bash', [join(ROOT, 'scripts', 'build-rancher-standin.sh')], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  return out.trim().split('\n').at(-1) ?? '';
}

export async function startStandIn(
  extraArgs: string[] = [],
  dataDir = mkdtempSync(join(tmpdir(), 'sca-standin-')),
  listen = '127.0.0.1:0',
): Promise<StandIn> {
  const bin = buildStandIn();
  const child = spawn(
    bin,
    [
      '--data-dir',
      dataDir,
      '--admin-token',
      STANDIN_TOKEN,
      '--server-url',
      'auto',
      '--listen',
      listen,
      '--ping-interval',
      '2s',
      '--health-interval',
      '2s',
      '--token-status-delay',
      '100ms',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const ready = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`stand-in did not start:\n${log}`)), 30_000);
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`stand-in exited ${code}:\n${log}`)));
  });
  const [, url = '', controlPart = ''] = /^READY (\S+) (\S+)$/.exec(ready) ?? [];
  const control = controlPart.replace(/^control=/, '');
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${control}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as T;
  };
  return {
    url,
    control,
    dataDir,
    caPath: join(dataDir, 'ca.crt'),
    process: child,
    output: () => log,
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b),
    del: async (p) => (await fetch(`${control}${p}`, { method: 'DELETE' })).status,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
