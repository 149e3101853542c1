import { OWNER_ID, textUpdate, type TestStack } from "../test/support/test-stack.js";
import type { RawDockerExec } from "./docker-baseline.js";
import { ExecutorExecAlone } from "./executor-exec.js";
import { latencyRatioFigure, median, percentile, round, type Figure } from "./figure.js";
import type { SandboxExecAlone } from "./sandbox-exec.js";

/**
 * One chat message through the whole gateway; resolves when the reply reaches the Bot API
 * stand-in. Only the command's own result counts (`(no output, exit code 0)` for `/run true`),
 * so a notice (an approval request, a queued call) can never pass for a finished call.
 */
export async function chatRoundTrip(stack: TestStack, fromId: number, text: string, reply = "exit code 0"): Promise<number> {
  const before = stack.botApi.calls.length;
  const started = performance.now();
  const response = await stack.postUpdate(textUpdate(fromId, text));
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
  const answer = await stack.botApi.waitFor(
    (call) => call.method === "sendMessage" && String(call.params.chat_id) === String(fromId) && stack.botApi.calls.indexOf(call) >= before,
    30_000,
  );
  if (!String(answer.params.text).includes(reply)) throw new Error(`${text} answered ${JSON.stringify(answer.params.text)}`);
  return performance.now() - started;
}

/**
 * P1: the owner's `/run true` from webhook to reply, against a raw `docker exec` of `true`
 * into a warm container. The two are interleaved so machine noise hits both alike; so is the
 * runner's sandbox exec path alone (`alone`), which splits the gap between the sandbox layer and
 * the gateway with its tunnel (`detail`, medians in ms, and the raw exec's own stages). With
 * `alone`, the same exec through runner.json's `sandbox.residentExecutor` is interleaved too
 * (`detail.residentExecutor`: its p50/p99 against the raw exec's, docs/resident-executor.md).
 */
export async function warmToolCall(stack: TestStack, raw: RawDockerExec, runs: number, alone?: SandboxExecAlone): Promise<Figure> {
  await chatRoundTrip(stack, OWNER_ID, "/run true"); // warm the session's container
  const gateway: number[] = [];
  const baseline: number[] = [];
  const sandbox: number[] = [];
  const executorSamples: number[] = [];
  const stagesFrom = raw.stages.length;
  const executor = alone ? new ExecutorExecAlone() : undefined;
  await executor?.start();
  try {
    for (let i = 0; i < runs; i++) {
      gateway.push(await chatRoundTrip(stack, OWNER_ID, "/run true"));
      baseline.push(await raw.execTrue());
      if (alone) sandbox.push(await alone.execTrue());
      if (executor) executorSamples.push(await executor.execTrue());
    }
  } finally {
    await executor?.stop();
  }
  const figure = latencyRatioFigure(
    "P1 warm tool call",
    gateway,
    { name: "raw docker exec true (dockerode, warm container)", samples: baseline },
    1.1,
  );
  if (!alone) return figure;
  const stages = raw.stages.slice(stagesFrom);
  const rawStage = (key: keyof (typeof stages)[number]) => round(median(stages.map((stage) => stage[key])));
  const sandboxMs = median(sandbox);
  return {
    ...figure,
    detail: {
      sandboxExecMs: round(sandboxMs),
      sandboxRatio: round(sandboxMs / median(baseline), 3),
      sandboxLayerMs: round(sandboxMs - median(baseline)),
      gatewayAndTunnelMs: round(figure.value - sandboxMs),
      rawStages: { create: rawStage("create"), start: rawStage("start"), stream: rawStage("stream"), inspect: rawStage("inspect") },
      residentExecutor: {
        p50Ms: round(median(executorSamples)),
        p99Ms: round(percentile(executorSamples, 99)),
        rawP50Ms: round(median(baseline)),
        rawP99Ms: round(percentile(baseline, 99)),
        ratio: round(median(executorSamples) / median(baseline), 3),
        target: "ratio ≤ 0.50",
      },
    },
  };
}
