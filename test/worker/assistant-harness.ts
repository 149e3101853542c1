import { env, runInDurableObject } from "cloudflare:test";
import { inject } from "vitest";
import { ModelStandInControl, type RecordedModelRequest } from "../support/model-standin-control.js";
import { gateWithRunner, type ScriptedRunner } from "./approval-harness.js";
import type { GateHarness } from "./gate-harness.js";
import { newBotId, newUserId } from "./test-ids.js";

export const standIn = new ModelStandInControl(inject("modelStandInRoot"));

/**
 * A gate with a scripted runner and a model of its own at the stand-in: the model name is the
 * stand-in's conversation key, so no other test file's script can answer this one.
 */
export async function assistantGate(
  access: Record<string, unknown> = {},
  format: "openai" | "anthropic" = "openai",
): Promise<{ gate: GateHarness; runner: ScriptedRunner; model: string; owner: number }> {
  const owner = newUserId();
  const model = `conv-${format}-${newUserId()}`;
  const { gate, runner } = await gateWithRunner(newBotId(), owner, { sessions: { dmScope: "per-channel-peer" }, ...access });
  Object.assign(gate.env, { DRAWBRIDGE_MODEL: `${format}:${model}`, DRAWBRIDGE_MODEL_BASE_URL: standIn.baseUrl });
  return { gate, runner, model, owner };
}

/** The session a Telegram DM belongs to under dmScope "per-channel-peer". */
export function dmSession(senderId: number): string {
  return `dm:telegram:telegram:${senderId}`;
}

/** Waits (polling the Bot API stand-in) until the chat has a message matching `match`; returns every message to it. */
export async function waitForMessage(
  gate: GateHarness,
  chatId: number,
  match: (text: string) => boolean,
  timeoutMs = 20_000,
): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const messages = await gate.messagesTo(chatId);
    if (messages.some(match)) return messages;
    if (Date.now() > until) throw new Error(`no matching message to ${chatId}; got ${JSON.stringify(messages.slice(-5))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the session's turn is over (no turn stored, nothing waiting). */
export async function turnOver(session: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const stub = env.ASSISTANT.get(env.ASSISTANT.idFromName(session));
  for (;;) {
    const busy = await runInDurableObject(stub, (_instance, state) => {
      const turns = state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM turns").one().n;
      const waiting = state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM waiting").one().n;
      return turns + waiting;
    });
    if (busy === 0) return;
    if (Date.now() > until) throw new Error(`the turn of ${session} did not end`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The tool-result texts the model was shown in a recorded OpenAI-format request. */
export function toolResultsIn(request: RecordedModelRequest | undefined): string[] {
  const body = request?.body as { messages?: { role: string; content: unknown }[] } | undefined;
  return (body?.messages ?? []).filter((message) => message.role === "tool").map((message) => String(message.content));
}

/** The tool names offered in a recorded OpenAI-format request. */
export function toolsOffered(request: RecordedModelRequest | undefined): string[] {
  const body = request?.body as { tools?: { function: { name: string } }[] } | undefined;
  return (body?.tools ?? []).map((tool) => tool.function.name);
}
