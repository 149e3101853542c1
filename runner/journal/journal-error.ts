/**
 * The call journal could not be read or written. The runner stops serving on one: a call whose
 * "started" line is not on disk must not run, and after a failed append the file's tail is
 * unknown (a torn line would swallow the next one on replay), so nothing more is appended.
 * `cause` is the OS error (ENOSPC, EIO, EFBIG…).
 */
export class JournalError extends Error {
  override readonly name = "JournalError";

  constructor(
    readonly path: string,
    what: string,
    cause: unknown,
  ) {
    super(`the call journal ${path} could not be ${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
