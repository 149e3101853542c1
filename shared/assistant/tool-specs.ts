import { z } from "zod";
import { matchToolName } from "../policy/tool-names.js";
import { ExecArgs } from "../tools/exec.js";
import { EditArgs, LsArgs, MAX_FILE_CHARS, MAX_LS_ENTRIES, ReadArgs, WriteArgs } from "../tools/files.js";
import { ToolRequest, type ToolName } from "../tools/tool-call.js";

export type ToolSpec = { description: string; args: z.ZodType };

const PATHS =
  "Paths are relative to the workspace (notes/todo.md) or start with /workspace/; absolute paths elsewhere and `..` are refused.";

/**
 * What the model is told about each tool. The arguments are the very schemas the tunnel checks,
 * so what the model is shown is what the runner accepts. `edit` takes `oldText`/`newText`
 * (the runner's protocol), not the `old`/`new` an earlier sketch named.
 */
export const TOOL_SPECS: Record<ToolName, ToolSpec> = {
  exec: {
    description:
      "Run one shell command (/bin/sh -c, busybox tools) in the user's sandbox: a container with no network, " +
      "a read-only root filesystem, a small /tmp, no root rights, and the workspace at /workspace as the working " +
      "directory (it may be read-only). The command has a time limit and its output is capped; the result gives " +
      "the exit code, stdout and stderr. Set `elevated` only when asked to run on the home machine itself; " +
      "it is refused unless the owner enabled it.",
    args: ExecArgs,
  },
  read: {
    description: `Read a text file from the workspace (up to ${MAX_FILE_CHARS} characters). ${PATHS}`,
    args: ReadArgs,
  },
  write: {
    description: `Create or overwrite a file in the workspace with \`content\` (up to ${MAX_FILE_CHARS} characters). ${PATHS}`,
    args: WriteArgs,
  },
  edit: {
    description:
      "Edit a file in the workspace by exact string replacement: `oldText` must occur exactly once in the file " +
      `(unless \`replaceAll\` is true) and is replaced by \`newText\`. ${PATHS}`,
    args: EditArgs,
  },
  ls: {
    description: `List a directory of the workspace (the workspace root when \`path\` is left out), up to ${MAX_LS_ENTRIES} entries. ${PATHS}`,
    args: LsArgs,
  },
};

/** The JSON Schema of a tool's arguments, as a plain object schema for a provider's tool list. */
export function toolArgsJsonSchema(tool: ToolName): Record<string, unknown> {
  const schema: Record<string, unknown> = { ...z.toJSONSchema(TOOL_SPECS[tool].args, { io: "input" }) };
  // The dialect line is noise to a provider's tool list.
  delete schema.$schema;
  // Providers differ on a missing `required`; say "none" outright (ls).
  return { ...schema, required: schema.required ?? [] };
}

const MAX_REASON_CHARS = 600;

function clipReason(reason: string): string {
  return reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      // The request wraps the arguments; the model wrote only what is below `args`.
      const path = issue.path.slice(issue.path[0] === "args" ? 1 : 0).map(String);
      return path.length > 0 ? `${path.join(".")}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

/**
 * The tool request a model's call stands for, or a reason the model can pass on. Names match
 * as the policy matches them (case-insensitive; disguised names such as full-width "ｅｘｅｃ"
 * match nothing); arguments must pass the tool's own schema, unknown keys included.
 */
export function parseToolCall(name: string, input: unknown): { ok: true; request: ToolRequest } | { ok: false; reason: string } {
  const tool = matchToolName(name);
  if (tool === null)
    return { ok: false, reason: clipReason(`unknown tool ${JSON.stringify(name)}: use only the tools offered, by their exact names`) };
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return { ok: false, reason: `the arguments of ${tool} must be a JSON object` };
  const parsed = ToolRequest.safeParse({ tool, args: input });
  if (!parsed.success) return { ok: false, reason: clipReason(`the arguments of ${tool} are invalid: ${describeIssues(parsed.error)}`) };
  return { ok: true, request: parsed.data };
}
