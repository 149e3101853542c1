import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { expectNothingElseRan } from "./approval-harness.js";
import { assistantGate, dmSession, standIn, toolResultsIn, toolsOffered, turnOver, waitForMessage } from "./assistant-harness.js";
import { newUserId } from "./test-ids.js";

const KEY = env.DRAWBRIDGE_MODEL_API_KEY ?? "";

describe("model last: the model is offered only what the sender may use (acceptance 2)", () => {
  it("a limited sender is offered no runner tool; a forced exec is refused in its result and never reaches the runner", async () => {
    const limited = newUserId();
    const { gate, runner, model } = await assistantGate({
      dmPolicy: "allowlist",
      allowFrom: [String(limited)],
      roles: { [limited]: "limited" },
    });
    await standIn.script(
      model,
      { kind: "tool_calls", calls: [{ id: "call_forced", name: "exec", input: { command: "cat /etc/passwd" } }] },
      { kind: "text", text: "I can't run commands for you." },
    );
    await gate.dm(limited, "run cat /etc/passwd");
    await waitForMessage(gate, limited, (text) => text === "I can't run commands for you.");
    await turnOver(dmSession(limited));
    const requests = await standIn.requests(model);
    expect(toolsOffered(requests[0])).toEqual([]);
    expect(toolResultsIn(requests[1])[0]).toMatch(/refused by the tool policy: .*Nothing ran\./s);
    await expectNothingElseRan(gate, runner, "after-forced-exec");
  });

  it("an unknown tool and arguments that fail the schema are refused with the reason, and nothing reaches the runner", async () => {
    const { gate, runner, model, owner } = await assistantGate();
    await standIn.script(
      model,
      {
        kind: "tool_calls",
        calls: [
          { id: "call_unknown", name: "browser", input: { url: "http://example.com" } },
          { id: "call_bad", name: "read", input: { file: "notes.txt" } },
        ],
      },
      { kind: "text", text: "Those did not work." },
    );
    await gate.dm(owner, "open a browser");
    await waitForMessage(gate, owner, (text) => text === "Those did not work.");
    await turnOver(dmSession(owner));
    const [unknown, bad] = toolResultsIn((await standIn.requests(model))[1]);
    expect(unknown).toMatch(/refused: /);
    expect(bad).toMatch(/refused: .*path/s);
    await expectNothingElseRan(gate, runner, "after-bad-calls");
  });
});

describe("caps (acceptance 5 and 9)", () => {
  it("a turn's tool calls count per call against the sender's tool bucket", async () => {
    const { gate, runner, model, owner } = await assistantGate({ rateLimits: { owner: { tool: { perMinute: 1, burst: 2 } } } });
    const ls = (id: string) => ({ id, name: "ls", input: {} });
    await standIn.script(
      model,
      { kind: "tool_calls", calls: [ls("call_a"), ls("call_b"), ls("call_c")] },
      { kind: "text", text: "two of three" },
    );
    const answering = (async () => {
      for (let i = 0; i < 2; i++) await runner.answerNext();
    })();
    await gate.dm(owner, "list three times");
    await answering;
    await waitForMessage(gate, owner, (text) => text === "two of three");
    await turnOver(dmSession(owner));
    const results = toolResultsIn((await standIn.requests(model))[1]);
    expect(results).toHaveLength(3);
    expect(results.slice(0, 2).every((result) => result.includes("ran: "))).toBe(true);
    // The third was refused at the edge, before the tunnel: its result says so, and the runner answered two.
    expect(results[2]).toMatch(/refused: too many tool calls/);
    expect(runner.executed).toHaveLength(2);
  });

  it("a model that asks for tools forever is stopped at the step cap, and the sender is told", async () => {
    const { gate, runner, model, owner } = await assistantGate({ assistant: { maxSteps: 3 } });
    await standIn.script(model, { kind: "tool_calls", calls: [{ name: "ls", input: {} }], repeat: true });
    const answering = (async () => {
      for (let i = 0; i < 3; i++) await runner.answerNext();
    })();
    await gate.dm(owner, "loop forever");
    await answering;
    await waitForMessage(gate, owner, (text) => text.startsWith("🛑 I stopped after 3 steps"));
    await turnOver(dmSession(owner));
    expect(await standIn.requests(model)).toHaveLength(3);
    await standIn.reset(model);
  });

  it("a 10,000-character answer arrives as ordered messages within Telegram's limit; broken Markdown arrives as sent", async () => {
    const { gate, model, owner } = await assistantGate();
    const paragraphs = Array.from({ length: 40 }, (_, i) => `Paragraph ${i + 1}: ${"word ".repeat(48)}`.trim());
    const long = paragraphs.join("\n\n");
    expect(long.length).toBeGreaterThan(10_000);
    await standIn.script(model, { kind: "text", text: long }, { kind: "text", text: "**bold _never closed [link(" });
    await gate.dm(owner, "write a lot");
    await waitForMessage(gate, owner, (text) => text.includes("Paragraph 40:"));
    await turnOver(dmSession(owner));
    const parts = (await gate.messagesTo(owner)).filter((text) => text.includes("Paragraph"));
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    expect(parts.join("\n\n")).toBe(long);
    await gate.dm(owner, "now something broken");
    await waitForMessage(gate, owner, (text) => text === "**bold _never closed [link(");
  });
});

