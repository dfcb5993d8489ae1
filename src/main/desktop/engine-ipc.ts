/**
 * Wires the engine to Electron IPC: one invoke channel for every request
 * (validated by the engine itself) and one push channel for events.
 */
import type { BrowserWindow, IpcMain } from 'electron';
import { EVENT_CHANNELS } from '../../shared/channels';
import type { CallResult } from '../../shared/wire';
import { errorStatus } from '../engine/transport/http-utils';
import type { Engine } from '../engine/engine';
import { IPC_CALL, IPC_EVENT } from '../../shared/ipc';

export function registerEngineIpc(ipcMain: IpcMain, engine: Engine, windows: () => BrowserWindow[]): void {
  ipcMain.handle(IPC_CALL, async (_event, channel: unknown, request: unknown): Promise<CallResult> => {
    try {
      return { ok: true, value: await engine.handle(channel as never, request) };
    } catch (err) {
      const { code, message } = errorStatus(err);
      return { ok: false, error: { code: code as never, message } };
    }
  });
  for (const channel of EVENT_CHANNELS) {
    engine.events.on(channel, (payload: unknown) => {
      for (const win of windows()) {
        if (!win.isDestroyed()) win.webContents.send(IPC_EVENT, channel, payload);
      }
    });
  }
}
