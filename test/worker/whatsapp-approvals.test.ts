import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { app } from "../../worker/app.js";
import { readJson } from "../support/read-json.js";
import { ScriptedRunner } from "./approval-harness.js";
import { executionContext } from "./execution-context.js";
import { newRunnerName } from "./test-ids.js";
import { connectRunner, newKey, register } from "./tunnel-harness.js";
import { buttonsOf, waId, WhatsAppHarness, type GraphCall } from "./whatsapp-harness.js";

/**
 * Tool approvals for an owner who is only on WhatsApp (DRAWBRIDGE_OWNER=whatsapp:<wa_id>): the
 * prompt is a reply-buttons message to the owner's number, the owner's tap decides, nobody else's.
 */
const AuditList = z.object({
  events: z.array(z.object({ kind: z.string(), actor: z.string(), detail: z.record(z.string(), z.unknown()) })),
});
const ApprovalList = z.object({ approvals: z.array(z.object({ id: z.string(), state: z.string() })) });

async function whatsappOnlyOwner(): Promise<{ gate: WhatsAppHarness; runner: ScriptedRunner; owner: string; trusted: string }> {
  const owner = waId();
  const trusted = waId();
  const name = newRunnerName("wa-approvals");
  const key = await newKey();
  expect((await register(name, key)).status).toBe(201);
  const access = { dmPolicy: "allowlist", allowFrom: [trusted], roles: { [trusted]: "trusted" } };
  const gate = new WhatsAppHarness(owner, access, { DEFAULT_RUNNER: name, DRAWBRIDGE_OWNER: `whatsapp:${owner}` });
  const { tunnel } = await connectRunner(name, key);
  return { gate, runner: new ScriptedRunner(tunnel), owner, trusted };
}

async function admin(gate: WhatsAppHarness, path: string): Promise<Response> {
  return app.request(path, { headers: { authorization: `Bearer ${env.GATEWAY_TOKEN}` } }, gate.env, executionContext);
}

async function stateOf(gate: WhatsAppHarness, id: string): Promise<string | undefined> {
  const { approvals } = await readJson(await admin(gate, "/api/approvals?state=all&limit=200"), ApprovalList);
  return approvals.find((approval) => approval.id === id)?.state;
}

function bodyOf(call: GraphCall): string {
  return String((call.body.interactive as { body: { text: string } }).body.text);
}

/** The sender asks; returns the owner's reply-buttons prompt and the approval id it carries. */
async function ask(gate: WhatsAppHarness, owner: string, sender: string, command: string): Promise<{ prompt: GraphCall; id: string }> {
  await gate.text(sender, `/run ${command}`);
  const prompt = (await gate.sentTo(owner)).find((call) => call.body.type === "interactive" && bodyOf(call).includes(command));
  expect(prompt).toBeDefined();
  const id = /^ap:([0-9a-f]{24}):allow$/.exec(buttonsOf(prompt!)[0]?.id ?? "")?.[1];
  expect(id).toBeDefined();
  return { prompt: prompt!, id: id! };
}

async function waitFor(gate: WhatsAppHarness, to: string, match: (text: string) => boolean): Promise<void> {
  const until = Date.now() + 20_000;
  while (!(await gate.textsTo(to)).some(match)) {
    if (Date.now() > until) throw new Error(`no matching message to ${to}: ${JSON.stringify(await gate.textsTo(to))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("tool approvals for a WhatsApp-only owner", () => {
  it("prompts the owner with Allow once / Deny reply buttons, saying what would run and for whom", async () => {
    const { gate, owner, trusted } = await whatsappOnlyOwner();
    const { prompt, id } = await ask(gate, owner, trusted, "echo prompt-one");
    expect(buttonsOf(prompt)).toEqual([
      { title: "✅ Allow once", id: `ap:${id}:allow` },
      { title: "❌ Deny", id: `ap:${id}:deny` },
    ]);
    expect(bodyOf(prompt)).toContain(`For: whatsapp:${trusted}`);
    expect(bodyOf(prompt)).toMatch(/Command: .*prompt-one/);
    expect(await stateOf(gate, id)).toBe("pending");
  });

  it("another user's tap changes nothing and is audited; the owner's Deny runs nothing and tells the sender", async () => {
    const { gate, runner, owner, trusted } = await whatsappOnlyOwner();
    const { id } = await ask(gate, owner, trusted, "echo denied-one");
    await gate.tap(trusted, `ap:${id}:allow`);
    expect(await stateOf(gate, id)).toBe("pending");
    const { events } = await readJson(await admin(gate, "/api/audit?limit=500"), AuditList);
    const refused = events.filter((event) => event.kind === "approval.callback_refused" && event.actor === `whatsapp:${trusted}`);
    expect(refused.map((event) => event.detail.id)).toEqual([id]);

    await gate.tap(owner, `ap:${id}:deny`);
    expect(await stateOf(gate, id)).toBe("denied");
    await waitFor(gate, trusted, (text) => text.startsWith("❌ The owner denied /run echo denied-one; nothing ran."));
    await waitFor(gate, owner, (text) => text.includes(`❌ Denied by whatsapp:${owner} — nothing ran`));
    expect(runner.executed).toEqual([]);
  });

  it("the owner's Allow once runs the call once and the result reaches the sender", async () => {
    const { gate, runner, owner, trusted } = await whatsappOnlyOwner();
    const { id } = await ask(gate, owner, trusted, "echo allowed-one");
    await Promise.all([runner.answerNext(), gate.tap(owner, `ap:${id}:allow`)]);
    expect(runner.executed).toEqual(["'echo' 'allowed-one'"]);
    await waitFor(gate, trusted, (text) => text.includes("ran: 'echo' 'allowed-one'"));
    expect(await stateOf(gate, id)).toBe("allowed");
    await gate.tap(owner, `ap:${id}:allow`);
    expect(runner.executed).toEqual(["'echo' 'allowed-one'"]);
  });
});
