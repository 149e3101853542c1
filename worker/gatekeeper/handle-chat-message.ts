import { decideAccess } from "../../shared/access/decide-access.js";
import type { RateRule } from "../../shared/access/gcra.js";
import type { ChatMessage } from "../channels/channel-event.js";
import { handleMessage } from "../conversation/handle-message.js";
import { planMessage } from "../conversation/message-plan.js";
import { answerChallenge, challengeGreeting } from "./answer-challenge.js";
import { senderRule } from "./sender-limits.js";
import { accountOwnerId, actorOf, type Gate } from "./gate.js";

/**
 * One chat message through the identity gate: drop, pair or serve. Strangers who are dropped
 * get nothing at all; limits are per channel, then per sender and action.
 * `beforeToolCall` marks the inbox entry, so a crash mid-call is never re-run.
 */
export async function handleChatMessage(gate: Gate, event: ChatMessage, beforeToolCall: () => void): Promise<void> {
  const { access } = gate.settings;
  const actor = actorOf(gate, event.senderId);
  const decision = decideAccess(
    { chat: event.chat, chatId: event.chatId, senderId: event.senderId, text: event.text, mentioned: event.mentioned === true },
    accountOwnerId(gate.settings),
    access,
    gate.allowed.roleOf(event.senderId),
  );
  if (decision.kind === "drop") {
    // Group chatter that does not mention the bot is not a security event.
    if (decision.reason !== "no_mention") await gate.audit("access.denied", actor, { reason: decision.reason, chat: event.chat });
    return;
  }
  if (decision.kind === "pair") {
    // Strangers share one bucket of their own, checked before anything is stored or sent; past it
    // they hear nothing (a flood must not cost us replies). They never touch the served senders' buckets.
    if (!(await withinLimit(gate, event, "strangers", "messages from strangers", access.rateLimits.strangers, { silent: true }))) return;
    return pair(gate, event);
  }
  // The channel ceiling protects the runner and the model; the owner's control of their bot is never behind it.
  if (decision.role !== "owner" && !(await withinLimit(gate, event, "channel", "messages on this channel", access.rateLimits.channel)))
    return;

  if (!(await withinLimit(gate, event, `message:${event.senderId}`, "messages", senderRule(access.rateLimits, decision.role, "message"))))
    return;
  // Parsed and decided once: the handler acts on this same plan. A refusal is audited and spends
  // no tool budget; ask and allow do.
  const plan = planMessage(gate.settings, { role: decision.role, senderKey: actor, text: decision.text });
  if (plan.kind === "tool") {
    const verdict = plan.decision;
    if (verdict.kind === "deny") {
      await gate.audit("permission.denied", actor, { tool: plan.tool, role: decision.role, reason: verdict.reason.slice(0, 300) });
    } else {
      if (!(await withinLimit(gate, event, `tool:${event.senderId}`, "tool calls", senderRule(access.rateLimits, decision.role, "tool"))))
        return;
      beforeToolCall();
    }
  }
  const reply = await handleMessage(
    gate.env,
    gate.settings,
    {
      channel: gate.channel,
      senderKey: actor,
      name: event.name,
      chatId: event.chatId,
      chat: event.chat === "private" ? "dm" : "group",
      text: decision.text,
      role: decision.role,
      account: gate.settings.account,
    },
    plan,
  );
  if (reply) await gate.reply(event.replyTo ?? event.chatId, reply);
  // An interaction waits for an answer of its own (Discord shows "thinking…" until one comes): a
  // turn that answers later in the chat says so there, instead of leaving it to time out.
  else if (event.replyTo !== undefined && decision.role !== "blocked")
    await gate.reply(event.replyTo, "💭 On it — the answer follows in this chat.");
}

/** An unknown sender in a DM under dmPolicy "pairing" (pairing.mode "approve" or "challenge"). */
async function pair(gate: Gate, event: ChatMessage): Promise<void> {
  const { account, access } = gate.settings;
  const actor = actorOf(gate, event.senderId);
  const live = gate.pairing.live(account);
  const withinPairingLimit = () => withinLimit(gate, event, `pairing:${event.senderId}`, "pairing attempts", access.rateLimits.pairing);
  // A repeat neither re-sends nor extends; a full account answers nothing and stores nothing.
  if (live.some((request) => request.senderId === event.senderId)) {
    if (access.pairing.mode === "challenge") await answerChallenge(gate, event, withinPairingLimit);
    return;
  }
  if (live.length >= access.pairing.maxPending) {
    await gate.audit("pairing.cap_full", actor, { pending: live.length });
    return;
  }
  if (!(await withinPairingLimit())) return;
  const outcome = gate.pairing.request(account, event.senderId, event.name, access.pairing.mode);
  if (outcome.kind !== "created") return;
  const { request } = outcome;
  const minutes = access.pairing.codeTtlMinutes;
  await gate.audit("pairing.requested", actor, { name: request.name });
  await gate.reply(
    event.replyTo ?? event.chatId,
    access.pairing.mode === "challenge"
      ? challengeGreeting(minutes)
      : `🔐 This assistant is private. Your pairing code is ${request.code} (valid ${minutes} minutes). The owner has been asked to approve you; you will hear back here.`,
  );
  const ownerId = accountOwnerId(gate.settings);
  if (ownerId) await gate.client.sendPairingPrompt(ownerId, request, minutes, access.pairing.mode);
}

/** Takes from a bucket; the first refusal is answered (unless `silent`), later ones are silent; all are audited. */
async function withinLimit(
  gate: Gate,
  event: ChatMessage,
  key: string,
  action: string,
  rule: RateRule,
  options: { silent?: boolean } = {},
): Promise<boolean> {
  if (gate.retry) return true;
  const verdict = gate.limits.take(key, rule, gate.now());
  if (verdict.allowed) return true;
  const answered = verdict.answer && !options.silent;
  await gate.audit("rate.limited", actorOf(gate, event.senderId), { action, answered });
  if (answered) {
    const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    await gate.reply(
      event.replyTo ?? event.chatId,
      `⏳ Too many ${action} — slow down. Try again in ${seconds} s; until then further messages are ignored.`,
    );
  }
  return false;
}
