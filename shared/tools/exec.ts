import { z } from "zod";

export const MAX_COMMAND_LENGTH = 8192;

/** Arguments of the `exec` tool: one shell command run inside the sandbox. */
export const ExecArgs = z
  .object({
    command: z
      .string()
      .min(1, "the command is empty")
      .max(MAX_COMMAND_LENGTH, `the command is longer than ${MAX_COMMAND_LENGTH} characters`)
      .refine((c) => !c.includes("\u0000"), "the command contains a NUL byte"),
    /**
     * Run on the home box itself instead of in the sandbox. Needs the edge's policy and the
     * runner's own floor to allow it; off by default on both.
     */
    elevated: z.boolean().optional(),
  })
  .strict();
export type ExecArgs = z.infer<typeof ExecArgs>;

/** What an `exec` produced. `exitCode` is null when the process was killed (timeout, cancel) rather than exiting. */
export const ExecOutput = z
  .object({
    exitCode: z.number().int().nullable(),
    stdout: z.string(),
    stderr: z.string(),
    stdoutTruncated: z.boolean(),
    stderrTruncated: z.boolean(),
    timedOut: z.boolean(),
    /** Set when a cancel (DELETE /api/calls/:id, or the gateway's deadline) stopped the command; `exitCode` is then null. */
    cancelled: z.boolean().optional(),
    /** Set when the kernel killed the command for going over the sandbox's memory limit. */
    outOfMemory: z.boolean().optional(),
    durationMs: z.number().nonnegative(),
  })
  .strict();
export type ExecOutput = z.infer<typeof ExecOutput>;
