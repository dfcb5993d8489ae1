/**
 * The desktop shell: creates the window and wires the engine to IPC. All
 * the work is the engine's; this file only hosts it.
 */
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, safeStorage, shell } from 'electron';
import { ConfigError } from '../engine/config/agent-config';
import { createEngine } from '../engine/create-engine';
import type { Engine } from '../engine/engine';
import { AesSecretBox, type SecretCipher } from '../engine/store/secret-box';
import { ElectronSettingsStore } from './electron-settings-store';
import { registerEngineIpc } from './engine-ipc';
import { toAppProcessMetrics } from './app-process-metrics';
import { WindowState } from './window-state';

function createWindow(windowState: WindowState): BrowserWindow {
  const win = new BrowserWindow({
    ...windowState.windowOptions({ width: 1280, height: 820 }),
    show: false,
    title: 'Scale Cluster Agent',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  windowState.track(win);
  win.once('ready-to-show', () => win.show());
  // Links open in the user's browser, never inside the app.
  win.webContents.setWindowOpenHandler(({ url }) => {
    void shell.openExternal(url);
    return { action: 'deny' };
  });
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return win;
}

/**
 * Secrets in the state file sealed by the operating system's keychain
 * (Electron safeStorage) where it is available; otherwise the engine's own
 * AES key file is used.
 */
function safeStorageCipher(): SecretCipher | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  return {
    encrypt: (plain) => `ss1:${safeStorage.encryptString(plain).toString('base64')}`,
    decrypt: (sealed) => {
      if (!sealed.startsWith('ss1:')) throw new Error('not sealed by safeStorage');
      return safeStorage.decryptString(Buffer.from(sealed.slice(4), 'base64'));
    },
  };
}

async function start(): Promise<void> {
  const cipher = safeStorageCipher();
  let engine: Engine;
  try {
    ({ engine } = createEngine({
      shell: 'desktop',
      // Settings saved from the Settings screen, in electron-store; the token sealed by safeStorage
      // (or, without a keychain, by the same AES key file the headless agent uses).
      settingsStore: (home) =>
        new ElectronSettingsStore(() => cipher ?? AesSecretBox.fromEnvOrFile(join(home, 'state.key'))),
      cipher,
      prettyLogs: true,
      // Every Electron process (this one, the window's, GPU, utilities), each second, for the Memory screen.
      appProcesses: () => toAppProcessMetrics(app.getAppMetrics()),
    }));
  } catch (err) {
    const { dialog } = await import('electron');
    dialog.showErrorBox(
      'Scale Cluster Agent: configuration error',
      err instanceof ConfigError ? err.message : String(err),
    );
    app.exit(2);
    return;
  }
  registerEngineIpc(ipcMain, engine, () => BrowserWindow.getAllWindows());
  engine.start();
  const windowState = new WindowState();
  createWindow(windowState);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(windowState);
  });
  app.on('before-quit', () => void engine.stop());
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
void app.whenReady().then(start);
