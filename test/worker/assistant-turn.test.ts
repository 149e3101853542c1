import { describe, expect, it } from "vitest";
import { assistantGate, dmSession, standIn, toolResultsIn, toolsOffered, turnOver, waitForMessage } from "./assistant-harness.js";
import { newUserId } from "./test-ids.js";

const START = /<<<UNTRUSTED_CONTENT id="([0-9a-f]{16,})" source="[^"]*">>>/g;
const END = /<<<END_UNTRUSTED_CONTENT id="([0-9a-f]{16,})">>>/g;

describe("an assistant turn (acceptance 1)", () => {
  it("the owner asks in plain language; the model's ls runs on the runner; the result comes back in one marker block; the owner gets the answer", async () => {
    const { gate, runner, model, owner } = await assistantGate();
    await standIn.script(
      model,
      { kind: "tool_calls", calls: [{ id: "call_ls_1", name: "ls", input: {} }] },
      { kind: "text", text: "Your workspace has notes.txt." },
    );

    const [call] = await Promise.all([runner.answerNext(), gate.dm(owner, "what is in my workspace?")]);
    expect(call.request).toEqual({ tool: "ls", args: {} });
    const messages = await waitForMessage(gate, owner, (text) => text === "Your workspace has notes.txt.");
    await turnOver(dmSession(owner));
    expect(messages.filter((text) => text.includes("notes.txt"))).toHaveLength(1);

    const requests = await standIn.requests(model);
    expect(requests).toHaveLength(2);
    // The owner may use every tool the coding profile has; the model is offered them with schemas.
    expect(toolsOffered(requests[0])).toEqual(expect.arrayContaining(["exec", "read", "write", "edit", "ls"]));
    const [result] = toolResultsIn(requests[1]);
    const starts = [...(result ?? "").matchAll(START)];
    const ends = [...(result ?? "").matchAll(END)];
    expect(starts).toHaveLength(1);
    expect(ends).toHaveLength(1);
    expect(starts[0]?.[1]).toBe(ends[0]?.[1]);
    expect(result).toContain("ran: "); // what the runner answered, inside the block
  });

  it("a second message sees the first exchange; /new forgets it; another sender's session never sees it (acceptance 8)", async () => {
    const peer = newUserId();
    const { gate, model, owner } = await assistantGate({ dmPolicy: "allowlist", allowFrom: [String(peer)], roles: { [peer]: "trusted" } });
    await standIn.script(model, { kind: "text", text: "Noted: your cat is Miso." }, { kind: "text", text: "Your cat is Miso." });
    await gate.dm(owner, "my cat is called Miso");
    await waitForMessage(gate, owner, (text) => text === "Noted: your cat is Miso.");
    await turnOver(dmSession(owner));
    await gate.dm(owner, "what is my cat called?");
    await waitForMessage(gate, owner, (text) => text === "Your cat is Miso.");
    await turnOver(dmSession(owner));
    const second = JSON.stringify((await standIn.requests(model))[1]?.body);
    expect(second).toContain("my cat is called Miso");
    expect(second).toContain("Noted: your cat is Miso.");

    // Another sender under per-channel-peer has a session of their own: the owner's words are not in it.
    await standIn.script(model, { kind: "text", text: "Hello peer." });
    await gate.dm(peer, "what do you know about cats?");
    await waitForMessage(gate, peer, (text) => text === "Hello peer.");
    await turnOver(dmSession(peer));
    expect(JSON.stringify((await standIn.requests(model))[2]?.body)).not.toContain("Miso");

    await standIn.script(model, { kind: "text", text: "I don't know." });
    await gate.dm(owner, "/new");
    expect((await gate.messagesTo(owner)).at(-1)).toMatch(/^🆕 New conversation: I forgot the last \d+ messages/);
    await gate.dm(owner, "what is my cat called?");
    await waitForMessage(gate, owner, (text) => text === "I don't know.");
    const afterNew = JSON.stringify((await standIn.requests(model))[3]?.body);
    expect(afterNew).toContain("what is my cat called?");
    expect(afterNew).not.toContain("Miso");
  });

  it("with no model configured, plain text gets one line saying how to set one, and commands still work", async () => {
    const { gate, owner } = await assistantGate();
    Object.assign(gate.env, { DRAWBRIDGE_MODEL: "" });
    await gate.dm(owner, "hello?");
    expect((await gate.messagesTo(owner)).at(-1)).toMatch(/^No model is configured.*DRAWBRIDGE_MODEL/);
    await gate.dm(owner, "/model");
    expect((await gate.messagesTo(owner)).at(-1)).toMatch(/^No model is configured/);
  });

  it("/model names the model and where it runs, never the key", async () => {
    const { gate, model, owner } = await assistantGate();
    await gate.dm(owner, "/model");
    const line = (await gate.messagesTo(owner)).at(-1) ?? "";
    expect(line).toBe(`Model: openai:${model} at ${new URL(standIn.baseUrl).host}.`);
    expect(line).not.toContain("sk-");
  });
});

describe("GET /api/status names the model", () => {
  it("as provider:model, never the key", async () => {
    const { gate, model } = await assistantGate();
    const response = await gate.api("GET", "/api/status");
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ model: `openai:${model}` });
    expect(body).not.toContain("sk-drawbridge");
  });
});