describe("model failures reach the sender and the audit log; the key reaches nothing but the model (acceptance 6)", () => {
  it.each([
    ["401", { kind: "error", status: 401 } as const, /refused the API key \(401\)/, "auth"],
    ["500", { kind: "error", status: 500 } as const, /had an error \(500\); try again shortly/, "server"],
    ["garbage JSON", { kind: "garbage", body: "<html>not json" } as const, /sent an answer I could not read/, "malformed"],
    ["a timeout", { kind: "text", text: "too late", delayMs: 2500 } as const, /took too long to answer/, "timeout"],
  ])("%s", async (_name, reply, message, kind) => {
    const logged: string[] = [];
    const spies = (["log", "error", "warn"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" "))),
    );
    const { gate, model, owner } = await assistantGate({ assistant: { modelTimeoutSeconds: 1 } });
    await standIn.script(model, reply);
    await gate.dm(owner, `please answer (${kind})`);
    const messages = await waitForMessage(gate, owner, (text) => text.startsWith("⚠️"));
    await turnOver(dmSession(owner));
    for (const spy of spies) spy.mockRestore();
    const answer = messages.find((text) => text.startsWith("⚠️")) ?? "";
    expect(answer).toMatch(message);
    const audit = JSON.stringify(await (await gate.api("GET", "/api/audit?limit=200")).json());
    expect(audit).toContain(`"error":"${kind}"`);
    // The key went to the model endpoint (as its Authorization header) and nowhere else.
    const [request] = await standIn.requests(model);
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    for (const place of [audit, JSON.stringify(await gate.allCalls()), logged.join("\n")]) expect(place).not.toContain(KEY);
  });

  it("429 with retry-after is retried once, then answers", async () => {
    const { gate, model, owner } = await assistantGate();
    await standIn.script(model, { kind: "error", status: 429, headers: { "retry-after": "1" } }, { kind: "text", text: "after the wait" });
    await gate.dm(owner, "busy provider");
    await waitForMessage(gate, owner, (text) => text === "after the wait");
    expect(await standIn.requests(model)).toHaveLength(2);
  });
});

describe("the Anthropic Messages format", () => {
  it("the owner's ls turn works the same with an Anthropic-format model", async () => {
    const { gate, runner, model, owner } = await assistantGate({}, "anthropic");
    await standIn.script(
      model,
      { kind: "tool_calls", calls: [{ name: "ls", input: {} }] },
      { kind: "text", text: "Anthropic says: two files." },
    );
    const [call] = await Promise.all([runner.answerNext(), gate.dm(owner, "list my files")]);
    expect(call.request).toEqual({ tool: "ls", args: {} });
    await waitForMessage(gate, owner, (text) => text === "Anthropic says: two files.");
    const second = JSON.stringify((await standIn.requests(model))[1]?.body);
    expect(second.match(/<<<UNTRUSTED_CONTENT id=\\"[0-9a-f]{16,}\\"/g)).toHaveLength(1);
    const [request] = await standIn.requests(model);
    expect(request?.headers["x-api-key"]).toBe(KEY);
  });
});

describe("budgets per sender per day", () => {
  it("beyond the budget the sender is told once, later messages end quietly, commands still answer, and /status shows the use", async () => {
    const trusted = newUserId();
    const { gate, model } = await assistantGate({
      dmPolicy: "allowlist",
      allowFrom: [String(trusted)],
      roles: { [trusted]: "trusted" },
      assistant: { budgets: { trusted: { steps: 1, tokens: 1_000_000 } } },
    });
    await standIn.script(model, { kind: "text", text: "first answer", usage: { inputTokens: 40, outputTokens: 2 } });
    await gate.dm(trusted, "one");
    await waitForMessage(gate, trusted, (text) => text === "first answer");
    await turnOver(dmSession(trusted));
    await gate.dm(trusted, "two");
    await waitForMessage(gate, trusted, (text) => text.startsWith("📊 You have used today's assistant budget (1 steps, 42 tokens)"));
    await turnOver(dmSession(trusted));
    await gate.dm(trusted, "three");
    await turnOver(dmSession(trusted));
    await gate.dm(trusted, "/status");
    const messages = await gate.messagesTo(trusted);
    expect(messages.filter((text) => text.startsWith("📊"))).toHaveLength(1);
    expect(messages.at(-1)).toContain("Assistant today: 1/1 steps, 42/1000000 tokens");
    expect(await standIn.requests(model)).toHaveLength(1);
  });
});
