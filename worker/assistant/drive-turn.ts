import type { ModelMessage } from "ai";
import { toolArgsJsonSchema, TOOL_SPECS } from "../../shared/assistant/tool-specs.js";
import { allowedTools } from "../../shared/policy/decide-tool.js";
import type { ToolName } from "../../shared/tools/tool-call.js";
import { toolUserOf } from "../policy/tool-decision.js";
import { ModelError } from "./model/model-error.js";
import type { ModelSetting } from "./model/model-setting.js";
import { modelStep, type StepInput } from "./model/model-step.js";
import { currentRole } from "./current-role.js";
import { instructionsFor } from "./instructions.js";
import { takeCall, type ToolHost } from "./turn-tools.js";
import type { TurnState } from "./turn-state.js";

export type TurnHost = ToolHost & {
  model: ModelSetting;
  /** The relay to the home runner's model, for the `home` provider. */
  modelFetch: typeof fetch | undefined;
  history: () => ModelMessage[];
  typing: (state: TurnState) => Promise<void>;
  /** Checks the sender's daily budget before a step, and counts a step's use after it. */
  budget: { left: (state: TurnState) => string | null; spend: (state: TurnState, tokens: number) => void };
  /** The watchdog: if the object dies mid-step, this alarm picks the turn up again. */
  wakeAt: (at: number) => Promise<void>;
};

export type TurnEnd = { text: string; outcome: "answered" | "step_cap" | "deadline" | "budget" | "model_error"; error?: string };

/**
 * Runs a turn as far as it can go now: model steps and the tool calls they make, until the
 * model answers, a cap ends it, or it must wait (for the owner's approval or a runner's result).
 * Returns the end, or null while it waits; every change is saved before the next thing happens.
 */
export async function driveTurn(host: TurnHost, state: TurnState): Promise<TurnEnd | null> {
  const caps = host.settings.access.assistant;
  for (;;) {
    if (state.waitingSince === null && host.now() > state.deadlineAt) {
      return { outcome: "deadline", text: `⏱ I stopped: this request took longer than its ${caps.turnMinutes}-minute limit.` };
    }
    if (state.status === "tools") {
      for (const call of state.calls) if (call.status === "new") await takeCall(host, state, call);
      if (state.calls.some((call) => call.status !== "settled")) return null;
      state.messages.push({
        role: "tool",
        content: state.calls.map((call) => ({
          type: "tool-result" as const,
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          output: { type: "text" as const, value: call.result ?? "" },
        })),
      });
      Object.assign(state, { status: "thinking", calls: [] });
      host.save(state);
    }
    if (state.steps >= caps.maxSteps) {
      return { outcome: "step_cap", text: `🛑 I stopped after ${caps.maxSteps} steps without finishing; ask again, more narrowly.` };
    }
    const over = host.budget.left(state);
    if (over !== null) return { outcome: "budget", text: over };
    await host.wakeAt(host.now() + 120_000);
    let step;
    try {
      // "typing…" goes out while the model works, not before it.
      [step] = await Promise.all([
        modelStep(host.env, host.model, await stepInput(host, state), { fetch: host.modelFetch }),
        host.typing(state),
      ]);
    } catch (error) {
      if (!(error instanceof ModelError)) throw error;
      return { outcome: "model_error", text: `⚠️ ${error.userMessage}`, error: error.kind };
    }
    state.steps += 1;
    state.usage.inputTokens += step.usage.inputTokens;
    state.usage.outputTokens += step.usage.outputTokens;
    host.budget.spend(state, step.usage.inputTokens + step.usage.outputTokens);
    state.messages.push(...step.responseMessages);
    if (step.toolCalls.length === 0) {
      host.save(state);
      return { outcome: "answered", text: step.text.trim() || "(the model gave no answer)" };
    }
    state.calls = step.toolCalls.map((call) => ({
      toolCallId: call.id,
      toolName: call.name,
      input: call.input,
      status: "new" as const,
      decision: null,
      callId: null,
      approvalId: null,
      result: null,
    }));
    state.status = "tools";
    host.save(state);
  }
}

/** The step's input: instructions, history, this turn so far, and only the tools the sender may use now. */
async function stepInput(host: TurnHost, state: TurnState): Promise<StepInput> {
  // The role as it is now: a sender narrowed mid-turn is offered less at the next step.
  const role = await currentRole(host.env, host.settings, state.asker);
  const tools: ToolName[] =
    role === null || role === "blocked"
      ? []
      : allowedTools(host.settings.access.tools, toolUserOf({ role, senderKey: state.asker.senderKey }));
  return {
    system: instructionsFor(state.asker, tools, host.settings.access.assistant.instructions),
    messages: [...host.history(), { role: "user", content: state.text }, ...state.messages],
    tools: tools.map((name) => ({ name, description: TOOL_SPECS[name].description, parameters: toolArgsJsonSchema(name) })),
    timeoutMs: host.settings.access.assistant.modelTimeoutSeconds * 1000,
  };
}
