/**
 * The real kubectl from the test stack, and raw HTTPS calls with the same
 * exported kubeconfig (server, CA, token), for tests that read a Status or
 * send a body kubectl would not.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KUBE_BIN_DIR } from './kube-stack';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(kubeconfig: string, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((done) => {
    const child = execFile(
      join(KUBE_BIN_DIR, 'kubectl'),
      ['--kubeconfig', kubeconfig, ...args],
      { timeout: 60_000 },
      (err, stdout, stderr) =>
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** kubectl that must succeed: its stdout, or an error with its stderr. */
export async function kubectlOk(kubeconfig: string, args: string[], input?: string): Promise<string> {
  const r = await kubectl(kubeconfig, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export interface RawAnswer {
  status: number;
  contentType: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body as JSON, when it is JSON. */
  json?: Record<string, unknown>;
}

/** Raw requests to the API a kubeconfig points at, with its CA and bearer token, over one keep-alive agent. */
export class KubeconfigClient {
  private readonly server: URL;
  private readonly token: string;
  private readonly agent: Agent;

  constructor(kubeconfigPath: string) {
    const doc = parseYaml(readFileSync(kubeconfigPath, 'utf8')) as {
      clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
      users: Array<{ user: { token: string } }>;
    };
    const cluster = doc.clusters[0]!.cluster;
    this.server = new URL(cluster.server);
    this.token = doc.users[0]!.user.token;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 8,
      ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
    });
  }

  request(
    method: string,
    path: string,
    opts: { body?: Buffer | string; headers?: Record<string, string> } = {},
  ): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: this.server.hostname,
          port: this.server.port,
          method,
          path,
          agent: this.agent,
          servername: this.server.hostname,
          headers: { authorization: `Bearer ${this.token}`, ...opts.headers },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            const contentType = String(res.headers['content-type'] ?? '');
            let json: Record<string, unknown> | undefined;
            if (contentType.includes('json') && body.length > 0) {
              try {
                json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
              } catch {
                json = undefined;
              }
            }
            resolve({ status: res.statusCode ?? 0, contentType, headers: res.headers, body, json });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
