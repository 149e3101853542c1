import { recordAudit } from "../audit/record-audit.js";
import type { TurnEnd } from "./drive-turn.js";
import type { TurnState } from "./turn-state.js";

/** One audit line per turn; the prompt and the answer clipped (the audit log redacts secrets on the way in). */
export function auditTurn(env: Env, state: TurnState, end: TurnEnd): Promise<void> {
  const kind =
    end.outcome === "model_error" ? "assistant.model_failed" : end.outcome === "budget" ? "assistant.budget_exhausted" : "assistant.turn";
  return recordAudit(env, {
    kind,
    channel: state.asker.channel,
    actor: state.asker.senderKey,
    detail: {
      session: state.session,
      role: state.asker.role,
      model: state.model,
      steps: state.steps,
      calls: state.decisions.join(" ").slice(0, 400),
      inputTokens: state.usage.inputTokens,
      outputTokens: state.usage.outputTokens,
      outcome: end.outcome,
      error: end.error ?? null,
      prompt: state.text.slice(0, 200),
      answer: end.text.slice(0, 200),
    },
  });
}
