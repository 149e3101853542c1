import { execFileSync } from "node:child_process";
import { OWNER_ID, textUpdate, type TestStack } from "../test/support/test-stack.js";
import { callView, consoleMessage, inBatches, queuedCallId, waitForResult } from "./console-calls.js";
import { machineNote, percentile, round, type Figure } from "./figure.js";
import { workerSocketUrl } from "./worker-socket.js";

/** Telegram's default webhook max_connections: at most this many of one bot's updates are in flight at once. */
const TELEGRAM_IN_FLIGHT = 40;
/** As P3: few enough console requests at once for wrangler dev's front door. */
const CONSOLE_IN_FLIGHT = 25;
/** A line of the /help reply: how the owner's answers are told from other Bot API calls. */
const HELP_LINE = "/help — this list";

type Timed = { wallMs: number; latencies: number[] };

/** Taken when main.ts imports this module, before the stack snapshots the tree: the code these figures measure. */
const CODE = measuredCode();

/**
 * S1: one Gatekeeper (the bot account's) takes `updates` owner DMs of `/help`, 40 in flight as
 * Telegram sends them, at the Worker's own socket (past wrangler dev's proxy) when it is found.
 * The figure is updates/s until the last 200 (each 200 follows the durable inbox write);
 * `detail.processedPerSecond` is until the last reply reached the Bot API stand-in (the same
 * object drains its inbox one update at a time while it accepts more); `duplicatesPerSecond`, the
 * same updates re-sent once drained (a dedupe hit: the round trip and the settings upsert, no inbox row). Baseline: the same count
 * of GET /healthz, 40 in flight, at the same socket: what the Worker answers without an object.
 */
export async function gatekeeperThroughput(stack: TestStack, updates: number): Promise<Figure> {
  const healthz = await (await fetch(`${stack.url}/healthz`)).text();
  const direct = await workerSocketUrl(Number(new URL(stack.url).port), healthz);
  const root = direct ?? stack.url;
  const headers = { "content-type": "application/json", "x-telegram-bot-api-secret-token": stack.secrets.TELEGRAM_WEBHOOK_SECRET };
  const answered = () =>
    stack.botApi.calls.filter(
      (call) => call.method === "sendMessage" && call.params.chat_id === String(OWNER_ID) && String(call.params.text).includes(HELP_LINE),
    ).length;
  const before = answered();
  const started = performance.now();
  const bodies = Array.from({ length: updates }, () => JSON.stringify(textUpdate(OWNER_ID, "/help")));
  const post = (n: number) => () => fetch(`${root}/telegram/webhook`, { method: "POST", headers, body: bodies[n] });
  const intake = await timedRequests(updates, TELEGRAM_IN_FLIGHT, post);
  await until(
    () => answered() - before >= updates,
    180_000,
    () => `${updates} /help replies (${answered() - before} came; Bot API calls: ${tally(stack.botApi.calls.map((call) => call.method))})`,
  );
  const processedMs = performance.now() - started;
  // The same updates again, once the inbox is empty, as Telegram re-sends them: each is answered from its dedupe row.
  const resent = await timedRequests(updates, TELEGRAM_IN_FLIGHT, post);
  const base = await timedRequests(updates, TELEGRAM_IN_FLIGHT, () => () => fetch(`${root}/healthz`));
  const value = perSecond(updates, intake.wallMs);
  const baseline = perSecond(updates, base.wallMs);
  const via = direct ? "the Worker's socket" : "wrangler dev's front door";
  return {
    ...reportFigure(
      "S1 one Gatekeeper, webhook updates accepted",
      value,
      `GET /healthz, ${updates} at ${TELEGRAM_IN_FLIGHT} in flight, ${via}`,
      baseline,
    ),
    runs: updates,
    detail: {
      processedPerSecond: round(perSecond(updates, processedMs), 0),
      processedMs: round(processedMs, 0),
      duplicatesPerSecond: round(perSecond(updates, resent.wallMs), 0),
      intakeMs: round(intake.wallMs, 0),
      ackP50: round(percentile(intake.latencies, 50)),
      ackP99: round(percentile(intake.latencies, 99)),
      baselineP99: round(percentile(base.latencies, 99)),
      inFlight: TELEGRAM_IN_FLIGHT,
      via: direct ?? stack.url,
      code: CODE,
    },
  };
}

/**
 * S2 and S3: one RunnerHub (the runner's) with `calls` console `/ls` calls. S2: calls/s the hub
 * queues while the runner is away (25 console requests in flight through the front door: each
 * is the Worker's policy plus the hub's outbox insert). S3: after the runner dials in, calls/s
 * from the first call reaching the runner to the hub storing the last result: the hub signs
 * and sends every call, takes its ack, stores its result and acks that, on one thread. The
 * detail splits it (sending, the runner's last result, the hub's lag behind it). Baseline for
 * both: `calls` GET /healthz, 25 in flight, through the same front door.
 */
