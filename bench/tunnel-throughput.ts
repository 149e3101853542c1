import type { TestStack } from "../test/support/test-stack.js";
import { consoleMessage } from "./console-calls.js";
import { machineNote, round, type Figure } from "./figure.js";

/**
 * P3: `calls` no-op tool calls (`/ls` of the empty private workspace: no Docker, one readdir)
 * all in flight at once over the runner's one socket. Baseline: the same number of concurrent
 * GET /healthz, i.e. what the HTTP front door alone sustains on this machine.
 */
export async function tunnelThroughput(stack: TestStack, calls: number): Promise<{ figure: Figure; wallMs: number }> {
  const reply = await consoleMessage(stack, "/ls");
  if (!reply.includes("(empty)")) throw new Error(`unexpected /ls reply: ${reply}`);

  const started = performance.now();
  const replies = await Promise.all(Array.from({ length: calls }, () => consoleMessage(stack, "/ls")));
  const wallMs = performance.now() - started;
  const failed = replies.filter((text) => !text.includes("(empty)"));
  if (failed.length > 0) throw new Error(`${failed.length} of ${calls} calls failed, e.g. ${failed[0]}`);

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
    },
  };
}
