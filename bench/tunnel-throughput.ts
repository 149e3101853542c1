import type { TestStack } from "../test/support/test-stack.js";
import { callView, consoleMessage, inBatches, queuedCallId, waitForResult } from "./console-calls.js";
import { machineNote, round, type Figure } from "./figure.js";

/**
 * P3: `calls` no-op tool calls (`/ls` of the empty private workspace: no Docker, one readdir)
 * all in flight at once over the runner's one socket. They are queued while the runner is away
 * and go out together when it reconnects: opening 1,000 HTTP requests at once instead overruns
 * wrangler dev's local front door (its proxy resets or 503s some of them before the Worker sees
 * them), which measures the dev server, not the tunnel. The figure is calls ÷ the time from the
 * runner receiving the first call to the hub storing the last result. Baseline: `calls`
 * concurrent GET /healthz, i.e. what the HTTP front door alone sustains on this machine.
 */
export async function tunnelThroughput(stack: TestStack, calls: number): Promise<{ figure: Figure; wallMs: number }> {
  const reply = await consoleMessage(stack, "/ls");
  if (!reply.includes("(empty)")) throw new Error(`unexpected /ls reply: ${reply}`);

  await stack.stopRunner();
  const ids = await inBatches(calls, 25, async () => queuedCallId(await consoleMessage(stack, "/ls")));
  const logFrom = stack.runnerLog.length;
  await stack.startRunner();
  // One session runs its calls in order, so the last call's result comes last. Polling only it
  // keeps the measurement from loading the hub it measures (GET /api/calls goes to the same object).
  await waitForResult(stack, ids[calls - 1]!, 120_000, 20);
  const views = await inBatches(calls, 25, (n) => callView(stack, ids[n]!));
  const failed = views.filter((view) => !view.outcome?.ok);
  if (failed.length > 0) throw new Error(`${failed.length} of ${calls} calls failed, e.g. ${JSON.stringify(failed[0])}`);
  const lines = stack.runnerLog.slice(logFrom);
  const times = (event: string) => lines.filter((line) => line.includes(`"event":"${event}"`)).map(timeOf);
  const receipts = times("call.received");
  const received = receipts[0];
  if (received === undefined) throw new Error("the runner logged no call.received");
  const wallMs = Math.max(...views.map((view) => view.finishedAt ?? Number.NaN)) - received;
  // Where the time goes: the last call reaching the runner (the edge's sending) and the runner's last result.
  const lastReceivedMs = Math.max(...receipts) - received;
  const runnerDoneMs = Math.max(...times("call.finished")) - received;

  const baseStarted = performance.now();
  await Promise.all(Array.from({ length: calls }, async () => (await fetch(`${stack.url}/healthz`)).arrayBuffer()));
  const baseWallMs = performance.now() - baseStarted;

  const value = (calls / wallMs) * 1000;
  const base = (calls / baseWallMs) * 1000;
  return {
    wallMs,
    figure: {
      name: "P3 tunnel throughput",
      value: round(value, 0),
      unit: "calls/s",
      baseline: { name: `GET /healthz, ${calls} concurrent`, value: round(base, 0) },
      ratio: round(value / base, 3),
      target: "≥ 2000 calls/s on 2 cores",
      met: value >= 2000,
      runs: calls,
      machine: machineNote(),
      detail: { wallMs: round(wallMs, 0), lastReceivedMs: round(lastReceivedMs, 0), runnerDoneMs: round(runnerDoneMs, 0) },
    },
  };
}

function timeOf(line: string): number {
  return Date.parse(line.match(/"time":"([^"]+)"/)?.[1] ?? "");
}
