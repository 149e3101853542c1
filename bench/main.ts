// `npm run bench [-- --quick] [-- --only P3,P5]`: the gateway measured against raw Docker and a bare HTTP front
// door in the same run. One JSON object per figure on stdout; progress on stderr. Not a test:
// missed targets are reported, never fail the run; a crash does (so the bench cannot rot).
import { ModelStandIn } from "../test/support/model-standin.js";
import { TestStack } from "../test/support/test-stack.js";
import { assistantTurn, P7_MODEL } from "./assistant-turn.js";
import { RawDockerExec } from "./docker-baseline.js";
import { gatekeeperThroughput, hubThroughput } from "./do-throughput.js";
import { printFigure } from "./figure.js";
import { firstCallOfNewSession } from "./first-call.js";
import { offlineDrain } from "./offline-drain.js";
import { bareNodeRssMiB, footprintFigure, rssMiB } from "./runner-footprint.js";
import { SandboxExecAlone } from "./sandbox-exec.js";
import { tunnelThroughput } from "./tunnel-throughput.js";
import { warmToolCall } from "./warm-call.js";
import { webhookAck } from "./webhook-ack.js";

const quick = process.argv.includes("--quick");
// `--only P3` (or `P1,P3`) runs just those figures: P6 idle is cheap and always printed; P5 runs P3 first for its baseline.
// S1–S3 are one Durable Object's throughput (docs/scale.md); S2 and S3 come from one pass.
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt >= 0 ? new Set((process.argv[onlyAt + 1] ?? "").toUpperCase().split(",")) : undefined;
const wanted = (figure: string) => !only || only.has(figure) || (figure === "P3" && only.has("P5"));
const plan = quick
  ? { warmRuns: 5, firstRuns: 3, throughputCalls: 200, ackSenders: 50, ackRounds: 1, drainCalls: 100, turnRuns: 3 }
  : { warmRuns: 30, firstRuns: 12, throughputCalls: 1000, ackSenders: 200, ackRounds: 3, drainCalls: 1000, turnRuns: 20 };
const doPlan = quick ? { updates: 200, calls: 200 } : { updates: 1000, calls: 1000 };
const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);

// Rate limits are lifted for the bench: it measures the path, not the limiter's refusals.
const generous = { perMinute: 100_000, burst: 10_000 };
// P2's newcomers are trusted senders; `true` is on their exec allowlist so the owner is not asked.
const access = {
  rateLimits: { message: generous, tool: generous, pairing: generous, channel: generous, owner: { message: generous, tool: generous } },
  tools: { roles: { trusted: { exec: { allowlist: ["true"] } } } },
};
// P7's model: an instant stand-in on loopback, as an OpenAI-compatible endpoint.
const modelStandIn = new ModelStandIn();
const modelRoot = await modelStandIn.start();
const model = { DRAWBRIDGE_MODEL: `openai:${P7_MODEL}`, DRAWBRIDGE_MODEL_BASE_URL: `${modelRoot}/v1` };
const stack = new TestStack({
  vars: { DRAWBRIDGE_ACCESS: JSON.stringify(access), ...model },
  runnerConfig: { sandbox: { warmPool: 2 } },
});
const raw = new RawDockerExec();
const alone = new SandboxExecAlone();

try {
  say(`starting the stack (${quick ? "quick" : "full"} pass)…`);
  await stack.start();
  await raw.start();
  const bareNode = await bareNodeRssMiB();
  const idle = await rssMiB(stack.runnerPid!);
  printFigure(footprintFigure("P6 runner footprint, idle", idle, bareNode, 1, "≤ 60 MiB idle", idle <= 60));

  if (wanted("P1")) {
    say("P1 warm tool call…");
    await alone.start();
    printFigure(await warmToolCall(stack, raw, plan.warmRuns, alone));
  }
  if (wanted("P2")) {
    say("P2 first call of a new session…");
    printFigure(await firstCallOfNewSession(stack, raw, plan.firstRuns));
  }
  if (wanted("P4")) {
    say("P4 webhook ack…");
    printFigure(await webhookAck(stack, plan.ackSenders, plan.ackRounds));
  }
  if (wanted("P3")) {
    say("P3 tunnel throughput…");
    const throughput = await tunnelThroughput(stack, plan.throughputCalls);
    printFigure(throughput.figure);
    const afterCalls = await rssMiB(stack.runnerPid!);
    printFigure(
      footprintFigure(
        // P3 restarts the runner, so this process has served P3's calls.
        `P6 runner footprint, after ${plan.throughputCalls} calls`,
        afterCalls,
        bareNode,
        1,
        // The target is for 1,000 calls; the quick pass's 200 are only reported.
        quick ? "report" : "≤ 70 MiB after 1,000 calls",
        quick ? null : afterCalls <= 70,
      ),
    );
    if (wanted("P5")) {
      say("P5 offline drain…");
      printFigure(await offlineDrain(stack, plan.drainCalls, throughput.figure.value));
    }
  }
  if (wanted("P7")) {
    say("P7 assistant turn with one tool call…");
    printFigure(await assistantTurn(stack, raw, { standIn: modelStandIn, root: modelRoot }, plan.turnRuns));
  }
  // Last: S2 and S3 stop and restart the runner.
  if (wanted("S1")) {
    say("S1 one Gatekeeper's throughput…");
    printFigure(await gatekeeperThroughput(stack, doPlan.updates));
  }
  if (wanted("S2") || wanted("S3")) {
    say("S2/S3 one RunnerHub's throughput…");
    for (const figure of await hubThroughput(stack, doPlan.calls)) printFigure(figure);
  }
} finally {
  await raw.stop();
  await alone.stop();
  await stack.stop();
  await modelStandIn.stop();
}
