import { textUpdate, type TestStack } from "../test/support/test-stack.js";
import { machineNote, percentile, round, type Figure } from "./figure.js";
import { workerSocketUrl } from "./worker-socket.js";

const FIRST_SENDER = 500_000_000;
const FIRST_DIRECT_SENDER = 600_000_000;
/** P4's target against the Worker's own socket: the webhook's p99 within 1.2 × /healthz's there. */
const DIRECT_LIMIT = 1.2;

async function timed(request: () => Promise<Response>): Promise<number> {
  const started = performance.now();
  const response = await request();
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`answered ${response.status}`);
  return performance.now() - started;
}

/** The same burst of webhook posts, then of GET /healthz, at `root`: the times to each answer. */
async function burst(stack: TestStack, root: string, firstSender: number, senders: number): Promise<{ acks: number[]; health: number[] }> {
  const headers = { "content-type": "application/json", "x-telegram-bot-api-secret-token": stack.secrets.TELEGRAM_WEBHOOK_SECRET };
  const post = (sender: number) => () =>
    fetch(`${root}/telegram/webhook`, { method: "POST", headers, body: JSON.stringify(textUpdate(sender, "hello")) });
  const acks = await Promise.all(Array.from({ length: senders }, (_, i) => timed(post(firstSender + i))));
  const health = await Promise.all(Array.from({ length: senders }, () => timed(() => fetch(`${root}/healthz`))));
  return { acks, health };
}

/**
 * P4: `senders` distinct senders post an update at the same moment; each figure is the time
 * to the webhook's 200 (which includes the durable write). Baseline: the same burst of GET /healthz.
 * A second baseline (`detail.direct`) sends the same bursts to the Worker's own workerd socket,
 * past wrangler dev's proxy, so its ratio is what the durable write adds to the Worker, not to the dev server.
 */
export async function webhookAck(stack: TestStack, senders: number, rounds: number): Promise<Figure> {
  const acks: number[] = [];
  const health: number[] = [];
  const healthz = await (await fetch(`${stack.url}/healthz`)).text();
  const direct = await workerSocketUrl(Number(new URL(stack.url).port), healthz);
  const directAcks: number[] = [];
  const directHealth: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const base = FIRST_SENDER + round * senders;
    acks.push(
      ...(await Promise.all(Array.from({ length: senders }, (_, i) => timed(() => stack.postUpdate(textUpdate(base + i, "hello")))))),
    );
    health.push(...(await Promise.all(Array.from({ length: senders }, () => timed(() => fetch(`${stack.url}/healthz`))))));
  }
  // Only after the front door's rounds, so its figure is measured as it always was, with no direct burst before it.
  for (let round = 0; direct && round < rounds; round++) {
    const measured = await burst(stack, direct, FIRST_DIRECT_SENDER + round * senders, senders);
    directAcks.push(...measured.acks);
    directHealth.push(...measured.health);
  }
  const p99 = percentile(acks, 99);
  const baseP99 = percentile(health, 99);
  const directRatio = percentile(directAcks, 99) / percentile(directHealth, 99);
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
    detail: {
      p50: round(percentile(acks, 50)),
      p99,
      baselineP50: round(percentile(health, 50)),
      senders,
      rounds,
      // The same bursts at the Worker's own socket (null if it was not found): the dev server's proxy left out.
      direct: direct
        ? {
            url: direct,
            p50: round(percentile(directAcks, 50)),
            p99: round(percentile(directAcks, 99)),
            baselineP50: round(percentile(directHealth, 50)),
            baselineP99: round(percentile(directHealth, 99)),
            ratio: round(directRatio, 3),
            target: `p99 ratio ≤ ${DIRECT_LIMIT.toFixed(2)} × GET /healthz at the Worker's socket`,
            met: directRatio <= DIRECT_LIMIT,
          }
        : null,
    },
  };
}
