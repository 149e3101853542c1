/**
 * The CLI's exit codes, so scripts can tell "fix your command" from "start the gateway" from
 * "fix the token" without reading the message. Documented in `drawbridge --help` and docs/cli.md.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  unreachable: 3,
  unauthorized: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  failure (the gateway refused the request, Docker failed, …; the message says why)
  2  usage error (unknown command, missing or extra argument, unknown option), or a bad config file
  3  gateway unreachable (nothing answered at the URL tried)
  4  unauthorized (no token, or the gateway refused it)`;

/** A command line the CLI cannot run as typed; `command` is the command whose --help would help. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    readonly command: string | null = null,
  ) {
    super(message);
  }
}
