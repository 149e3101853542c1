import { realpath } from "node:fs/promises";
import { everySandboxHardened } from "../runner/support/hardening-watch.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleSay, say } from "../support/chat-driver.js";
import { OWNER_ID, TestStack } from "../support/test-stack.js";
import { AuditList } from "../../shared/admin-api.js";

// The chat commands against the real stack: wrangler dev + runner process + Docker + Bot API stand-in.
const LIMITED = 444_000_001;
// Many tool calls in a few seconds here; the rate limits have their own tests.
const rateLimits = { tool: { perMinute: 600, burst: 100 }, message: { perMinute: 600, burst: 100 } };
const stack = new TestStack({
  vars: { DRAWBRIDGE_ACCESS: JSON.stringify({ dmPolicy: "allowlist", allowFrom: [String(LIMITED)], rateLimits }) },
});
// Every sandbox container this file's runner creates passes the hardening check (issue 5, acceptance 1).
everySandboxHardened([stack.runnerName], async () => [await realpath(stack.privateWorkspaces)]);
beforeAll(() => stack.start(), 120_000);
afterAll(() => stack.stop(), 60_000);

describe("chat commands end to end", () => {
  it("/write then /read round-trips multi-line content, and /ls lists it", async () => {
    const content = "first line\n  indented second\n\ttabbed third";
    expect(await say(stack, OWNER_ID, `/write notes/todo.md\n${content}`)).toBe(
      `✅ Created /workspace/notes/todo.md (${content.length} B)`,
    );
    expect(await say(stack, OWNER_ID, "/read notes/todo.md")).toBe(`📄 /workspace/notes/todo.md (${content.length} B)\n${content}`);
    expect(await say(stack, OWNER_ID, "/write notes/todo.md replaced")).toBe("✅ Replaced /workspace/notes/todo.md (8 B)");
    expect(await say(stack, OWNER_ID, "/ls notes")).toBe("todo.md  (8 B)");
  });

  it("shows a file without the control characters a command planted in it", async () => {
    await say(stack, OWNER_ID, "/run printf 'safe\\033[2K\\033[1Ahidden\\342\\200\\256txt.exe' > /workspace/trick.txt");
    expect(await say(stack, OWNER_ID, "/read trick.txt")).toMatch(/^📄 \/workspace\/trick\.txt \(\d+ B\)\nsafehiddentxt\.exe$/);
  });

  it("refuses to write outside the workspace, and says how to use /write without content", async () => {
    expect(await say(stack, OWNER_ID, "/write ../../escape.txt gotcha")).toMatch(/^⚠️/);
    expect(await say(stack, OWNER_ID, "/run ls /workspace/.. /workspace")).not.toContain("escape.txt");
    expect(await say(stack, OWNER_ID, "/write empty.txt")).toMatch(/^Usage: \/write <path> <content>/);
    expect(await say(stack, OWNER_ID, "/read missing.txt")).toMatch(/^⚠️/);
  });

  it("/whoami and /status tell the owner who they are and whether the runner is there", async () => {
    const who = await say(stack, OWNER_ID, "/whoami");
    expect(who).toContain(`You are telegram:${OWNER_ID} on telegram.`);
    expect(who).toContain("Role: owner");
    expect(who).toContain("Session: main");
    expect(who).toContain("Tools you may use: exec, read, write, edit, ls");
    expect(await consoleSay(stack, "/status")).toBe(
      `Home runner ${stack.runnerName}: 🟢 online\nQueued calls: 0 waiting, 0 running\nYour role: owner`,
    );
  });

  it("a limited sender's /help lists no runner command, and their /read and /write reach nothing", async () => {
    const help = await say(stack, LIMITED, "/help");
    expect(help).toBe(
      [
        "Drawbridge commands:",
        "/status — is the home runner online, queued calls, your role",
        "/whoami — your id, role, session and the tools you may use",
        "/new — start a fresh conversation with the assistant",
        "/model — the model the assistant uses",
        "/help — this list",
      ].join("\n"),
    );
    expect(await say(stack, LIMITED, "/whoami")).toContain("Tools you may use: none");
    const calls = stack.runnerCalls().length;
    expect(await say(stack, LIMITED, "/read notes/todo.md")).toMatch(/^⛔ .*Nothing ran\.$/);
    expect(await say(stack, LIMITED, "/write pwned.txt x")).toMatch(/^⛔ .*Nothing ran\.$/);
    // Barrier: the owner's call after theirs has run, so theirs would have reached the runner by now.
    expect(await say(stack, OWNER_ID, "/ls")).toContain("notes/");
    expect(stack.runnerCalls().length).toBe(calls + 1);
    expect(stack.runnerCalls().join("\n")).not.toContain(`telegram:${LIMITED}`);
    const audit = await stack.read(AuditList, "GET", "/api/audit?limit=50");
    const denied = audit.events.filter((event) => event.kind === "permission.denied" && event.actor === `telegram:${LIMITED}`);
    expect(denied.map((event) => event.detail.tool).sort()).toEqual(["read", "write"]);
  });
});
