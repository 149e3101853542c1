import { botApi } from "../channels/telegram/bot-api.js";
import type { GatewayConfig } from "../config.js";
import { auditApproval, publish, tellSender } from "./approval-effects.js";
import type { ApprovalRows } from "./approval-rows.js";
import { showOutcomeToOwner } from "./owner-prompt.js";

/** Expiry means deny: each one is settled once, audited, and the sender and the owner are told. */
export async function expireDue(env: Env, rows: ApprovalRows, settings: GatewayConfig | null, now: number): Promise<void> {
  for (const due of rows.due(now)) {
    if (!rows.settle(due.id, "expired", null, now)) continue;
    const approval = rows.find(due.id) ?? due;
    await auditApproval(env, "approval.expired", approval.asker.senderKey, approval);
    await publish(env, approval);
    if (!settings) continue;
    const api = botApi(env, settings);
    await showOutcomeToOwner(env, settings, approval);
    await tellSender(env, api, approval, `⌛ ${approval.label} was not approved in time; nothing ran.`);
  }
}
