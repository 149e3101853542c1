import { realpath } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleSay, say } from "../support/chat-driver.js";
import { containersOf } from "../support/docker-probe.js";
import { OWNER_ID, TestStack } from "../support/test-stack.js";
import { everySandboxHardened } from "../runner/support/hardening-watch.js";

// Acceptance 5, end to end: the session key decides the runner's sandbox (scope "session"), so
// isolation is proven by what each sender can see — files, the container's hostname — not by keys alone.
const PEER_A = 333_000_001;
const PEER_B = 333_000_002;
const HOSTNAME = /^[0-9a-f]{12}$/;

/** Two trusted peers who may run any command without approval, so only sessions separate them. */
function access(sessions: unknown): string {
  return JSON.stringify({
    dmPolicy: "allowlist",
    allowFrom: [String(PEER_A), String(PEER_B)],
    roles: { [PEER_A]: "trusted", [PEER_B]: "trusted" },
    tools: { roles: { trusted: { exec: { security: "full", ask: "off" } } } },
    // Many tool calls in a few seconds here; the limits have their own tests.
    rateLimits: { tool: { perMinute: 600, burst: 100 }, message: { perMinute: 600, burst: 100 } },
    sessions,
  });
}

describe('dmScope "per-channel-peer": two peers never share a sandbox', () => {
  const stack = new TestStack({ vars: { DRAWBRIDGE_ACCESS: access({ dmScope: "per-channel-peer" }) } });
  beforeAll(() => stack.start(), 120_000);
  afterAll(() => stack.stop(), 60_000);
  everySandboxHardened([stack.runnerName], async () => [await realpath(stack.privateWorkspaces)]);

  it("peer B cannot read, list or cat what peer A wrote", async () => {
    expect(await say(stack, PEER_A, "/write secret.txt\nA's secret")).toBe("✅ Created /workspace/secret.txt (10 B)");
    expect(await say(stack, PEER_A, "/read secret.txt")).toContain("A's secret");
    expect(await say(stack, PEER_A, "/run cat /workspace/secret.txt")).toBe("A's secret");

    const read = await say(stack, PEER_B, "/read secret.txt");
    expect(read).toMatch(/^⚠️/);
    expect(read).not.toContain("A's secret");
    expect(await say(stack, PEER_B, "/ls")).toMatch(/\(empty\)$/);
    const cat = await say(stack, PEER_B, "/run cat /workspace/secret.txt");
    expect(cat).toContain("No such file");
    expect(cat).not.toContain("A's secret");
  });

  it("each peer runs in a container of their own, labelled with their session", async () => {
    const hostA = await say(stack, PEER_A, "/run hostname");
    const hostB = await say(stack, PEER_B, "/run hostname");
    expect(hostA).toMatch(HOSTNAME);
    expect(hostB).toMatch(HOSTNAME);
    expect(hostA).not.toBe(hostB);
    // /tmp is the container's own tmpfs: a mark left by A is not there for B.
    await say(stack, PEER_A, "/run echo a > /tmp/mark");
    expect(await say(stack, PEER_B, "/run cat /tmp/mark")).toContain("No such file");

    const scopes = (await containersOf(stack.runnerName)).map((info) => info.Labels["dev.drawbridge.scope"]).sort();
    expect(scopes).toEqual([`session:dm:telegram:telegram:${PEER_A}`, `session:dm:telegram:telegram:${PEER_B}`]);
    expect(await say(stack, PEER_A, "/whoami")).toContain(`Session: dm:telegram:telegram:${PEER_A}`);
  });

  it("keeps the owner's Telegram DMs and console apart too (one session per channel)", async () => {
    expect(await say(stack, OWNER_ID, "/write owner.txt from telegram")).toMatch(/^✅ Created \/workspace\/owner\.txt/);
    expect(await consoleSay(stack, "/read owner.txt")).toMatch(/^⚠️/);
    expect(await consoleSay(stack, "/whoami")).toContain(`Session: dm:console:telegram:${OWNER_ID}`);
  });
});

describe('dmScope "main" (the default): the owner\'s DMs share one session, nobody else gets it', () => {
  const stack = new TestStack({ vars: { DRAWBRIDGE_ACCESS: access(undefined) } });
  beforeAll(() => stack.start(), 120_000);
  afterAll(() => stack.stop(), 60_000);
  everySandboxHardened([stack.runnerName], async () => [await realpath(stack.privateWorkspaces)]);

  it("the console sees what the owner wrote on Telegram, in the same container", async () => {
    expect(await say(stack, OWNER_ID, "/write shared.txt\nfrom telegram\nline 2")).toMatch(/^✅ Created \/workspace\/shared\.txt/);
    expect(await consoleSay(stack, "/read shared.txt")).toBe("📄 /workspace/shared.txt (20 B)\nfrom telegram\nline 2");
    const viaTelegram = await say(stack, OWNER_ID, "/run hostname");
    const viaConsole = await consoleSay(stack, "/run hostname");
    expect(viaTelegram).toMatch(HOSTNAME);
    expect(viaConsole).toBe(viaTelegram);
    expect(await consoleSay(stack, "/whoami")).toContain("Session: main");
    expect(await say(stack, OWNER_ID, "/whoami")).toContain("Session: main");
  });

  it("another sender gets their own session, never the owner's", async () => {
    const read = await say(stack, PEER_A, "/read shared.txt");
    expect(read).toMatch(/^⚠️/);
    expect(read).not.toContain("from telegram");
    expect(await say(stack, PEER_A, "/run hostname")).not.toBe(await consoleSay(stack, "/run hostname"));
    expect(await say(stack, PEER_A, "/whoami")).toContain(`Session: dm:telegram:${PEER_A}`);
    const scopes = (await containersOf(stack.runnerName)).map((info) => info.Labels["dev.drawbridge.scope"]).sort();
    expect(scopes).toEqual([`session:dm:telegram:${PEER_A}`, "session:main"]);
  });
});
