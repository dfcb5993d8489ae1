/**
 * The desktop shell in real Electron, where an Electron binary exists. Its
 * install script downloads the binary from outside the npm registry, so on
 * machines without it this suite reports itself skipped, loudly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../test/helpers/free-port';
import { KUBE_BIN_DIR } from '../test/helpers/kube-stack';
import { PROJECT_ROOT, requireBuild } from './helpers/agent-process';

/**
 * The binary electron's install script left, found without requiring the
 * package: requiring it tries to download the binary when it is missing.
 */
function electronBinary(): string | undefined {
  const pkg = join(PROJECT_ROOT, 'node_modules', 'electron');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(pkg, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const candidate = override ? join(override, relative) : join(pkg, 'dist', relative);
  return existsSync(candidate) ? candidate : undefined;
}

const binary = electronBinary();
if (!binary) {
  console.warn(
    'SKIPPED: Electron shell e2e: no Electron binary installed here (its install script downloads it from outside the npm registry).',
  );
}

describe.skipIf(!binary)('Electron shell', () => {
  let app: ElectronApplication | undefined;
  const workdir = mkdtempSync(join(tmpdir(), 'sca-kwok-'));
  afterAll(async () => {
    await app?.close();
    // The main cluster outlives the app by design; remove the test's one.
    spawnSync(join(KUBE_BIN_DIR, 'kwokctl'), ['delete', 'cluster', '--name', 'main-cluster'], {
      env: { ...process.env, KWOK_WORKDIR: workdir },
    });
  });

  it(
    'opens the window, creates a cluster through the wizard, and keeps the token sealed',
    { timeout: 300_000 },
    async () => {
      requireBuild();
      app = await _electron.launch({
        executablePath: binary,
        args: [join(PROJECT_ROOT, 'out', 'main', 'index.js'), '--no-sandbox'],
        env: {
          ...process.env,
          SCALE_AGENT_HOME: mkdtempSync(join(tmpdir(), 'sca-home-')),
          KWOK_WORKDIR: workdir,
          SCALE_AGENT_KUBE_BIN_DIR: KUBE_BIN_DIR,
          SCALE_AGENT_MAIN_API_PORT: String(await freePort()),
        },
      });
      const win = await app.firstWindow();
      expect(await win.title()).toBe('Scale Cluster Agent');
      await win.getByTestId('main-cluster-provider').waitFor();
      // The preload exposes only the typed client: no Node, no ipcRenderer.
      expect(await win.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe(
        'undefined',
      );
      // A cluster made through the wizard shows up in the table.
      await win.getByTestId('new-batch').click();
      await win.getByTestId('pattern-input').fill('desk-{1..1}');
      await win.getByTestId('template-select').selectOption('tiny');
      await win.getByTestId('wizard-submit').click();
      await win.getByTestId('wizard-create').click();
      await win.getByTestId('batch-ready').filter({ hasText: '1 ready' }).waitFor({ timeout: 240_000 });
      await win.getByTestId('batch-close').click();
      await win.getByTestId('cluster-row-desk-1').filter({ hasText: 'ready' }).waitFor();

      // Settings live in electron-store; the API token in it is sealed by safeStorage, never in clear.
      const call = (channel: string, request: unknown): Promise<unknown> =>
        win.evaluate(
          ([c, r]) =>
            (
              globalThis as unknown as { scaleAgent: { call: (c: string, r: unknown) => Promise<unknown> } }
            ).scaleAgent.call(c as string, r),
          [channel, request] as const,
        );
      const secret = 'token-elect:0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN';
      await call('settings.update', { rancherToken: secret });
      const view = (await call('settings.get', undefined)) as {
        token: { set: boolean };
        storage: { kind: string; location: string };
      };
      expect(view.token.set).toBe(true);
      expect(view.storage.kind).toBe('electron-store');
      const stored = readFileSync(view.storage.location, 'utf8');
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(secret.split(':')[1]);
    },
  );
});
