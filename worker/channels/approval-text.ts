import { shownLabel, shownText } from "../../shared/display/untrusted-label.js";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import type { Approval } from "../approvals/approval.js";

/**
 * What an owner's approval prompt says on every channel: what would run and for whom (the
 * sender's own name through shownLabel, every command and path through visible), why, until
 * when. Each channel lays it out with its own buttons (telegram/, slack/approval-prompt.ts).
 */
export function approvalPromptText(approval: Approval, now: number): string {
  return `🔐 Approval needed\n${describe(approval)}\n${expiryLine(approval, now)}`;
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
