import { describe, expect, it } from "vitest";
import { commandCall, parseCommand, toolOf, type ChatCommand } from "../../worker/conversation/commands.js";
import { formatExecReply, MAX_REPLY_CHARS } from "../../worker/replies/format-reply.js";

describe("parseCommand", () => {
  const table: [string, ChatCommand][] = [
    ["/run echo hi", { kind: "run", command: "echo hi" }],
    ["  /run   ls -la  ", { kind: "run", command: "ls -la" }],
    ["/run@Drawbridge_bot uname -a", { kind: "run", command: "uname -a" }],
    ["/RUN echo a", { kind: "run", command: "echo a" }],
    ["/run", { kind: "run", command: "" }],
    ["/runx", { kind: "unknown", name: "runx" }],
    ["/read notes/todo.md", { kind: "read", path: "notes/todo.md" }],
    ["/read my file.txt", { kind: "read", path: "my file.txt" }],
    ["/read", { kind: "read", path: "" }],
    ["/write a.txt hello world", { kind: "write", path: "a.txt", content: "hello world" }],
    ["/write a.txt\nline 1\n  line 2", { kind: "write", path: "a.txt", content: "line 1\n  line 2" }],
    ["/write a.txt  \n\nafter a blank line", { kind: "write", path: "a.txt", content: "\nafter a blank line" }],
    ["/write a.txt\r\nwindows", { kind: "write", path: "a.txt", content: "windows" }],
    ["/write\ta.txt\tx\ty", { kind: "write", path: "a.txt", content: "x\ty" }],
    ["/write a.txt", { kind: "write", path: "a.txt", content: "" }],
    ["/write", { kind: "write", path: "", content: "" }],
    ["/ls", { kind: "ls", path: "" }],
    ["/ls src", { kind: "ls", path: "src" }],
    ["/status", { kind: "status" }],
    ["/whoami extra words", { kind: "whoami" }],
    ["/help", { kind: "help" }],
    ["/start", { kind: "help" }],
    ["/rm -rf /", { kind: "unknown", name: "rm" }],
    ["hello /run echo hi", { kind: "text" }],
    ["run echo hi", { kind: "text" }],
    ["/ run echo", { kind: "text" }],
    ["/run-x", { kind: "text" }],
    ["", { kind: "text" }],
  ];
  it.each(table)("%j → %j", (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });
});

describe("toolOf and commandCall", () => {
  it("maps each tool command to the tool the gatekeeper limits and audits", () => {
    expect(
      ["/run x", "/read a", "/write a b", "/ls", "/status", "/whoami", "/help", "/nope", "hi"].map((t) => toolOf(parseCommand(t))),
    ).toEqual(["exec", "read", "write", "ls", null, null, null, null, null]);
  });

  it("builds the request the runner gets, with the label a late reply quotes", () => {
    expect(commandCall(parseCommand("/write n.md\nbuy milk"))).toEqual({
      kind: "call",
      request: { tool: "write", args: { path: "n.md", content: "buy milk" } },
      label: "/write n.md",
    });
    expect(commandCall(parseCommand("/read n.md"))).toMatchObject({ request: { tool: "read", args: { path: "n.md" } } });
    expect(commandCall(parseCommand("/ls"))).toMatchObject({ request: { tool: "ls", args: {} }, label: "/ls" });
  });

  it("answers usage, not a call, for a missing argument or empty /write content", () => {
    for (const text of ["/run", "/read", "/read   ", "/write", "/write a.txt", "/write a.txt   \n"]) {
      expect(commandCall(parseCommand(text))).toMatchObject({ kind: "usage", text: expect.stringMatching(/^Usage: \//) as unknown });
    }
  });
});

describe("read and write replies", () => {
  const read = (content: string) => formatExecReply({ ok: true, output: { tool: "read", path: "a.txt", content, bytes: content.length } });

  it("shows the file under a header, without control characters or direction overrides", () => {
    expect(read("line 1\n\tline 2\u001b[31m red\u0007\u202egnp.exe")).toBe("📄 a.txt (32 B)\nline 1\n\tline 2 redgnp.exe");
    expect(read("")).toBe("📄 a.txt (0 B): (empty)");
  });

  it("clamps a long file to one Telegram message and says so", () => {
    const reply = read("x".repeat(10_000));
    expect(reply.length).toBeLessThanOrEqual(MAX_REPLY_CHARS);
    expect(reply).toMatch(/^📄 a\.txt \(10000 B\)\nxxx/);
    expect(reply.endsWith("… [file truncated]")).toBe(true);
  });

  it("says whether a write created or replaced the file", () => {
    expect(formatExecReply({ ok: true, output: { tool: "write", path: "a.txt", bytes: 5, created: true } })).toBe("✅ Created a.txt (5 B)");
    expect(formatExecReply({ ok: true, output: { tool: "write", path: "a.txt", bytes: 5, created: false } })).toBe(
      "✅ Replaced a.txt (5 B)",
    );
  });
});
