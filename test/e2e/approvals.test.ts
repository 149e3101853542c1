import { realpath } from "node:fs/promises";
import { everySandboxHardened } from "../runner/support/hardening-watch.js";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotApiCall } from "../support/bot-api-standin.js";
import { OWNER_ID, TestStack, textUpdate } from "../support/test-stack.js";

const TRUSTED = 777_000_001;
const LIMITED = 777_000_002;

// The real stack (wrangler dev + runner process + Docker + Bot API stand-in) with two approved senders.
const stack = new TestStack({
  vars: {
    DRAWBRIDGE_ACCESS: JSON.stringify({
      dmPolicy: "allowlist",
      allowFrom: [String(TRUSTED), String(LIMITED)],
      roles: { [String(TRUSTED)]: "trusted", [String(LIMITED)]: "limited" },
    }),
  },
});
// Every sandbox container this file's runner creates passes the hardening check (issue 5, acceptance 1).
everySandboxHardened([stack.runnerName], async () => [await realpath(stack.privateWorkspaces)]);
beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.stop(), 60_000);

const cliEntry = join(import.meta.dirname, "..", "..", "runner", "cli", "main.ts");
const drawbridge = async (...args: string[]) =>
  (
    await promisify(execFile)(process.execPath, ["--import", "tsx", cliEntry, ...args], {
      env: { ...process.env, DRAWBRIDGE_GATEWAY_URL: stack.url, GATEWAY_TOKEN: stack.secrets.GATEWAY_TOKEN },
    })
  ).stdout;

// Appends to a file in the sender's sandbox and prints how many times it has run there.
const COUNTING = "echo ran >> /tmp/approved-runs && wc -l < /tmp/approved-runs";
const toChat = (chatId: number, text: RegExp) => (call: BotApiCall) =>
  call.method === "sendMessage" && call.params.chat_id === String(chatId) && text.test(String(call.params.text));
// The runner logs each call it starts with its session; the trusted sender's session carries their id.
const runsFor = (senderId: number) => stack.runnerCalls().filter((line) => line.includes(String(senderId))).length;

let tapId = 0;
async function tap(fromId: number, data: string): Promise<string> {
  tapId += 1;
  const callbackId = `e2e-tap-${tapId}`;
  await stack.postUpdate({
    update_id: 50_000 + tapId,
    callback_query: { id: callbackId, from: { id: fromId, is_bot: false, first_name: "Tapper" }, chat_instance: "x", data },
  });
  const answer = await stack.botApi.waitFor(
    (call) => call.method === "answerCallbackQuery" && call.params.callback_query_id === callbackId,
  );
  return String(answer.params.text);
}

/** Barrier: the inbox is processed in order, so once the owner's /run is answered everything before it was handled. */
async function barrier(marker: string): Promise<void> {
  await stack.postUpdate(textUpdate(OWNER_ID, `/run echo ${marker}`));
  await stack.botApi.waitFor(toChat(OWNER_ID, new RegExp(`^${marker}$`)));
}

describe("approvals end to end (real gateway, runner and sandbox)", () => {
  it("a trusted /run waits for the owner; Allow once runs it exactly once in the sandbox and the sender gets the output", async () => {
    await stack.postUpdate(textUpdate(TRUSTED, `/run ${COUNTING}`));
    const prompt = await stack.botApi.waitFor((call) => call.params.chat_id === String(OWNER_ID) && Boolean(call.params.reply_markup));
    expect(String(prompt.params.text)).toContain(`Command: ${COUNTING}`);
    const id = /ap:([0-9a-f]{24}):allow/.exec(JSON.stringify(prompt.params.reply_markup))?.[1] ?? "";
    await stack.botApi.waitFor(toChat(TRUSTED, /^🔐 Needs the owner's approval/));
    expect(runsFor(TRUSTED)).toBe(0);

    expect(await tap(TRUSTED, `ap:${id}:allow`)).toBe("not allowed");
    expect(await tap(OWNER_ID, `ap:${id}:allow`)).toMatch(/Allowed once/);
    await stack.botApi.waitFor(toChat(TRUSTED, /^✅ The owner allowed .*\n\n1$/s));
    expect(await tap(OWNER_ID, `ap:${id}:allow`)).toMatch(/already allowed/);
    await barrier("after-second-tap");
    expect(runsFor(TRUSTED)).toBe(1);
  });

  it("drawbridge approvals list / approve / deny drive the same approvals", async () => {
    await stack.postUpdate(textUpdate(TRUSTED, `/run ${COUNTING}`));
    await stack.botApi.waitFor(toChat(TRUSTED, /Approval [0-9a-f]{24}/));
    const listed = await drawbridge("approvals", "list");
    const id = /^([0-9a-f]{24}) {2}telegram:777000001 {2}\/run echo ran/m.exec(listed)?.[1];
    expect(id).toBeDefined();
    const approved = await drawbridge("approvals", "approve", id!);
    expect(approved).toContain("Allowed once: /run echo ran");
    expect(approved.trim().split("\n").at(-1)).toBe("2");
    await expect(drawbridge("approvals", "deny", id!)).rejects.toThrow(/already allowed by admin; nothing changed/);
    await expect(drawbridge("approvals", "approve", "0".repeat(24))).rejects.toThrow(/no approval/);
    await barrier("after-cli");
    expect(runsFor(TRUSTED)).toBe(2);
  });

  it("a limited sender's /run is refused with the reason and never reaches the runner", async () => {
    const before = stack.runnerCalls().length;
    await stack.postUpdate(textUpdate(LIMITED, "/run echo limited-should-not-run"));
    await stack.botApi.waitFor(toChat(LIMITED, /^⛔ exec is not part of the "messaging" tool profile.*Nothing ran\.$/));
    await barrier("after-limited");
    // Exactly one call reached the runner since: the owner's barrier, in the owner's session.
    expect(stack.runnerCalls().slice(before)).toHaveLength(1);
    expect(runsFor(LIMITED)).toBe(0);
  });
});
