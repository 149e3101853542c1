import { textUpdate, type TestStack } from "../test/support/test-stack.js";
import { machineNote, percentile, round, type Figure } from "./figure.js";

const FIRST_SENDER = 500_000_000;

async function timed(request: () => Promise<Response>): Promise<number> {
  const started = performance.now();
  const response = await request();
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`answered ${response.status}`);
  return performance.now() - started;
}

/**
 * P4: `senders` distinct senders post an update at the same moment; each figure is the time
 * to the webhook's 200 (which includes the durable write). Baseline: the same burst of GET /healthz.
 */
export async function webhookAck(stack: TestStack, senders: number, rounds: number): Promise<Figure> {
  const acks: number[] = [];
  const health: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const base = FIRST_SENDER + round * senders;
    acks.push(
      ...(await Promise.all(Array.from({ length: senders }, (_, i) => timed(() => stack.postUpdate(textUpdate(base + i, "hello")))))),
    );
    health.push(...(await Promise.all(Array.from({ length: senders }, () => timed(() => fetch(`${stack.url}/healthz`))))));
  }
  const p99 = percentile(acks, 99);
  const baseP99 = percentile(health, 99);
  return {
    name: "P4 webhook ack p99",
    value: round(p99),
    unit: "ms",
    baseline: { name: `GET /healthz, same burst of ${senders}, p99`, value: round(baseP99) },
    ratio: round(p99 / baseP99, 3),
    target: "p99 ≤ 25 ms",
    met: p99 <= 25,
    runs: acks.length,
    machine: machineNote(),
    detail: { p50: round(percentile(acks, 50)), p99, baselineP50: round(percentile(health, 50)), senders, rounds },
  };
}
