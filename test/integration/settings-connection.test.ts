/**
 * Settings' "Test connection" against the real Go Rancher stand-in (real TLS,
 * real token check): success with Rancher's CA and the version it reports;
 * a wrong token (401); the stand-in's self-made CA not trusted; the same
 * accepted when TLS verification is skipped; a closed port; a certificate for
 * another address; a server that never answers; a server that is not
 * Rancher; and the saved values used when none are given. The token is
 * never in an answer or a log line.
 */
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTestResult } from '../../src/shared/settings';
import { Engine } from '../../src/main/engine/engine';
import { LogRing } from '../../src/main/engine/telemetry/log-ring';
import { createLogger } from '../../src/main/engine/telemetry/logger';
import { freePort } from '../helpers/free-port';
import { tempKwokWorkdir } from '../helpers/kube-stack';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../helpers/rancher-standin';
import { testConfig } from '../helpers/test-config';

const SECRET_PART = STANDIN_TOKEN.split(':')[1]!;
const WRONG_TOKEN = 'token-abcde:wrongwrongwrongwrongwrongwrong0000';

/** Listens on 127.0.0.1:<port>, accepting connections it never answers. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

/** Forwards 127.0.0.3:<port> to the stand-in, so its certificate (for 127.0.0.1 and localhost) meets another address. */
async function forwarder(target: URL): Promise<{ server: Server; port: number }> {
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.3', r));
  return { server, port: (server.address() as { port: number }).port };
}

describe('settings.testConnection against the Rancher stand-in', () => {
  let standin: StandIn;
  let engine: Engine;
  let caPem: string;
  const ring = new LogRing();
  const lines: string[] = [];
  const servers: Server[] = [];

  const test = (request: Record<string, unknown>): Promise<ConnectionTestResult> =>
    engine.handle('settings.testConnection', request);

  beforeAll(async () => {
    standin = await startStandIn();
    caPem = readFileSync(standin.caPath, 'utf8');
    const logger = createLogger({
      level: 'info',
      destination: { write: (l: string) => void lines.push(l) },
      copyTo: ring,
    });
    engine = new Engine({
      config: testConfig({ KwokWorkdir: tempKwokWorkdir() }),
      logger,
      shell: 'headless',
      ensureMainCluster: false,
      logRing: ring,
    });
  });

  afterAll(async () => {
    for (const s of servers) s.close();
    await engine?.stop();
    await standin?.stop();
  });

  it("connects with Rancher's CA and the right token, and reports Rancher's version", async () => {
    const result = await test({ rancherUrl: standin.url, rancherToken: STANDIN_TOKEN, rancherCaCert: caPem });
    expect(result).toMatchObject({ ok: true, url: standin.url, rancherVersion: 'v2.12.3', insecure: false });
    expect(result.message).toMatch(
      /^Connected to Rancher v2\.12\.3 at https:\/\/127\.0\.0\.1:\d+; the API token is accepted\.$/,
    );
  });

  it('says the token was refused (401)', async () => {
    const result = await test({ rancherUrl: standin.url, rancherToken: WRONG_TOKEN, rancherCaCert: caPem });
    expect(result).toMatchObject({ ok: false, failure: 'unauthorized' });
    expect(result.message).toMatch(/refused the API token \(401\)/);
  });

  it("says the certificate is not trusted when Rancher's CA is not given", async () => {
    const result = await test({ rancherUrl: standin.url, rancherToken: STANDIN_TOKEN, rancherCaCert: '' });
    expect(result).toMatchObject({ ok: false, failure: 'tls-untrusted' });
    expect(result.message).toMatch(/not signed by a CA this agent trusts .*\/v3\/settings\/cacerts/);
  });

  it('accepts the same untrusted certificate when TLS verification is skipped, and says so', async () => {
    const result = await test({
      rancherUrl: standin.url,
      rancherToken: STANDIN_TOKEN,
      rancherCaCert: '',
      rancherInsecure: true,
    });
    expect(result).toMatchObject({ ok: true, rancherVersion: 'v2.12.3', insecure: true });
    expect(result.message).toMatch(/certificate NOT verified/);
  });

  it('says nothing listens on a closed port', async () => {
    const port = await freePort();
    const result = await test({ rancherUrl: `https://127.0.0.1:${port}`, rancherToken: STANDIN_TOKEN });
    expect(result).toMatchObject({ ok: false, failure: 'refused' });
    expect(result.message).toBe(
      `Nothing accepts connections at 127.0.0.1:${port} (connection refused): is Rancher running, and is the port right?`,
    );
  });

  it('says the certificate is for another host name', async () => {
    const fwd = await forwarder(new URL(standin.url));
    servers.push(fwd.server);
    const result = await test({
      rancherUrl: `https://127.0.0.3:${fwd.port}`,
      rancherToken: STANDIN_TOKEN,
      rancherCaCert: caPem,
    });
    expect(result).toMatchObject({ ok: false, failure: 'tls-hostname' });
    expect(result.message).toMatch(/certificate is not for 127\.0\.0\.3/);
  });

  it('gives up on a server that never answers, within the timeout', async () => {
    const silent = await silentServer();
    servers.push(silent.server);
    const started = Date.now();
    const result = await test({
      rancherUrl: `https://127.0.0.1:${silent.port}`,
      rancherToken: STANDIN_TOKEN,
      timeoutSeconds: 1,
    });
    expect(result).toMatchObject({ ok: false, failure: 'timeout' });
    expect(result.message).toMatch(/No answer from 127\.0\.0\.1:\d+ within 1 s/);
    expect(Date.now() - started).toBeLessThan(5000);
    for (const s of silent.sockets) s.destroy();
  });

  it('says a server that is not Rancher is not Rancher', async () => {
    // The stand-in's control API is plain HTTP and has no v3 API.
    const result = await test({ rancherUrl: standin.control, rancherToken: STANDIN_TOKEN });
    expect(result).toMatchObject({ ok: false, failure: 'not-rancher' });
    expect(result.message).toMatch(/not a Rancher server/);
  });

  it('tests the saved values when none are given', async () => {
    await engine.handle('settings.update', {
      rancherUrl: standin.url,
      rancherToken: STANDIN_TOKEN,
      rancherCaCert: caPem,
    });
    expect(await test({})).toMatchObject({ ok: true, rancherVersion: 'v2.12.3' });
    // A given value replaces only itself: a wrong token with the saved URL and CA.
    expect(await test({ rancherToken: WRONG_TOKEN })).toMatchObject({ ok: false, failure: 'unauthorized' });
  });

  it('never puts the token in an answer or a log line, and logs each failure as a warning', async () => {
    const view = await engine.handle('settings.get', undefined);
    expect(JSON.stringify(view)).not.toContain(SECRET_PART);
    expect(view.token).toEqual({ set: true, hint: 'token-ab…:****' });
    expect(lines.join('\n')).not.toContain(SECRET_PART);
    const tail = await engine.handle('logs.tail', { level: 'warn', text: 'connection test failed' });
    expect(JSON.stringify(tail)).not.toContain(SECRET_PART);
    expect(tail.lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Rancher connection test failed: Rancher at .* refused the API token \(401\)/),
      ]),
    );
    expect(tail.lines.every((l) => l.level === 'warn')).toBe(true);
  });
});
