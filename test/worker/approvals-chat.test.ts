import { describe, expect, it } from "vitest";
import {
  approvalPrompts,
  expectNothingElseRan,
  expireSession,
  gateWithRunner,
  listApprovals,
  promptEdits,
  tap,
  whileRunnerAnswers,
} from "./approval-harness.js";
import { AuditList } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";
import { newBotId, newUserId } from "./test-ids.js";

const OWNER = newUserId();
const TRUSTED = newUserId();
const LIMITED = newUserId();
const access = {
  dmPolicy: "allowlist",
  allowFrom: [String(TRUSTED), String(LIMITED)],
  roles: { [String(TRUSTED)]: "trusted", [String(LIMITED)]: "limited" },
};

// Default policy: a trusted sender's exec is allowlist + ask on-miss with an empty allowlist, so every /run asks.
describe("approval from the owner's chat buttons (issue 6, acceptance 3)", async () => {
  const { gate, runner } = await gateWithRunner(newBotId(), OWNER, access);

  async function askFor(command: string): Promise<{ id: string; text: string }> {
    const before = (await approvalPrompts(gate)).length;
    await gate.dm(TRUSTED, `/run ${command}`);
    expect((await gate.messagesTo(TRUSTED)).at(-1)).toMatch(/^🔐 Needs the owner's approval: .*\n.*nothing runs unless they allow it/s);
    const prompts = await approvalPrompts(gate);
    expect(prompts).toHaveLength(before + 1);
    const prompt = prompts.at(-1)!;
    expect(prompt.buttons.map((button) => button.text)).toEqual(["✅ Allow once", "❌ Deny"]);
    expect(prompt.buttons.map((button) => button.callback_data)).toEqual([`ap:${prompt.id}:allow`, `ap:${prompt.id}:deny`]);
    for (const button of prompt.buttons) expect(new TextEncoder().encode(button.callback_data).length).toBeLessThanOrEqual(64);
    return prompt;
  }

  it("Allow once runs the command exactly once and the sender gets the output; a stranger's tap and a second tap change nothing", async () => {
    const prompt = await askFor("echo approved > /tmp/x");
    expect(prompt.text).toContain("Command: echo approved > /tmp/x");
    expect(prompt.text).toContain(`For: telegram:${TRUSTED} (User${TRUSTED}), role trusted`);
    expect(prompt.text).toMatch(/Expires in 5 min/);

    // Someone else taps the owner's button (a forwarded prompt): refused, audited, still pending.
    expect(await tap(gate, TRUSTED, `ap:${prompt.id}:allow`)).toBe("not allowed");
    expect((await listApprovals(gate)).find((approval) => approval.id === prompt.id)?.state).toBe("pending");
    const audit = await readJson(await gate.api("GET", "/api/audit?limit=50"), AuditList);
    expect(audit.events).toContainEqual(expect.objectContaining({ kind: "approval.callback_refused", actor: `telegram:${TRUSTED}` }));
    expect(runner.executed).toEqual([]);

    const call = await whileRunnerAnswers(runner, async () =>
      expect(await tap(gate, OWNER, `ap:${prompt.id}:allow`)).toMatch(/Allowed once/),
    );
    expect((call.request as { args: { command: string } }).args.command).toBe("echo approved > /tmp/x");
    expect((await gate.messagesTo(TRUSTED)).at(-1)).toBe(
      "✅ The owner allowed /run echo approved > /tmp/x.\n\nran: echo approved > /tmp/x",
    );
    expect(await promptEdits(gate, prompt.id)).toEqual([expect.stringMatching(new RegExp(`^✅ Allowed once by telegram:${OWNER}`))]);

    // A second tap is refused with the outcome, and nothing runs again.
    expect(await tap(gate, OWNER, `ap:${prompt.id}:allow`)).toMatch(/already allowed/);
    expect(await tap(gate, OWNER, `ap:${prompt.id}:deny`)).toMatch(/already allowed/);
    await expectNothingElseRan(gate, runner, "barrier-after-allow");
    expect(runner.executed.filter((command) => command === "echo approved > /tmp/x")).toHaveLength(1);
  });

  it("Deny tells the sender and nothing runs", async () => {
    const prompt = await askFor("rm -rf ~/notes");
    expect(await tap(gate, OWNER, `ap:${prompt.id}:deny`)).toMatch(/Denied/);
    expect((await gate.messagesTo(TRUSTED)).at(-1)).toBe("❌ The owner denied /run rm -rf ~/notes; nothing ran.");
    expect(await promptEdits(gate, prompt.id)).toEqual([expect.stringMatching(/^❌ Denied by telegram:\d+ — nothing ran/)]);
    expect(await tap(gate, OWNER, `ap:${prompt.id}:allow`)).toMatch(/already denied/);
    await expectNothingElseRan(gate, runner, "barrier-after-deny");
  });

  it("no tap before the expiry means deny: the sender is told, a late tap is refused, nothing runs", async () => {
    const prompt = await askFor("echo too-late");
    const listed = (await listApprovals(gate)).find((approval) => approval.id === prompt.id);
    expect(listed).toMatchObject({ state: "pending", sender: `telegram:${TRUSTED}`, label: "/run echo too-late" });
    await expireSession(gate, listed!.session, 5 * 60_000 + 1_000);
    expect((await gate.messagesTo(TRUSTED)).at(-1)).toBe("⌛ /run echo too-late was not approved in time; nothing ran.");
    expect(await promptEdits(gate, prompt.id)).toEqual([expect.stringMatching(/^⌛ Expired without a decision — nothing ran/)]);
    expect((await listApprovals(gate, "expired")).map((approval) => approval.id)).toContain(prompt.id);
    expect(await tap(gate, OWNER, `ap:${prompt.id}:allow`)).toMatch(/already expired/);
    await expectNothingElseRan(gate, runner, "barrier-after-expiry");
    const audit = await readJson(await gate.api("GET", "/api/audit?limit=100"), AuditList);
    const kinds = audit.events.filter((event) => event.detail.id === prompt.id).map((event) => event.kind);
    expect(kinds.sort()).toEqual(["approval.asked", "approval.expired"]);
  });
});

describe("a limited sender's /run (issue 6, acceptance 4)", async () => {
  const { gate, runner } = await gateWithRunner(newBotId(), OWNER, access);

  it("is refused with the reason and reaches neither the tunnel nor the runner; the owner is not asked", async () => {
    const ownerBefore = (await gate.sentTo(OWNER)).length;
    await gate.dm(LIMITED, "/run cat /etc/passwd");
    expect(await gate.messagesTo(LIMITED)).toEqual([
      expect.stringMatching(/^⛔ exec is not part of the "messaging" tool profile.*Nothing ran\.$/),
    ]);
    expect((await gate.sentTo(OWNER)).length).toBe(ownerBefore);
    const status = await (await gate.api("GET", `/api/runners/${gate.env.DEFAULT_RUNNER}`)).json<Record<string, unknown>>();
    expect(status).toMatchObject({ queueDepth: 0, inFlight: 0 });
    await expectNothingElseRan(gate, runner, "barrier-after-limited");
    const audit = await readJson(await gate.api("GET", "/api/audit?limit=50"), AuditList);
    expect(audit.events).toContainEqual(expect.objectContaining({ kind: "permission.denied", actor: `telegram:${LIMITED}` }));
  });
});
