import type { Api } from "grammy";
import type { ButtonTap } from "../channels/channel-event.js";
import type { EdgeSettings } from "../config.js";
import { auditApproval, publish, tellSender } from "./approval-effects.js";
import type { Approval } from "./approval.js";
import { answerTap, showOutcomeToOwner } from "./owner-prompt.js";
import type { Recheck } from "./recheck.js";

/** How a decision that won ended: allowed (handed over next), denied by the owner, or refused by the re-check. */
export type Ending = { kind: "allowed" } | { kind: "denied" } | { kind: "refused"; check: Extract<Recheck, { ok: false }> };

/**
 * Makes a decision known: the owner's tap is answered, the decision audited, the directory and
 * the owner's prompt updated, and a denied or refused sender told that nothing ran — except one
 * now blocked or no longer let in, who gets nothing back, as for any message of theirs.
 * Returns the owner's message (the API's and the CLI's answer).
 */
export async function announceDecision(
  env: Env,
  api: Api,
  settings: EdgeSettings,
  approval: Approval,
  actor: string,
  ending: Ending,
  button?: ButtonTap,
): Promise<string> {
  const message =
    ending.kind === "allowed"
      ? `Allowed once: ${approval.label}`
      : ending.kind === "denied"
        ? `Denied ${approval.label}; nothing ran.`
        : `Not run: ${approval.note ?? "the sender's standing changed"}`;
  if (button) {
    const tapAnswer =
      ending.kind === "allowed" ? "Allowed once — running it now." : ending.kind === "denied" ? "Denied — nothing runs." : message;
    await answerTap(env, settings, settings.account, button, tapAnswer, ending.kind === "refused");
  }
  const refusal: Record<string, string | null> =
    ending.kind === "refused" ? { why: ending.check.why.slice(0, 300), roleNow: ending.check.role } : {};
  await auditApproval(env, ending.kind === "refused" ? "approval.refused" : "approval.decided", actor, approval, {
    decision: ending.kind === "denied" ? "deny" : "allow-once",
    ...refusal,
  });
  await publish(env, approval);
  await showOutcomeToOwner(env, settings, approval);
  if (ending.kind === "denied") await tellSender(env, api, approval, `❌ The owner denied ${approval.label}; nothing ran.`);
  if (ending.kind === "refused" && ending.check.tellSender) {
    await tellSender(env, api, approval, `⛔ ${approval.label} did not run: your permissions changed since you asked.`);
  }
  return message;
}
