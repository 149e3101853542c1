import { parseToolCall } from "../../shared/assistant/tool-specs.js";
import { routeFor } from "../../shared/sessions/runner-routing.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import type { EdgeSettings } from "../config.js";
import { retryOnce } from "../objects/retry-once.js";
import { gatekeeperStub, sessionStub } from "../objects/stubs.js";
import { EXEC_TIMEOUT_MS } from "../policy/exec-timeout.js";
import { decideToolFor } from "../policy/tool-decision.js";
import { newCallId, submitCall } from "../tunnel/submit-call.js";
import { currentRole } from "./current-role.js";
import { outcomeText, resultBlock, sourceOf } from "./tool-result-text.js";
import type { TurnCall, TurnState } from "./turn-state.js";

export type ToolHost = {
  env: Env;
  settings: EdgeSettings;
  now: () => number;
  /** Persists the turn: called before anything leaves the object, so a restart never repeats a call under a new id. */
  save: (state: TurnState) => void;
  /** A short notice to the sender while the turn runs (queued, waiting for approval). */
  notify: (state: TurnState, text: string) => Promise<void>;
};

/**
 * Takes one call the model made down the path a `/run` takes: the tool's schema, the sender's
 * role as it is now, the tool policy, then an approval or the runner. Anything refused never
 * reaches the tunnel; the refusal and its reason become the call's result for the model.
 */
export async function takeCall(host: ToolHost, state: TurnState, call: TurnCall): Promise<void> {
  const parsed = parseToolCall(call.toolName, call.input);
  if (!parsed.ok) return settle(host, state, call, `refused: ${parsed.reason}`, null, "deny");
  const role = await currentRole(host.env, host.settings, state.asker);
  if (role === null || role === "blocked") {
    return settle(
      host,
      state,
      call,
      "refused: you are no longer allowed to use this assistant's tools; nothing ran.",
      parsed.request,
      "deny",
    );
  }
  const decision = decideToolFor(host.settings, { role, senderKey: state.asker.senderKey }, parsed.request);
  if (decision.kind === "deny")
    return settle(host, state, call, `refused by the tool policy: ${decision.reason} Nothing ran.`, parsed.request, "deny");

  // Ask and allow spend from the sender's tool bucket, per call, as a /run does; a refusal spends nothing.
  const waitMs = await retryOnce(
    async () => await gatekeeperStub(host.env, state.asker.account).spendToolCall(host.settings, state.asker.senderKey, role),
  );
  if (waitMs !== null) {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return settle(
      host,
      state,
      call,
      `refused: too many tool calls — the sender's limit; try again in ${seconds} s. Nothing ran.`,
      parsed.request,
      "deny",
    );
  }
  const { config, session } = { config: host.settings, session: state.session };
  const route = routeFor(config.access.runners, config.defaultRunner, session, decision.request.tool);
  const runner = route.runner;
  call.callId = newCallId(runner);
  const label = `assistant: ${sourceOf(decision.request, call.toolName)}`.slice(0, 300);
  const replyTo = { channel: "assistant", session, origin: state.asker.replyTo } as const;
  if (decision.kind === "ask" && state.asker.hook) {
    // No person waits behind a hook's turn, and the owner's Allow re-checks a sender a hook is not.
    return settle(host, state, call, "refused: a hook's turn cannot wait for the owner's approval; nothing ran.", decision.request, "deny");
  }
  if (decision.kind === "ask") {
    const asked = await sessionStub(host.env, session).ask({
      settings: config,
      session,
      request: decision.request,
      label,
      reason: decision.reason,
      asker: { senderKey: state.asker.senderKey, name: state.asker.name, role, replyTo },
      ttlMs: config.access.tools.approvalTtlMinutes * 60_000,
      callId: call.callId,
    });
    if (asked.kind === "full") {
      return settle(
        host,
        state,
        call,
        `refused: too many requests already wait for the owner's approval (${asked.cap}); nothing ran.`,
        decision.request,
        "ask",
      );
    }
    Object.assign(call, { status: "asked", decision: "ask", approvalId: asked.id });
    state.waitingSince ??= host.now();
    host.save(state);
    const minutes = Math.max(1, Math.round((asked.expiresAt - host.now()) / 60_000));
    await host.notify(
      state,
      `🔐 Waiting for the owner's approval to run ${label.replace(/^assistant: /, "")}: ${decision.reason} (expires in ${minutes} min).`,
    );
    return;
  }
  Object.assign(call, { status: "submitted", decision: "allow" });
  host.save(state); // the call id is on disk before the call leaves: a retry after a crash finds it, never adds a second
  const answer = await submitCall(host.env, {
    callId: call.callId,
    ...route,
    session,
    request: decision.request,
    timeoutMs: EXEC_TIMEOUT_MS,
    replyTo,
    label,
  });
  if (answer.status === "done") return settleOutcome(host, state, call, answer.outcome);
  if (answer.status === "queued") await host.notify(state, answer.notice);
}

/** A call's outcome arrived (inline, by late delivery, or after an approval). */
export function settleOutcome(
  host: Pick<ToolHost, "settings" | "save" | "now">,
  state: TurnState,
  call: TurnCall,
  outcome: ToolOutcome,
): void {
  const parsed = parseToolCall(call.toolName, call.input);
  settle(host, state, call, outcomeText(outcome), parsed.ok ? parsed.request : null, call.decision ?? "allow");
}

export function settle(
  host: Pick<ToolHost, "settings" | "save" | "now">,
  state: TurnState,
  call: TurnCall,
  text: string,
  request: Parameters<typeof sourceOf>[0],
  decision: "allow" | "deny" | "ask",
): void {
  const { toolResultBytes, turnToolBytes } = host.settings.access.assistant;
  const block = resultBlock(text, sourceOf(request, call.toolName), { perResult: toolResultBytes, left: turnToolBytes - state.toolBytes });
  if (block.clipped && !state.notes.some((note) => note.startsWith("✂️"))) {
    state.notes.push("✂️ Some tool output was clipped before the model saw it.");
  }
  Object.assign(call, { status: "settled", decision, result: block.text });
  state.toolBytes += block.bytes;
  state.decisions.push(`${call.toolName.slice(0, 40)}:${decision}`);
  if (state.waitingSince !== null && !state.calls.some((other) => other.status === "asked")) {
    state.deadlineAt += host.now() - state.waitingSince; // time spent waiting for the owner does not count
    state.waitingSince = null;
  }
  host.save(state);
}
