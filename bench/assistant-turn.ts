import type { ModelStandIn } from "../test/support/model-standin.js";
import type { BotApiCall } from "../test/support/bot-api-standin.js";
import { OWNER_ID, type TestStack } from "../test/support/test-stack.js";
import type { RawDockerExec } from "./docker-baseline.js";
import { latencyRatioFigure, median, round, type Figure } from "./figure.js";
import { chatRoundTrip } from "./warm-call.js";

/** The model the bench stack is configured with (DRAWBRIDGE_MODEL=openai:<this>): the stand-in's conversation key. */
export const P7_MODEL = "p7-bench";
const BASELINE_MODEL = "p7-baseline";
const FINAL_TEXT = "P7: true ran.";

/**
 * P7: the owner's plain-language message from webhook to reply, a turn of two model steps
 * against an instant stand-in: the first asks for `exec true`, which takes the whole tool path
 * (policy, capability, tunnel, runner, sandbox), the second answers. Baseline, interleaved: a raw
 * `docker exec true` plus the same two model requests sent straight to the stand-in, which is
 * what the turn cannot avoid. Each turn starts a fresh conversation (`/new`, not timed), so every
 * run sends the model the same history.
 */
export async function assistantTurn(
  stack: TestStack,
  raw: RawDockerExec,
  model: { standIn: ModelStandIn; root: string },
  runs: number,
): Promise<Figure> {
  await timedTurn(stack, model.standIn); // warms the session's container and the Assistant object
  const steps = model.standIn.requests(P7_MODEL).slice(-2);
  if (steps.length !== 2 || !JSON.stringify(steps[1]?.body).includes("<<<UNTRUSTED_CONTENT id=")) {
    throw new Error(`P7's turn did not send the tool result back in a marker block: ${JSON.stringify(steps).slice(0, 500)}`);
  }
  // The baseline replays the turn's own two requests, under a model name of its own, so it matches no turn.
  const bodies = steps.map((step) => JSON.stringify({ ...(step.body as object), model: BASELINE_MODEL }));
  model.standIn.script(BASELINE_MODEL, { kind: "text", text: "baseline", repeat: true });
  const turns: number[] = [];
  const baseline: number[] = [];
  const stamps = stampBotApiCalls(stack);
  const stages: Stages[] = [];
  for (let i = 0; i < runs; i++) {
    const from = stack.botApi.calls.length;
    const turn = await timedTurn(stack, model.standIn);
    turns.push(turn.ms);
    stages.push(stagesOf(stack.botApi.calls.slice(from), stamps, turn.postedAt));
    let floor = await raw.execTrue();
    for (const body of bodies) floor += await standInRoundTrip(model.root, body);
    baseline.push(floor);
  }
  const baselineName = "raw docker exec true + the turn's two model requests sent straight to the stand-in";
  return {
    ...latencyRatioFigure("P7 assistant turn with one tool call", turns, { name: baselineName, samples: baseline }, 1.3),
    // Medians, in ms: webhook post → first "typing" (just before model step 1), → second "typing"
    // (step 1, the exec call's whole path, its result back in the Assistant), → the reply (step 2, delivery).
    detail: {
      toFirstStep: round(median(stages.map((s) => s.toFirstStep))),
      firstStepAndTool: round(median(stages.map((s) => s.firstStepAndTool))),
      secondStepAndReply: round(median(stages.map((s) => s.secondStepAndReply))),
    },
  };
}

type Stages = { toFirstStep: number; firstStepAndTool: number; secondStepAndReply: number };

/** When each Bot API call reached the stand-in: the typing indicator marks the start of each model step. */
function stampBotApiCalls(stack: TestStack): WeakMap<BotApiCall, number> {
  const stamps = new WeakMap<BotApiCall, number>();
  const calls = stack.botApi.calls;
  const push = calls.push.bind(calls);
  calls.push = (...items: BotApiCall[]) => {
    for (const item of items) stamps.set(item, performance.now());
    return push(...items);
  };
  return stamps;
}

function stagesOf(calls: BotApiCall[], stamps: WeakMap<BotApiCall, number>, postedAt: number): Stages {
  const mine = calls.filter((call) => String(call.params.chat_id) === String(OWNER_ID));
  // The untimed /new comes first; only what follows its answer belongs to the turn.
  const turn = mine.slice(mine.findIndex((call) => call.method === "sendMessage") + 1);
  const at = (call: BotApiCall | undefined) => (call ? (stamps.get(call) ?? Number.NaN) : Number.NaN);
  const typing = turn.filter((call) => call.method === "sendChatAction");
  const reply = at(turn.find((call) => call.method === "sendMessage"));
  const [first, second] = [at(typing[0]), at(typing[1])];
  return { toFirstStep: first - postedAt, firstStepAndTool: second - first, secondStepAndReply: reply - second };
}

/** A fresh conversation (not timed), then the turn: its duration, and when its message was posted. */
async function timedTurn(stack: TestStack, model: ModelStandIn): Promise<{ ms: number; postedAt: number }> {
  await chatRoundTrip(stack, OWNER_ID, "/new", "New conversation");
  model.script(P7_MODEL, { kind: "tool_calls", calls: [{ name: "exec", input: { command: "true" } }] }, { kind: "text", text: FINAL_TEXT });
  const postedAt = performance.now();
  return { ms: await chatRoundTrip(stack, OWNER_ID, "Please run true in my sandbox.", FINAL_TEXT), postedAt };
}

async function standInRoundTrip(root: string, body: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${root}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body });
  await response.json();
  if (!response.ok) throw new Error(`the model stand-in answered ${response.status}`);
  return performance.now() - started;
}
