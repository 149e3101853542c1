import { z } from "zod";
import { WireError } from "../wire-error.js";
import { ExecArgs, ExecOutput } from "./exec.js";

/** One tool request, discriminated by tool name. New tools join this union. */
export const ToolRequest = z.discriminatedUnion("tool", [z.object({ tool: z.literal("exec"), args: ExecArgs }).strict()]);
export type ToolRequest = z.infer<typeof ToolRequest>;

export const ToolOutcome = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), output: ExecOutput }).strict(),
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
