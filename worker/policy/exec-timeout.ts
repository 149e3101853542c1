/** Per-exec time limit the runner enforces; the hub waits a little longer than this. */
export const EXEC_TIMEOUT_MS = 30_000;
