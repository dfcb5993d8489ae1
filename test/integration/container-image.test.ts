/**
 * The container image (docs/container-image.md).
 *
 * The smoke run builds the image with buildah and runs it with podman
 * (scripts/image-smoke.sh): the web UI, /healthz and the image's health check,
 * and one local cluster made ready on the main cluster that kwokctl starts
 * inside the container. It takes minutes and needs root, podman and Debian's
 * packages, so it runs only when SCALE_AGENT_IMAGE_TEST=1 and is reported as
 * skipped otherwise.
 *
 * The two image definitions, deploy/image/Dockerfile (Docker, from source)
 * and deploy/image/Containerfile.prebuilt (buildah, from files the script
 * stages), are checked every run to declare the same runtime.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const SMOKE_ENABLED = process.env.SCALE_AGENT_IMAGE_TEST === '1';

/** The runtime part of an image definition: from its first ENV to the end, comments and the base-image label left out. */
function runtimePart(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('ENV '));
  return lines
    .slice(start)
    .filter(
      (l) => l.trim() !== '' && !l.startsWith('#') && !l.includes('org.opencontainers.image.base.name'),
    );
}

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('container image definitions', () => {
  const dockerfile = read('deploy/image/Dockerfile');
  const prebuilt = read('deploy/image/Containerfile.prebuilt');

  it('Dockerfile and Containerfile.prebuilt declare the same user, environment, port, health check and entry point', () => {
    const docker = runtimePart(dockerfile);
    expect(docker.length).toBeGreaterThan(10);
    expect(docker).toEqual(runtimePart(prebuilt));
    expect(docker).toContain('USER 10001:10001');
    expect(docker).toContain('EXPOSE 9090');
  });

  it("Dockerfile's versions follow package.json and scripts/provision.sh", () => {
    const version = (JSON.parse(read('package.json')) as { version: string }).version;
    expect(dockerfile).toMatch(new RegExp(`^ARG VERSION=${version.replace(/\./g, '\\.')}$`, 'm'));
    const node = /node-linux-\$arch@(\d+\.\d+\.\d+)/.exec(read('scripts/provision.sh'))?.[1];
    expect(node).toBeDefined();
    expect(dockerfile).toMatch(new RegExp(`^ARG NODE_VERSION=${node?.replace(/\./g, '\\.')}$`, 'm'));
  });
});

describe.skipIf(!SMOKE_ENABLED)(
  'container image smoke run (skipped unless SCALE_AGENT_IMAGE_TEST=1: slow, needs root and podman)',
  () => {
    it(
      'builds the image, serves the web UI and /healthz, and makes a local cluster ready',
      async () => {
        const { code, output } = await run('bash', ['scripts/image-smoke.sh']);
        expect(code, output).toBe(0);
        expect(output).toMatch(/image-smoke: GET \/ : the web UI/);
        expect(output).toMatch(/image-smoke: GET \/clusters\/\S+: ready/);
        expect(output).toMatch(/^image-smoke: PASS/m);
      },
      // A first build on a fresh machine also builds the kube stack (~10 min).
      1_800_000,
    );
  },
);
