import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BotApiStandIn } from "../support/bot-api-standin.js";
import { freePort } from "../support/free-port.js";

const projectRoot = join(import.meta.dirname, "..", "..");
const OWNER = 222_333_444;
const TOKEN = "7000003:npm-start-real-looking-token-abcdefghij";
const botApi = new BotApiStandIn();
let root = "";
let scratch = "";

beforeAll(async () => {
  root = await botApi.start();
  scratch = await mkdtemp(join(tmpdir(), "drawbridge-poll-start-"));
});
afterAll(async () => {
  await botApi.stop();
  await rm(scratch, { recursive: true, force: true });
});

type Started = { child: ChildProcess; output: string[]; exited: Promise<number | null>; done: boolean };

/** `npm start` as a user with a real bot token and no public URL runs it (the Bot API is the stand-in). */
async function npmStart(name: string, env: Record<string, string>): Promise<Started> {
  const userEnv = { ...process.env };
  for (const key of ["DRAWBRIDGE_MODEL", "DRAWBRIDGE_MODEL_BASE_URL", "DRAWBRIDGE_MODEL_API_KEY", "NODE_ENV"]) delete userEnv[key];
  const child = spawn("sh", ["-c", "exec npm start 2>&1"], {
    cwd: projectRoot,
    env: {
      ...userEnv,
      PORT: String(await freePort()),
      DRAWBRIDGE_STATE_DIR: join(scratch, name),
      DRAWBRIDGE_RUNNER_NAME: `poll-${name}-${process.pid}`,
      DRAWBRIDGE_OWNER: `telegram:${OWNER}`,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: root,
      DRAWBRIDGE_TELEGRAM_POLL: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "ignore"],
    detached: true,
  });
  const output: string[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => output.push(line));
  const started: Started = { child, output, exited: Promise.resolve(null), done: false };
  started.exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      started.done = true;
      resolve(code);
    }),
  );
  return started;
}

async function until(check: () => boolean, what: string, started: Started, timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline || started.done) throw new Error(`no ${what}:\n${started.output.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Ctrl-C on the whole process group, as a terminal sends it. */
async function interrupt(started: Started): Promise<number | null> {
  if (started.done) return started.exited;
  if (started.child.pid) process.kill(-started.child.pid, "SIGINT");
  const timer = setTimeout(() => started.child.pid && process.kill(-started.child.pid, "SIGKILL"), 60_000);
  const code = await started.exited;
  clearTimeout(timer);
  return code;
}

describe("npm start with DRAWBRIDGE_TELEGRAM_POLL=1", () => {
  it("refuses while the bot has a webhook set: one line naming it, exit 1, nothing polled", async () => {
    await fetch(`${root}/bot${TOKEN}/setWebhook`, {
      method: "POST",
      body: JSON.stringify({ url: "https://bot.example/telegram/webhook" }),
    });
    const started = await npmStart("refuses", {});
    const timer = setTimeout(() => started.child.pid && process.kill(-started.child.pid, "SIGKILL"), 150_000);
    const code = await started.exited;
    clearTimeout(timer);
    expect(code, started.output.join("\n")).toBe(1);
    expect(started.output.filter((line) => line.includes("https://bot.example/telegram/webhook"))).toHaveLength(1);
    expect(started.output.some((line) => line.startsWith("READY"))).toBe(false);
    // Refused before the gateway started: nothing to tear down, nothing taken from the webhook.
    expect(started.output.some((line) => line.startsWith("Starting the gateway"))).toBe(false);
    expect(botApi.attempts("getUpdates")).toBe(0);
    expect(botApi.webhook).toBe("https://bot.example/telegram/webhook");
    expect(started.output.join("\n")).not.toContain(TOKEN);
  }, 180_000);

  it("polls for the bot, says so before READY, and the gateway answers a polled message through the same Bot API", async () => {
    await fetch(`${root}/bot${TOKEN}/deleteWebhook`, { method: "POST", body: "{}" });
    const started = await npmStart("polls", {});
    try {
      await until(() => started.output.some((line) => line.startsWith("READY")), "READY", started);
      const upToReady = started.output.slice(0, started.output.findIndex((line) => line.startsWith("READY")) + 1);
      expect(upToReady.at(-2)).toBe("Telegram: polling getUpdates for @drawbridge_test_bot (no public URL needed)");
      botApi.enqueueUpdate({
        message: {
          message_id: 1,
          date: 0,
          from: { id: OWNER, is_bot: false, first_name: "Owner" },
          chat: { id: OWNER, type: "private" },
          text: "/whoami",
        },
      });
      const reply = await botApi.waitFor((call) => call.method === "sendMessage" && call.params.chat_id === String(OWNER), 60_000);
      expect(reply.token).toBe(TOKEN);
      expect(String(reply.params.text)).toContain(String(OWNER));
    } finally {
      // npm itself dies of the SIGINT (no exit code) or passes the stack's on: either way it is gone.
      await interrupt(started);
      expect(started.done).toBe(true);
    }
    // Stopped with the stack: no poll after it exited.
    const polls = botApi.attempts("getUpdates");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(botApi.attempts("getUpdates")).toBe(polls);
    expect(started.output.join("\n")).not.toContain(TOKEN);
  }, 240_000);
});
