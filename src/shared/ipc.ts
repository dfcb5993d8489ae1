/** Electron IPC channel names that carry the engine's channel map. */
export const IPC_CALL = 'engine:call';
export const IPC_EVENT = 'engine:event';
