import type { Api } from "grammy";
import { shownLabel, shownText } from "../../../shared/display/untrusted-label.js";
import type { ToolRequest } from "../../../shared/tools/tool-call.js";
import type { Approval, Decision } from "../../approvals/approval.js";

export type ApprovalButton = { id: string; decision: Decision };

/** Callback data is `ap:<24 hex>:allow|deny` (at most 30 bytes; Telegram allows 64). */
export function parseApprovalButton(data: string): ApprovalButton | null {
  const match = /^ap:([0-9a-f]{24}):(allow|deny)$/.exec(data);
  return match?.[1] && match[2] ? { id: match[1], decision: match[2] as Decision } : null;
}

/** Does the data look like an approval button at all (even a malformed one)? */
export function isApprovalButton(data: string): boolean {
  return data.startsWith("ap:");
}

/** The owner's prompt: what would run, for whom, why, until when; two buttons. Returns the message id. */
export async function sendApprovalPrompt(api: Api, ownerChatId: string, approval: Approval, now: number): Promise<number | null> {
  try {
    const sent = await api.sendMessage(ownerChatId, `🔐 Approval needed\n${describe(approval)}\n${expiryLine(approval, now)}`, {
      link_preview_options: { is_disabled: true },
      reply_markup: {
        inline_keyboard: [
          [
            { text: "✅ Allow once", callback_data: `ap:${approval.id}:allow` },
            { text: "❌ Deny", callback_data: `ap:${approval.id}:deny` },
          ],
        ],
      },
    });
    return sent.message_id;
  } catch (error) {
    console.error(JSON.stringify({ event: "telegram.approval_prompt_failed", id: approval.id, error: String(error) }));
    return null;
  }
}

/** The prompt after the decision: the outcome on top, the buttons gone. */
export function outcomeText(approval: Approval): string {
  const by = approval.decidedBy === null ? "" : ` by ${approval.decidedBy === "admin" ? "the admin API" : approval.decidedBy}`;
  const head =
    approval.state === "denied" && approval.note !== null
      ? `🚫 Allowed${by}, but not run: ${approval.note}`
      : approval.state === "allowed"
        ? `✅ Allowed once${by}`
        : approval.state === "denied"
          ? `❌ Denied${by} — nothing ran`
          : approval.state === "expired"
            ? "⌛ Expired without a decision — nothing ran"
            : "🔐 Approval needed";
  return `${head}\n${describe(approval)}`;
}

function describe(approval: Approval): string {
  const who = `${approval.asker.senderKey}${approval.asker.name ? ` (${shownLabel(approval.asker.name, 100)})` : ""}, role ${approval.asker.role}`;
  return [`For: ${who}`, ...whatRuns(approval.request), `Why: ${visible(approval.reason, 300)}`, `Id: ${approval.id}`].join("\n");
}

function whatRuns(request: ToolRequest): string[] {
  switch (request.tool) {
    case "exec":
      return [
        `Tool: exec${request.args.elevated ? " (ELEVATED: on the home box, not in the sandbox)" : ""}`,
        `Command: ${visible(request.args.command, 1500)}`,
      ];
    case "write":
      return ["Tool: write", `Path: ${visible(request.args.path, 300)}`, `Content: ${request.args.content.length} characters`];
    case "edit":
      return ["Tool: edit", `Path: ${visible(request.args.path, 300)}`, `Replaces ${request.args.oldText.length} characters`];
    case "read":
      return ["Tool: read", `Path: ${visible(request.args.path, 300)}`];
    case "ls":
      return ["Tool: ls", `Path: ${visible(request.args.path ?? ".", 300)}`];
  }
}

function expiryLine(approval: Approval, now: number): string {
  const minutes = Math.max(1, Math.round((approval.expiresAt - now) / 60_000));
  const at = new Date(approval.expiresAt).toISOString().slice(11, 16);
  return `Expires in ${minutes} min (${at} UTC); no answer means deny.`;
}

/**
 * Characters that hide or reorder what is shown (control, zero-width, bidi overrides, odd spaces)
 * are written out as \u…, so the owner approves what will actually run. Plain text (no parse
 * mode), so only invisibles need escaping; newlines stay visible as ⏎.
 */
export function visible(text: string, max: number): string {
  return shownText(text, max, "deny if unsure");
}
