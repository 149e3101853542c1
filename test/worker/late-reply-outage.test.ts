import { env } from "cloudflare:test";
import { expect, inject, it } from "vitest";
import { ScriptedRunner } from "./approval-harness.js";
import { GateHarness, type SentCall, SentCalls } from "./gate-harness.js";
import { connectRunner, newKey, register } from "./tunnel-harness.js";
import { newRunnerName, newUserId } from "./test-ids.js";
import { readJson } from "../support/read-json.js";

const OWNER = newUserId();
/** The Worker's own bot (TEST_BINDINGS): late results go back through its Gatekeeper. */
const WORKER_BOT = Number(/^(\d+):/.exec(env.TELEGRAM_BOT_TOKEN ?? "")?.[1]);

async function sendMessagesRefusedTo(chatId: number): Promise<SentCall[]> {
  const calls = await readJson(await fetch(`${inject("botApiRoot")}/__standin/refused`), SentCalls);
  return calls.filter((call) => call.method === "sendMessage" && String(call.params.chat_id) === String(chatId));
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

it("a queued call's result still reaches the sender when Telegram is down the moment it comes back", async () => {
  // Late results go back through the Gatekeeper of the Worker's own bot (see TEST_BINDINGS);
  // this harness is that account, so its stored settings point replies at the Bot API stand-in.
  const gate = new GateHarness(WORKER_BOT, OWNER);
  const name = newRunnerName("late-outage");
  const key = await newKey();
  expect((await register(name, key)).status).toBe(201);
  Object.assign(gate.env, { DEFAULT_RUNNER: name });
  // The one Gatekeeper test files share (every other account comes from test-ids.ts). An earlier
  // file may have left it running that file's module instance, and workerd refuses its first call
  // after the reload ("… changed, invalidating this Durable Object"); that call is this one.
  await gate.settle().catch((error: unknown) => {
    if (!String(error).includes("invalidating this Durable Object")) throw error;
  });

  // The runner is offline: the call is queued and the sender told so.
  expect((await gate.dm(OWNER, "/run echo late")).status).toBe(200);
  expect((await gate.messagesTo(OWNER)).at(-1)).toMatch(/queued/i);

  // Telegram fails the late reply once (the RunnerHub hands it to the Gatekeeper, which sends with the Worker's token).
  const body = JSON.stringify({ token: env.TELEGRAM_BOT_TOKEN, method: "sendMessage", chatId: String(OWNER), count: 1, errorCode: 502 });
  await fetch(`${inject("botApiRoot")}/__standin/outage`, { method: "POST", body });

  const { tunnel } = await connectRunner(name, key);
  const runner = new ScriptedRunner(tunnel);
  await runner.answerNext();
  expect(runner.executed).toEqual(["echo late"]);

  const late = (texts: string[]) => texts.filter((text) => text.startsWith("↩️ /run echo late"));
  const delivered = await eventually(
    async () => late(await gate.messagesTo(OWNER)),
    (texts) => texts.length > 0,
  );
  expect(await sendMessagesRefusedTo(OWNER)).toHaveLength(1);
  expect(delivered).toHaveLength(1);
  expect(delivered[0]).toContain("ran: echo late");
  tunnel.socket.close(1000, "done");
}, 30_000);
