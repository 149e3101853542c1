import { DECIDE_FAILURE_MESSAGES, type DecideFailure, type PairingRequest } from "../../shared/access/pairing-store.js";
import type { GrantableRole } from "../../shared/access/roles.js";
import { shownLabel } from "../../shared/display/untrusted-label.js";
import type { PairingAction } from "../channels/telegram/owner-prompt.js";
import type { Gate } from "./gate.js";

export type PairingDecision =
  | { ok: true; action: PairingAction; request: PairingRequest; role: GrantableRole; message: string }
  | { ok: false; reason: DecideFailure; message: string };

/**
 * The owner's answer to a pairing request, from a button, the admin API or the CLI. Approval
 * adds exactly the numeric id that asked; it can never add "*".
 */
export async function decidePairing(
  gate: Gate,
  action: PairingAction,
  typed: string,
  actor: string,
  role?: GrantableRole,
): Promise<PairingDecision> {
  const account = gate.settings.account;
  const outcome = action === "approve" ? await gate.pairing.approve(account, typed) : await gate.pairing.deny(account, typed);
  if (!outcome.ok) {
    await gate.audit("pairing.refused", actor, { action, reason: outcome.reason });
    return { ok: false, reason: outcome.reason, message: DECIDE_FAILURE_MESSAGES[outcome.reason] };
  }
  const request = outcome.request;
  // The id first, the name (theirs, unverified) after it, escaped: a name cannot pose as the id.
  const who = `${request.senderId} (“${shownLabel(request.name)}”)`;
  if (action === "approve") {
    const granted = role ?? gate.settings.access.pairing.defaultRole;
    gate.allowed.put(request.senderId, granted, request.name, "pairing", gate.now());
    await gate.audit("pairing.approved", actor, { sender: request.senderId, role: granted });
    await gate.reply(
      gate.client.directAddress?.(request.senderId) ?? request.senderId,
      "✅ The owner approved you. Send /help to see what you can do.",
    );
    return { ok: true, action, request, role: granted, message: `Approved ${who} as ${granted}.` };
  }
  if (action === "block") {
    gate.allowed.put(request.senderId, "blocked", request.name, "pairing", gate.now());
    await gate.audit("pairing.blocked", actor, { sender: request.senderId });
    return { ok: true, action, request, role: "blocked", message: `Blocked ${who}; they get no answer from now on.` };
  }
  await gate.audit("pairing.denied", actor, { sender: request.senderId });
  return { ok: true, action, request, role: "blocked", message: `Denied ${who}.` };
}
