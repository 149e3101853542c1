import { modelMessageSchema } from "ai";
import { z } from "zod";
import { Role } from "../../shared/access/roles.js";
import { HookName } from "../../shared/hooks/hook-config.js";
import { Profile } from "../../shared/policy/tool-policy-config.js";
import { ChatTarget } from "../tunnel/outbox.js";

/** Who the turn serves and where it answers; the role is the one the gate gave when the message came in. */
export const TurnAsker = z
  .object({
    senderKey: z.string().min(1).max(128),
    name: z.string().max(100),
    role: Role,
    channel: z.enum(["telegram", "console", "hook", "slack", "discord", "whatsapp"]),
    chatId: z.string().max(64),
    chat: z.enum(["dm", "group"]),
    /** The Gatekeeper (channel account) that knows the sender's standing now. */
    account: z.string().max(128),
    replyTo: ChatTarget,
    /** Set when a signed hook delivery started the turn (worker/hooks/): its name, and the tool profile that narrows the policy. */
    hook: z.object({ name: HookName, tools: Profile }).strict().optional(),
  })
  .strict();
export type TurnAsker = z.infer<typeof TurnAsker>;

/**
 * One tool call of the current step. `new` → decided: refused (settled at once), `asked` (waits
 * for the owner), or `submitted` (waits for the runner) → `settled` with the text the model sees.
 */
export const TurnCall = z
  .object({
    toolCallId: z.string().max(200),
    toolName: z.string().max(200),
    input: z.unknown(),
    status: z.enum(["new", "submitted", "asked", "settled"]),
    decision: z.enum(["allow", "deny", "ask"]).nullable(),
    callId: z.string().max(200).nullable(),
    approvalId: z.string().max(64).nullable(),
    /** What the model is shown as this call's result (already wrapped as untrusted content). */
    result: z.string().nullable(),
  })
  .strict();
export type TurnCall = z.infer<typeof TurnCall>;

/** A turn as stored: everything needed to continue it after a restart, nothing held only in memory. */
export const TurnState = z
  .object({
    id: z.string().max(64),
    session: z.string().max(200),
    asker: TurnAsker,
    /** The sender's message that started the turn. */
    text: z.string(),
    status: z.enum(["thinking", "tools", "done"]),
    startedAt: z.number(),
    /** Moves later by the time spent waiting for the owner, which does not count. */
    deadlineAt: z.number(),
    /** When the turn began waiting for an approval, or null. */
    waitingSince: z.number().nullable(),
    steps: z.number().int().nonnegative(),
    toolBytes: z.number().int().nonnegative(),
    usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }).strict(),
    /** This turn's messages after the sender's: the model's steps and the tool results. */
    messages: z.array(modelMessageSchema),
    calls: z.array(TurnCall),
    /** Lines for the sender about caps that hit, added under the answer. */
    notes: z.array(z.string()),
    /** What each call was decided, for the audit: `ls:allow`, `exec:deny`, … */
    decisions: z.array(z.string()),
    model: z.string().max(200),
  })
  .strict();
export type TurnState = z.infer<typeof TurnState>;
