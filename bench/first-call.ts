import type { TestStack } from "../test/support/test-stack.js";
import type { RawDockerExec } from "./docker-baseline.js";
import { machineNote, median, round, type Figure } from "./figure.js";
import { chatRoundTrip } from "./warm-call.js";

const FIRST_NEWCOMER = 700_000_000;

/**
 * P2: a sender's first `/run true` — a session nobody used before, so its sandbox must come
 * from the warm pool (or be created). Each run is a new trusted sender, hence a new session.
 */
export async function firstCallOfNewSession(stack: TestStack, raw: RawDockerExec, runs: number): Promise<Figure> {
  const gateway: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    const sender = FIRST_NEWCOMER + i;
    const allowed = await stack.api("PUT", `/api/allow/telegram/${sender}`, { role: "trusted" });
    if (allowed.status !== 200) throw new Error(`could not allow ${sender}: ${JSON.stringify(allowed.body)}`);
    // Give the pool time to refill, as it would between real newcomers.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    gateway.push(await chatRoundTrip(stack, sender, "/run true"));
    baseline.push(await raw.execTrue());
  }
  const value = median(gateway);
  const base = median(baseline);
  return {
    name: "P2 first call of a new session",
    value: round(value),
    unit: "ms",
    baseline: { name: "raw docker exec true (dockerode, warm container)", value: round(base) },
    ratio: round(value / base, 3),
    target: "ratio ≤ 1.5",
    met: value / base <= 1.5,
    runs,
    machine: machineNote(),
  };
}
