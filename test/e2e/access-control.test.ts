import { realpath } from "node:fs/promises";
import { everySandboxHardened } from "../runner/support/hardening-watch.js";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containersOf } from "../support/docker-probe.js";
import { OWNER_ID, TestStack, textUpdate } from "../support/test-stack.js";

// The real stack: wrangler dev (workerd) + runner process + Docker + Bot API stand-in.
const stack = new TestStack();
// Every sandbox container this file's runner creates passes the hardening check (issue 5, acceptance 1).
everySandboxHardened([stack.runnerName], async () => [await realpath(stack.privateWorkspaces)]);
beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.stop(), 60_000);

const NEWCOMER = 888_000_001;
const cliEntry = join(import.meta.dirname, "..", "..", "runner", "cli", "main.ts");

/** `drawbridge <args>` as the owner types it, against this stack's gateway. */
async function drawbridge(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", cliEntry, ...args], {
    env: { ...process.env, DRAWBRIDGE_GATEWAY_URL: stack.url, GATEWAY_TOKEN: stack.secrets.GATEWAY_TOKEN },
  });
  return stdout;
}

describe("webhook → durable inbox (acceptance 7, end to end)", () => {
  it("answers 200 before the tool call finishes, then replies with its output", async () => {
    const response = await stack.postUpdate(textUpdate(OWNER_ID, "/run sleep 3; echo slow-done"));
    expect(response.status).toBe(200);
    // The 200 is here; the command inside it needs three more seconds to print anything.
    expect(stack.botApi.sent().filter((call) => String(call.params.text).includes("slow-done"))).toEqual([]);
    const reply = await stack.botApi.waitFor((call) => String(call.params.text).includes("slow-done"));
    expect(reply.params.chat_id).toBe(String(OWNER_ID));
  });

  it("runs an update delivered twice at once only once", async () => {
    const update = textUpdate(OWNER_ID, "/run echo once-only");
    const responses = await Promise.all([stack.postUpdate(update), stack.postUpdate(update)]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    await stack.botApi.waitFor((call) => String(call.params.text).includes("once-only"));
    // Barrier: the inbox is processed in order, so once /help is answered the duplicate would have been too.
    await stack.postUpdate(textUpdate(OWNER_ID, "/help"));
    await stack.botApi.waitFor(
      (call) => call.params.chat_id === String(OWNER_ID) && String(call.params.text).startsWith("Drawbridge commands"),
    );
    expect(stack.botApi.sent().filter((call) => String(call.params.text).includes("once-only"))).toHaveLength(1);
  });
});

describe("pairing with the CLI (acceptance 1, end to end)", () => {
  it("a newcomer gets a code; `drawbridge pairing approve --role trusted` lets their /run through", async () => {
    await stack.postUpdate(textUpdate(NEWCOMER, "/run echo before-approval"));
    const codeMessage = await stack.botApi.waitFor((call) => call.params.chat_id === String(NEWCOMER));
    const code = /pairing code is ([A-Z2-9]{8})/.exec(String(codeMessage.params.text))?.[1];
    expect(code).toBeDefined();
    const prompt = await stack.botApi.waitFor(
      (call) => call.params.chat_id === String(OWNER_ID) && String(call.params.text).includes(code!),
    );
    expect(JSON.stringify(prompt.params.reply_markup)).toContain(`pair:approve:${code}`);

    expect(await drawbridge("pairing", "list")).toContain(`${code}  sender ${NEWCOMER}`);
    // Codes are typed exactly as shown: the lower-cased one is refused with a clear error, and nothing changes.
    const lowerCased = await drawbridge("pairing", "approve", code!.toLowerCase()).then(
      (stdout) => `unexpected success: ${stdout}`,
      (error: { stderr?: string }) => String(error.stderr),
    );
    expect(lowerCased).toContain("Pairing codes are upper-case letters and digits (like ABCD2345); type it exactly as shown");
    expect(await drawbridge("pairing", "list")).toContain(`${code}  sender ${NEWCOMER}`);
    expect(await drawbridge("pairing", "approve", code!, "--role", "trusted")).toMatch(/Approved .* as trusted/);
    expect(await drawbridge("allow", "list")).toContain(`${NEWCOMER}  trusted  pairing`);

    // A trusted sender's command is not on their (empty) exec allowlist, so the owner approves it once.
    await stack.postUpdate(textUpdate(NEWCOMER, "/run echo after-approval"));
    const asked = await stack.botApi.waitFor(
      (call) => call.params.chat_id === String(NEWCOMER) && /Approval [0-9a-f]{24}/.test(String(call.params.text)),
    );
    const approvalId = /Approval ([0-9a-f]{24})/.exec(String(asked.params.text))?.[1] ?? "";
    expect(await drawbridge("approvals", "approve", approvalId)).toContain("Allowed once: /run echo after-approval");
    const reply = await stack.botApi.waitFor(
      (call) =>
        call.params.chat_id === String(NEWCOMER) && String(call.params.text).includes("✅ The owner allowed /run echo after-approval"),
    );
    expect(String(reply.params.text)).toMatch(/\n\nafter-approval$/);
    expect(stack.botApi.sent().filter((call) => String(call.params.text).includes("before-approval"))).toEqual([]);
    // Their own sandbox, never the owner's.
    const labels = (await containersOf(stack.runnerName)).map((info) => JSON.stringify(info.Labels));
    expect(labels.some((text) => text.includes(String(NEWCOMER)))).toBe(true);

    expect(await drawbridge("allow", "role", String(NEWCOMER), "blocked")).toContain("is now blocked");
    expect(await drawbridge("allow", "revoke", String(NEWCOMER))).toContain(`Revoked ${NEWCOMER}`);
  });
});
