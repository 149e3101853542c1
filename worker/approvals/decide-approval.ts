import type { ButtonTap } from "../channels/channel-event.js";
import type { GatewayConfig } from "../config.js";
import { sessionStub, telegramAccount } from "../objects/stubs.js";
import { approvalIndex } from "./approval-stubs.js";
import type { Decision } from "./approval.js";
import type { DecideResult } from "./session.js";

/**
 * Decides an approval by id alone (a button, the admin API): the directory names its session,
 * and the session's own row decides. `actor` is `telegram:<owner id>` or `admin`. `account` names the
 * Gatekeeper holding the sender's standing, for the re-check an Allow makes (the Gatekeeper passes its own).
 */
export async function decideApproval(
  env: Env,
  settings: GatewayConfig & { account?: string },
  id: string,
  decision: Decision,
  actor: string,
  button?: ButtonTap,
): Promise<DecideResult> {
  const session = await approvalIndex.sessionOf(env, id);
  if (session === null) return { kind: "unknown", message: `no approval ${id} (unknown, or decided more than a day ago)` };
  const account = settings.account ?? telegramAccount(env);
  const input = button ? { settings, account, id, decision, actor, button } : { settings, account, id, decision, actor };
  return await sessionStub(env, session).decide(input);
}