export async function hubThroughput(stack: TestStack, calls: number): Promise<Figure[]> {
  const reply = await consoleMessage(stack, "/ls");
  if (!reply.includes("(empty)")) throw new Error(`unexpected /ls reply: ${reply}`);
  await stack.stopRunner();
  const submitStarted = performance.now();
  const ids = await inBatches(calls, CONSOLE_IN_FLIGHT, async () => queuedCallId(await consoleMessage(stack, "/ls")));
  const submitMs = performance.now() - submitStarted;
  const base = await timedRequests(calls, CONSOLE_IN_FLIGHT, () => () => fetch(`${stack.url}/healthz`));
  const logFrom = stack.runnerLog.length;
  await stack.startRunner();
  await waitForResult(stack, ids[calls - 1]!, 180_000, 20);
  const views = await inBatches(calls, CONSOLE_IN_FLIGHT, (n) => callView(stack, ids[n]!));
  const failed = views.filter((view) => !view.outcome?.ok);
  if (failed.length > 0) throw new Error(`${failed.length} of ${calls} calls failed, e.g. ${JSON.stringify(failed[0])}`);

  const lines = stack.runnerLog.slice(logFrom);
  const received = loggedTimes(lines, "call.received");
  const finished = loggedTimes(lines, "call.finished");
  const stored = views.map((view) => view.finishedAt ?? Number.NaN);
  const first = Math.min(...received);
  const hubLast = Math.max(...stored);
  const baseline = perSecond(calls, base.wallMs);
  const label = `GET /healthz, ${calls} at ${CONSOLE_IN_FLIGHT} in flight, wrangler dev's front door`;
  return [
    {
      ...reportFigure("S2 one RunnerHub, calls queued", perSecond(calls, submitMs), label, baseline),
      runs: calls,
      detail: { submitMs: round(submitMs, 0), inFlight: CONSOLE_IN_FLIGHT, code: CODE },
    },
    {
      ...reportFigure("S3 one RunnerHub, calls sent and results stored", perSecond(calls, hubLast - first), label, baseline),
      runs: calls,
      detail: {
        wallMs: round(hubLast - first, 0),
        // The hub's share and the runner's: the last call out, the runner's last result, the hub storing it.
        lastSentMs: round(Math.max(...received) - first, 0),
        runnerDoneMs: round(Math.max(...finished) - first, 0),
        hubLagMs: round(hubLast - Math.max(...finished), 0),
        storedPerSecond: round(perSecond(calls, hubLast - Math.min(...stored)), 0),
        code: CODE,
      },
    },
  ];
}

function reportFigure(name: string, value: number, baselineName: string, baseline: number): Omit<Figure, "runs"> {
  return {
    name,
    value: round(value, 0),
    unit: "/s",
    baseline: { name: baselineName, value: round(baseline, 0) },
    ratio: round(value / baseline, 3),
    // A local workerd on shared cores, not Cloudflare's: reported for docs/scale.md, not judged.
    target: "report",
    met: null,
    machine: machineNote(),
  };
}

/** `count` requests, at most `inFlight` at a time: the wall time and each one's time to its whole answer. */
async function timedRequests(count: number, inFlight: number, request: (n: number) => () => Promise<Response>): Promise<Timed> {
  const started = performance.now();
  const latencies = await inBatches(count, inFlight, async (n) => {
    const sent = performance.now();
    const response = await request(n)();
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`answered ${response.status}`);
    return performance.now() - sent;
  });
  return { wallMs: performance.now() - started, latencies };
}

async function until(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`no ${what()} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function tally(names: string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => `${name} ×${count}`).join(", ") || "none";
}

function perSecond(count: number, ms: number): number {
  return (count / ms) * 1000;
}

/** The runner's log times of one event (its JSON lines carry an ISO `time`). */
function loggedTimes(lines: string[], event: string): number[] {
  return lines.filter((line) => line.includes(`"event":"${event}"`)).map((line) => Date.parse(line.match(/"time":"([^"]+)"/)?.[1] ?? ""));
}

/** What the stack's Worker and runner were built from: HEAD, and the files under them that differed (the stack snapshots the tree). */
function measuredCode(): { commit: string; uncommitted: string[] } {
  // Not trimmed at the start: a porcelain line begins with its two status columns, the first often a space.
  const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trimEnd();
  try {
    const changed = git("status", "--porcelain", "--", "worker", "shared", "runner");
    return { commit: git("rev-parse", "--short", "HEAD"), uncommitted: changed ? changed.split("\n").map((line) => line.slice(3)) : [] };
  } catch {
    return { commit: "unknown (not a git checkout)", uncommitted: [] };
  }
}
