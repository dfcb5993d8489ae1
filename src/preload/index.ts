/**
 * The only bridge between the sandboxed renderer and the app: the engine's
 * typed channel map, nothing else (no ipcRenderer, no Node).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  EngineClient,
  EventChannel,
  EventChannels,
  RequestChannel,
  RequestOf,
  ResponseOf,
} from '../shared/channels';
import { IPC_CALL, IPC_EVENT } from '../shared/ipc';
import type { CallResult } from '../shared/wire';

class EngineCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const client: EngineClient = {
  async call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
    const result = (await ipcRenderer.invoke(IPC_CALL, channel, request)) as CallResult;
    if (!result.ok) throw new EngineCallError(result.error.code, result.error.message);
    return result.value as ResponseOf<C>;
  },
  on<E extends EventChannel>(channel: E, listener: (payload: EventChannels[E]) => void): () => void {
    const handler = (_event: IpcRendererEvent, name: string, payload: unknown): void => {
      if (name === channel) listener(payload as EventChannels[E]);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.off(IPC_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld('scaleAgent', client);
