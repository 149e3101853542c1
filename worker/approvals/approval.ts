import { z } from "zod";
import { Role } from "../../shared/access/roles.js";
import type { ChannelName } from "../../shared/identity.js";
import type { ApprovalState, ApprovalView } from "../../shared/admin-api.js";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import { ReplyTarget } from "../tunnel/outbox.js";

/** 96 random bits as hex: unguessable, and short enough for `ap:<id>:allow` in 64 bytes of callback data. */
export const ApprovalId = z.string().regex(/^[0-9a-f]{24}$/, "approval ids are 24 hex characters");
export type ApprovalId = z.infer<typeof ApprovalId>;

export function newApprovalId(): ApprovalId {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Who asked, and where their answer goes. */
export const Asker = z
  .object({
    senderKey: z.string().min(1).max(128),
    name: z.string().max(100),
    role: Role,
    replyTo: ReplyTarget,
  })
  .strict();
export type Asker = z.infer<typeof Asker>;

/**
 * Where an owner's approval prompt landed: the channel, the chat, and the platform's own name for
 * the message as text (Telegram's numeric message_id, Slack's `ts` "1700000000.000100").
 */
export type OwnerPrompt = { channel: ChannelName; chatId: string; messageId: string };

/** One tool call waiting for the owner (or decided by them), as the session stores it. */
export type Approval = {
  id: ApprovalId;
  session: string;
  request: ToolRequest;
  /** What the sender typed, e.g. "/run ls". */
  label: string;
  /** Why the policy asks. */
  reason: string;
  asker: Asker;
  createdAt: number;
  expiresAt: number;
  state: ApprovalState;
  /** `telegram:<owner id>` or `admin` (the admin API); null while pending or when it expired. */
  decidedBy: string | null;
  decidedAt: number | null;
  /** The owner's prompt, on whichever channel it went to, edited to show the outcome. */
  prompt: OwnerPrompt | null;
  /** Why an Allow ran nothing (the sender's standing changed since the ask); null otherwise. */
  note: string | null;
  /** Chosen when allowed, so every hand-over attempt submits the same call and the runner runs it once. */
  callId: string | null;
  /** The call reached the runner's outbox (or the hand-over gave up); until then the alarm retries it. */
  handedOver: boolean;
  /** Failed hand-overs so far (each retry waits twice as long). */
  attempts: number;
};

// What the admin API lists lives in shared/, where the CLI reads it with the same schema.
export { ApprovalState, ApprovalView } from "../../shared/admin-api.js";

export function viewOf(approval: Approval): ApprovalView {
  return {
    id: approval.id,
    session: approval.session,
    state: approval.state,
    tool: approval.request.tool,
    label: approval.label,
    reason: approval.reason,
    sender: approval.asker.senderKey,
    senderName: approval.asker.name,
    role: approval.asker.role,
    createdAt: new Date(approval.createdAt).toISOString(),
    expiresAt: new Date(approval.expiresAt).toISOString(),
    decidedBy: approval.decidedBy,
    decidedAt: approval.decidedAt === null ? null : new Date(approval.decidedAt).toISOString(),
    note: approval.note,
  };
}

/** "allow-once" is DESIGN.md's spelling; "allow" is accepted as the same single-use grant. */
export const Decision = z.enum(["allow", "deny"]);
export type Decision = z.infer<typeof Decision>;
