/** IPC channel names shared by the preload script and the main process. */
export const IPC_CALL = 'detecta:call';
export const IPC_EVENT = 'detecta:event';
