import { z } from "zod";

/** Longest path a file tool accepts; real paths in a workspace are far shorter. */
export const MAX_PATH_LENGTH = 4096;
/**
 * Most characters a file tool moves in one call. A tunnel frame is capped at 1 MiB and JSON may
 * escape a control character into six, so file contents stay well below that.
 */
export const MAX_FILE_CHARS = 128 * 1024;
/** Most entries one `ls` lists; the rest are counted, not sent. */
export const MAX_LS_ENTRIES = 1000;

/**
 * A path inside the scope's workspace: relative (`notes/todo.md`) or under `/workspace`, the
 * place the sandbox sees it. The runner re-checks every path against its own workspace; this only
 * refuses what can never be right.
 */
export const WorkspacePath = z
  .string()
  .min(1, "the path is empty")
  .max(MAX_PATH_LENGTH, `the path is longer than ${MAX_PATH_LENGTH} characters`)
  .refine((p) => !p.includes("\u0000"), "the path contains a NUL byte");

export const ReadArgs = z.object({ path: WorkspacePath }).strict();
export type ReadArgs = z.infer<typeof ReadArgs>;

export const WriteArgs = z
  .object({ path: WorkspacePath, content: z.string().max(MAX_FILE_CHARS, `the content is longer than ${MAX_FILE_CHARS} characters`) })
  .strict();
export type WriteArgs = z.infer<typeof WriteArgs>;

/** Exact-string replace: `oldText` must occur exactly once unless `replaceAll` is set. */
export const EditArgs = z
  .object({
    path: WorkspacePath,
    oldText: z.string().min(1, "oldText is empty").max(MAX_FILE_CHARS),
    newText: z.string().max(MAX_FILE_CHARS),
    replaceAll: z.boolean().optional(),
  })
  .strict();
export type EditArgs = z.infer<typeof EditArgs>;

export const LsArgs = z.object({ path: WorkspacePath.optional() }).strict();
export type LsArgs = z.infer<typeof LsArgs>;

export const ReadOutput = z
  .object({ tool: z.literal("read"), path: z.string(), content: z.string(), bytes: z.number().int().nonnegative() })
  .strict();
export type ReadOutput = z.infer<typeof ReadOutput>;

export const WriteOutput = z
  .object({ tool: z.literal("write"), path: z.string(), bytes: z.number().int().nonnegative(), created: z.boolean() })
  .strict();
export type WriteOutput = z.infer<typeof WriteOutput>;

export const EditOutput = z
  .object({ tool: z.literal("edit"), path: z.string(), replacements: z.number().int().positive(), bytes: z.number().int().nonnegative() })
  .strict();
export type EditOutput = z.infer<typeof EditOutput>;

export const LsEntry = z
  .object({
    name: z.string(),
    type: z.enum(["file", "dir", "symlink", "other"]),
    bytes: z.number().int().nonnegative().optional(),
  })
  .strict();
export type LsEntry = z.infer<typeof LsEntry>;

export const LsOutput = z
  .object({ tool: z.literal("ls"), path: z.string(), entries: z.array(LsEntry).max(MAX_LS_ENTRIES), truncated: z.boolean() })
  .strict();
export type LsOutput = z.infer<typeof LsOutput>;

export type FileOutput = ReadOutput | WriteOutput | EditOutput | LsOutput;
