import { realpath } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containersOf } from "../support/docker-probe.js";
import { OWNER_ID, STRANGER_ID, TestStack, textUpdate } from "../support/test-stack.js";
import { expectAllHardened } from "../runner/support/hardening.js";
import { everySandboxHardened } from "../runner/support/hardening-watch.js";
import { ErrorBody } from "../../shared/wire-error.js";
import { readJson } from "../support/read-json.js";

// One real stack for the file: wrangler dev (workerd) + runner process + Docker + Bot API stand-in.
const stack = new TestStack();
const privateWorkspaces = async () => [await realpath(stack.privateWorkspaces)];
// Acceptance 1 end to end: every container the runner process creates for these tests, checked after each test.
everySandboxHardened([stack.runnerName], privateWorkspaces);
beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.stop(), 60_000);

describe("Telegram webhook → tunnel → sandbox → reply", () => {
  it("refuses a missing or wrong secret header with 401 and does nothing", async () => {
    const missing = await stack.postUpdate(textUpdate(OWNER_ID, "/run echo should-not-run"), null);
    const wrong = await stack.postUpdate(textUpdate(OWNER_ID, "/run echo should-not-run"), `${stack.secrets.TELEGRAM_WEBHOOK_SECRET}x`);
    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(await readJson(wrong, ErrorBody)).toEqual({ error: { code: "unauthorized", message: "missing or wrong webhook secret" } });
    // Let anything that might have been started settle before checking for its traces.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(stack.botApi.calls).toEqual([]);
    expect(stack.runnerCalls()).toEqual([]);
    expect(await containersOf(stack.runnerName)).toEqual([]);
  });

  it("answers a stranger's /run with a pairing code only: no tool call, no container", async () => {
    const response = await stack.postUpdate(textUpdate(STRANGER_ID, "/run echo pwned"));
    expect(response.status).toBe(200);
    // The owner's /help after it is a barrier: once its reply arrives, the stranger's update was handled too.
    await stack.postUpdate(textUpdate(OWNER_ID, "/help"));
    await stack.botApi.waitFor((call) => call.params.chat_id === String(OWNER_ID) && String(call.params.text).includes("/run <command>"));
    const toStranger = stack.botApi.sent().filter((call) => call.params.chat_id === String(STRANGER_ID));
    expect(toStranger).toHaveLength(1);
    expect(String(toStranger[0]?.params.text)).toMatch(/pairing code is [ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}\b/);
    expect(String(toStranger[0]?.params.text)).not.toContain("pwned");
    expect(stack.runnerCalls()).toEqual([]);
    expect(await containersOf(stack.runnerName)).toEqual([]);
  });

  it("runs the owner's /run in the sandbox and replies with the output", async () => {
    const response = await stack.postUpdate(textUpdate(OWNER_ID, "/run echo hello"));
    expect(response.status).toBe(200);
    const reply = await stack.botApi.waitFor((call) => call.method === "sendMessage" && String(call.params.text).includes("hello"));
    expect(reply.params.chat_id).toBe(String(OWNER_ID));
    expect(reply.token).toBe("123456:e2e-test-token");
    expect(stack.runnerCalls()).toHaveLength(1);
  });

  it("served the call from a hardened container, as docker inspect reports it", async () => {
    // The full hardening list (network, root, tmpfs, capabilities, seccomp, user, limits, swap, ulimits, init,
    // namespaces, devices, env, labels) and the only bind the owner's private workspace, never the Docker socket.
    expect(await expectAllHardened(stack.runnerName, await privateWorkspaces())).toBe(1);
  });

  it("lists the owner's (still empty) private workspace with /ls, without a container", async () => {
    const before = stack.botApi.calls.length;
    const containers = (await containersOf(stack.runnerName)).length;
    await stack.postUpdate(textUpdate(OWNER_ID, "/ls"));
    const reply = await stack.botApi.waitFor((call) => call.method === "sendMessage" && stack.botApi.calls.indexOf(call) >= before);
    expect(reply.params.chat_id).toBe(String(OWNER_ID));
    expect(reply.params.text).toMatch(/\(empty\)$/);
    expect((await containersOf(stack.runnerName)).length).toBe(containers);
  });

  it("answers 'home runner is offline' when the runner is stopped — never silence", async () => {
    await stack.stopRunner();
    const before = stack.botApi.sent().length;
    await stack.postUpdate(textUpdate(OWNER_ID, "/run echo while-offline"));
    const reply = await stack.botApi.waitFor(
      (call, index = stack.botApi.calls.indexOf(call)) => index >= before && call.method === "sendMessage",
    );
    expect(reply.params.chat_id).toBe(String(OWNER_ID));
    expect(String(reply.params.text)).toMatch(/home runner is offline/i);
    expect(await containersOf(stack.runnerName)).toEqual([]);
  });
});
