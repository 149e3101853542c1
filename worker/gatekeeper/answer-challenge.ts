import { readPairingCode } from "../../shared/access/pairing-code.js";
import { shownLabel } from "../../shared/display/untrusted-label.js";
import type { ChatMessage } from "../channels/channel-event.js";
import { accountOwnerId, actorOf, type Gate } from "./gate.js";

/** What a stranger is told in challenge mode: never the code itself — the owner has it. */
export function challengeGreeting(minutes: number): string {
  return `🔐 This assistant is private. If you know its owner, ask them for your pairing code and send it here (valid ${minutes} minutes).`;
}

/**
 * pairing.mode "challenge": a DM from a sender whose request is live may be the code the owner
 * gave them. Text that cannot be a code is ignored (repeats send nothing, as in approve mode);
 * a code-shaped text is an attempt: rate-limited (pairing action), audited, and either pairs the
 * sender, is answered with the attempts left, or — at the cap — blocks them and tells the owner.
 * A blocked sender is sent nothing, not even on the attempt that blocked them.
 */
export async function answerChallenge(gate: Gate, event: ChatMessage, withinPairingLimit: () => Promise<boolean>): Promise<void> {
  const { account, access } = gate.settings;
  const actor = actorOf(gate, event.senderId);
  const shape = readPairingCode(event.text);
  if (!shape.ok && shape.reason === "malformed") return;
  if (!(await withinPairingLimit())) return;
  const outcome = await gate.pairing.attempt(account, event.senderId, event.text);
  if (outcome.kind === "no_request" || outcome.kind === "not_a_code") return;
  const { request } = outcome;
  const who = `${request.senderId} (“${shownLabel(request.name)}”)`;
  const ownerId = accountOwnerId(gate.settings);

  if (outcome.kind === "paired") {
    const role = access.pairing.defaultRole;
    gate.allowed.put(request.senderId, role, request.name, "pairing", gate.now());
    await gate.audit("pairing.approved", actor, { sender: request.senderId, role, via: "challenge" });
    await gate.reply(event.replyTo ?? event.chatId, "✅ That is the code — you are paired. Send /help to see what you can do.");
    if (ownerId) await gate.reply(ownerId, `✅ ${who} typed the pairing code and is paired as ${role}.`);
    return;
  }

  const { attempts, lowerCase } = outcome;
  const left = outcome.kind === "wrong" ? outcome.left : 0;
  await gate.audit("pairing.challenge_failed", actor, { attempts, left, lowerCase });
  if (outcome.kind === "wrong") {
    const hint = lowerCase ? " Codes are upper-case letters and digits (like ABCD2345); type it exactly as shown." : "";
    await gate.reply(
      event.replyTo ?? event.chatId,
      `❌ That is not your pairing code.${hint} ${left} ${left === 1 ? "attempt" : "attempts"} left.`,
    );
    return;
  }
  gate.allowed.put(request.senderId, "blocked", request.name, "pairing", gate.now());
  await gate.audit("pairing.challenge_blocked", actor, { sender: request.senderId, attempts });
  if (ownerId) {
    await gate.reply(
      ownerId,
      `🚫 ${who} typed a wrong pairing code ${attempts} times and is now blocked; they get no answer from now on. ` +
        `To let them in anyway: drawbridge allow role ${request.senderId} ${access.pairing.defaultRole}`,
    );
  }
}
