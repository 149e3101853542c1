import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  checkPollToken,
  pollSummaryLine,
  startTelegramPoll,
  telegramPollWanted,
} from "../../runner/local-stack/telegram-poll/start-telegram-poll.js";
import { BotApiStandIn } from "../support/bot-api-standin.js";
import { WebhookDouble } from "./support/webhook-double.js";

const TOKEN = "7000002:npm-start-poll-token-abcdefghijklmnopq";
const SECRET = "the-local-webhook-secret";

let botApi: BotApiStandIn;
let gateway: WebhookDouble;
let stateDir: string;

beforeEach(async () => {
  botApi = new BotApiStandIn();
  gateway = new WebhookDouble(SECRET);
  stateDir = await mkdtemp(join(tmpdir(), "drawbridge-poll-"));
});

afterEach(async () => {
  await gateway.stop();
  await botApi.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe("npm start's Telegram polling", () => {
  it("is on only with DRAWBRIDGE_TELEGRAM_POLL=1, and refuses the made-up local token", () => {
    expect(telegramPollWanted({ DRAWBRIDGE_TELEGRAM_POLL: "1" })).toBe(true);
    expect(telegramPollWanted({ DRAWBRIDGE_TELEGRAM_POLL: "0" })).toBe(false);
    expect(telegramPollWanted({})).toBe(false);
    expect(() => checkPollToken("0:local-abcdef")).toThrow(/set TELEGRAM_BOT_TOKEN \(from @BotFather\)/);
    expect(() => checkPollToken(TOKEN)).not.toThrow();
  });

  it("polls the gateway's own Bot API root, names the bot in the summary, and audits a deleted webhook in the state dir", async () => {
    const root = await botApi.start();
    const gatewayUrl = await gateway.start();
    await fetch(`${root}/bot${TOKEN}/setWebhook`, { method: "POST", body: JSON.stringify({ url: "https://old.example/hook" }) });
    const lines: string[] = [];
    const relay = startTelegramPoll({
      env: { DRAWBRIDGE_TELEGRAM_POLL: "1", DRAWBRIDGE_TELEGRAM_POLL_DELETE_WEBHOOK: "1" },
      secrets: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: root },
      gatewayUrl,
      stateDir,
      say: (line) => lines.push(line),
    });
    try {
      expect(pollSummaryLine(relay)).toContain("not polling yet");
      await relay.polling;
      expect(pollSummaryLine(relay)).toBe("Telegram: polling getUpdates for @drawbridge_test_bot (no public URL needed)");
      const id = botApi.enqueueUpdate({ message: { message_id: 1, chat: { id: 5, type: "private" }, text: "hi" } });
      const deadline = Date.now() + 10_000;
      while (!gateway.stored.includes(id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(gateway.stored).toEqual([id]);
    } finally {
      await relay.stop();
    }
    expect(botApi.sent("getUpdates").every((call) => call.token === TOKEN)).toBe(true);
    const audit = (await readFile(join(stateDir, "audit.jsonl"), "utf8")).trim().split("\n");
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0] ?? "{}")).toMatchObject({
      event: "telegram.webhook_deleted",
      url: "https://old.example/hook",
      dropPendingUpdates: false,
    });
    expect(lines.join("\n")).not.toContain(TOKEN);
  });

  it("lives on the runner side only: nothing in worker/ imports it", async () => {
    const worker = join(import.meta.dirname, "..", "..", "worker");
    const files = (await readdir(worker, { recursive: true })).filter((file) => file.endsWith(".ts"));
    const importing: string[] = [];
    for (const file of files) {
      if (/telegram-poll|local-stack/.test(await readFile(join(worker, file), "utf8"))) importing.push(file);
    }
    expect(files.length).toBeGreaterThan(10);
    expect(importing).toEqual([]);
  });
});
