import { z } from "zod";
import { WireError } from "../wire-error.js";
import { ExecArgs, ExecOutput } from "./exec.js";
import { EditArgs, EditOutput, LsArgs, LsOutput, ReadArgs, ReadOutput, WriteArgs, WriteOutput } from "./files.js";

/** One tool request, discriminated by tool name. New tools join this union. */
export const ToolRequest = z.discriminatedUnion("tool", [
  z.object({ tool: z.literal("exec"), args: ExecArgs }).strict(),
  z.object({ tool: z.literal("read"), args: ReadArgs }).strict(),
  z.object({ tool: z.literal("write"), args: WriteArgs }).strict(),
  z.object({ tool: z.literal("edit"), args: EditArgs }).strict(),
  z.object({ tool: z.literal("ls"), args: LsArgs }).strict(),
]);
export type ToolRequest = z.infer<typeof ToolRequest>;
export type ToolName = ToolRequest["tool"];
export const TOOL_NAMES = ["exec", "read", "write", "edit", "ls"] as const satisfies readonly ToolName[];

/** What a tool produced: an exec's streams, or a file tool's result (which names its tool). */
export const ToolOutput = z.union([ExecOutput, ReadOutput, WriteOutput, EditOutput, LsOutput]);
export type ToolOutput = z.infer<typeof ToolOutput>;

export const ToolOutcome = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), output: ToolOutput }).strict(),
  z.object({ ok: z.literal(false), error: WireError }).strict(),
]);
export type ToolOutcome = z.infer<typeof ToolOutcome>;

/**
 * The session a call belongs to decides which sandbox serves it on the runner.
 * Restricted to a safe alphabet because it ends up in container names and labels.
 */
export const SessionKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-z0-9:._-]+$/, "session keys use a-z, 0-9 and : . _ -");
export type SessionKey = z.infer<typeof SessionKey>;
