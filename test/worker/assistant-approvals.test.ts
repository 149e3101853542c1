import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConsoleReply } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";
import { expireSession, listApprovals } from "./approval-harness.js";
import { assistantGate, dmSession, standIn, toolResultsIn, turnOver, waitForMessage } from "./assistant-harness.js";
import { newUserId } from "./test-ids.js";

// A trusted sender's exec needs the owner's approval by default (no allowlisted commands): the turn pauses on it.
async function askingTurn(label: string) {
  const trusted = newUserId();
  const setup = await assistantGate({ dmPolicy: "allowlist", allowFrom: [String(trusted)], roles: { [trusted]: "trusted" } });
  const command = `echo ${label}`;
  await standIn.script(
    setup.model,
    { kind: "tool_calls", calls: [{ id: `call_${label}`, name: "exec", input: { command } }] },
    { kind: "text", text: `done with ${label}` },
  );
  await setup.gate.dm(trusted, `please run ${label}`);
  await waitForMessage(setup.gate, trusted, (text) => text.startsWith("🔐 Waiting for the owner's approval"));
  const approval = (await listApprovals(setup.gate)).find((listed) => listed.sender === `telegram:${trusted}`);
  if (!approval) throw new Error("no approval was asked");
  return { ...setup, trusted, approval, session: dmSession(trusted) };
}

describe("a tool call the policy asks about pauses the turn (acceptance 3)", () => {
  it("Allow once: the call runs once and the turn finishes with the model's answer", async () => {
    const { gate, runner, model, trusted, approval, session } = await askingTurn("allowed");
    expect(runner.executed).toEqual([]);
    const [call] = await Promise.all([runner.answerNext(), gate.api("POST", `/api/approvals/${approval.id}`, { decision: "allow" })]);
    expect(call.request).toMatchObject({ tool: "exec", args: { command: expect.stringContaining("allowed") } });
    await waitForMessage(gate, trusted, (text) => text === "done with allowed");
    await turnOver(session);
    expect(runner.executed).toHaveLength(1);
    const [result] = toolResultsIn((await standIn.requests(model))[1]);
    // The runner's answer, inside the block (the policy re-quotes the command it was shown).
    expect(result).toMatch(/--- stdout ---\nran: 'echo' 'allowed'/);
  });

  it("Deny: nothing runs, the model is told, and the sender gets its text", async () => {
    const { gate, runner, model, trusted, approval, session } = await askingTurn("denied");
    await gate.api("POST", `/api/approvals/${approval.id}`, { decision: "deny" });
    await waitForMessage(gate, trusted, (text) => text === "done with denied");
    await turnOver(session);
    expect(runner.executed).toEqual([]);
    const [result] = toolResultsIn((await standIn.requests(model))[1]);
    expect(result).toMatch(/owner denied/i);
  });

  it("no tap before the expiry (clock advanced): denied, and the model and sender are told", async () => {
    const { gate, runner, model, trusted, approval, session } = await askingTurn("expired");
    await expireSession(gate, session, 10 * 60_000);
    await waitForMessage(gate, trusted, (text) => text === "done with expired");
    await turnOver(session);
    expect(runner.executed).toEqual([]);
    expect(toolResultsIn((await standIn.requests(model))[1])[0]).toMatch(/not approved in time/);
    expect((await listApprovals(gate, "expired")).some((listed) => listed.id === approval.id)).toBe(true);
  });

  it("a restart of the Assistant while it waits loses nothing: Allow after it still finishes the turn", async () => {
    const { gate, runner, trusted, approval, session } = await askingTurn("restarted");
    const stub = env.ASSISTANT.get(env.ASSISTANT.idFromName(session));
    // The object is reset: everything in memory is gone, storage is what a new instance starts from.
    await runInDurableObject(stub, (_instance, state) => state.abort("a test restart")).catch(() => undefined);
    const [call] = await Promise.all([runner.answerNext(), gate.api("POST", `/api/approvals/${approval.id}`, { decision: "allow" })]);
    expect(call.type).toBe("call");
    await waitForMessage(gate, trusted, (text) => text === "done with restarted");
    await turnOver(session);
    expect(runner.executed).toHaveLength(1);
  });
});

describe("the console (POST /api/messages) waits for a turn that paused", () => {
  it("the owner's console message whose exec needs approval answers with the final text once the owner allows", async () => {
    const { gate, runner, model } = await assistantGate({ tools: { roles: { owner: { exec: { ask: "always" } } } } });
    await standIn.script(
      model,
      { kind: "tool_calls", calls: [{ name: "exec", input: { command: "echo console" } }] },
      { kind: "text", text: "console turn finished" },
    );
    const answer = gate.api("POST", "/api/messages", { text: "run echo console for me" });
    let approval: { id: string } | undefined;
    for (let i = 0; i < 200 && !approval; i++) {
      approval = (await listApprovals(gate)).find((listed) => listed.label.includes("echo console"));
      if (!approval) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(approval).toBeDefined();
    await Promise.all([runner.answerNext(), gate.api("POST", `/api/approvals/${approval?.id ?? ""}`, { decision: "allow" })]);
    const { reply } = await readJson(await answer, ConsoleReply);
    expect(reply).toMatch(/^🔐 Waiting for the owner's approval/);
    expect(reply).toMatch(/console turn finished$/);
  });
});
