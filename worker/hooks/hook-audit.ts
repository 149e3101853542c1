import type { AuditEvent } from "../audit/audit-event.js";
import { recordAudit } from "../audit/record-audit.js";
import type { QuietRefusals } from "../gatekeeper/quiet-refusals.js";

type Detail = AuditEvent["detail"];

/** One hook event for the audit log; the actor is the hook (`hook:<name>`), never a sender's address. */
export function auditHook(env: Env, kind: AuditEvent["kind"], name: string, detail: Detail = {}): Promise<void> {
  return recordAudit(env, { kind, channel: "hook", actor: `hook:${name}`, detail });
}

/**
 * A refusal, through the same cap the Gatekeeper puts on strangers (quiet-refusals.ts): a few
 * lines a minute per hook, then a count, written as one summary line when the window rolls.
 * Anyone who knows a hook's URL can cause these as fast as they like.
 */
export async function auditRefusal(
  env: Env,
  quiet: QuietRefusals,
  name: string,
  detail: Detail,
  now: number,
  wakeAt: (at: number) => Promise<void>,
): Promise<void> {
  const verdict = quiet.admit(`hook:${name}`, "hook.refused", now);
  if (verdict.summary) await writeSummary(env, verdict.summary);
  if (verdict.wakeAt !== null) await wakeAt(verdict.wakeAt);
  if (verdict.write) await auditHook(env, "hook.refused", name, detail);
}

/** The summaries of the windows that rolled by `now` (the alarm calls this). */
export async function flushRefusals(env: Env, quiet: QuietRefusals, now: number): Promise<void> {
  for (const summary of quiet.rolled(now)) await writeSummary(env, summary);
}

function writeSummary(env: Env, summary: { actor: string; kind: AuditEvent["kind"]; more: number; since: number }): Promise<void> {
  const at = new Date(summary.since).toISOString();
  return recordAudit(env, {
    kind: summary.kind,
    channel: "hook",
    actor: summary.actor,
    detail: { more: summary.more, since: at, summary: `${summary.more} more since ${at}` },
  });
}
