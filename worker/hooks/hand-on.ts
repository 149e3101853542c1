import type { GatewayConfig } from "../config.js";
import { assistantStub, gatekeeperStub } from "../objects/stubs.js";
import { splitReply } from "../replies/split-reply.js";
import { auditHook } from "./hook-audit.js";
import type { StoredDelivery } from "./hook-deliveries.js";
import { hookReplyTo, hookSession, hookTurnRequest, notifySummary } from "./hook-turn.js";

/**
 * Hands one stored delivery on: `turn` starts (or queues) an assistant turn in the hook's own
 * session, whose answer reaches the chat through the Assistant; `notify`, or a turn with no model
 * configured, sends the short summary itself. Throws when the next object could not take it (the
 * inbox keeps it and tries again).
 */
export async function handOn(env: Env, config: GatewayConfig, delivery: StoredDelivery): Promise<void> {
  const { plan, event, body } = delivery;
  if (plan.hook.action === "notify" || config.model === null) {
    const note = plan.hook.action === "turn" ? "\n(No model is configured, so this is only the summary.)" : "";
    await sayToChat(env, config, delivery, notifySummary(plan, event, body) + note);
    return;
  }
  if (plan.hook.tools !== "minimal") {
    // Widening a hook's tools is the owner's explicit choice; every turn it applies to is on record.
    await auditHook(env, "hook.tools_widened", plan.name, {
      tools: plan.hook.tools,
      session: hookSession(plan.name),
      delivery: delivery.id,
    });
  }
  await assistantStub(env, hookSession(plan.name)).begin(config, hookTurnRequest(config, plan, event, body), false);
}

async function sayToChat(env: Env, config: GatewayConfig, delivery: StoredDelivery, text: string): Promise<void> {
  const target = hookReplyTo(config, delivery.plan);
  if (target.channel !== "telegram") {
    console.log(JSON.stringify({ event: "hook.notify_console", hook: delivery.plan.name, text: text.slice(0, 300) }));
    return;
  }
  const gatekeeper = gatekeeperStub(env, delivery.plan.account);
  const settings = { ...config, account: delivery.plan.account };
  for (const part of splitReply(text)) await gatekeeper.deliverReply(settings, target.chatId, part);
}
