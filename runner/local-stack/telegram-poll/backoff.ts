/** How long to wait between failed attempts: doubles from `baseMs` up to `capMs`, never spinning. */
export type BackoffSettings = { baseMs: number; capMs: number };

/** Telegram and the gateway are asked again after 1 s, 2 s, 4 s … and then once a minute. */
export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 1_000, capMs: 60_000 };

/** Exponential backoff for one kind of attempt; `reset()` after a success starts it over. */
export class Backoff {
  private failures = 0;

  constructor(private readonly settings: BackoffSettings = DEFAULT_BACKOFF) {}

  /** The wait before the next attempt, counting this failure. */
  next(): number {
    const delay = Math.min(this.settings.capMs, this.settings.baseMs * 2 ** this.failures);
    this.failures = Math.min(this.failures + 1, 30);
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Waits `ms`, or less when `signal` aborts (the relay is stopping); never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Resolves when `signal` aborts (holds no timer, so it never keeps the process alive). */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
}
