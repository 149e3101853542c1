import { describe, expect, it } from "vitest";
import { approvalPrompts, expectNothingElseRan, gateWithRunner, listApprovals, promptEdits, tap } from "./approval-harness.js";
import { AuditList } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";
import { ApprovalDecided } from "../../shared/admin-api.js";
import { newBotId, newUserId } from "./test-ids.js";

const OWNER = newUserId();
const BLOCKED_LATER = newUserId();
const LIMITED_LATER = newUserId();
const REVOKED_LATER = newUserId();
const access = {
  dmPolicy: "allowlist",
  allowFrom: [String(BLOCKED_LATER), String(LIMITED_LATER)],
  roles: { [String(LIMITED_LATER)]: "trusted" },
};
// The owner's Allow is checked against the sender as they stand at that moment, not when they asked.
describe("an Allow re-checks the sender's current standing (approvals hardening 1)", async () => {
  const { gate, runner } = await gateWithRunner(newBotId(), OWNER, access);

  async function ask(senderId: number, command: string): Promise<string> {
    await gate.dm(senderId, `/run ${command}`);
    expect((await gate.messagesTo(senderId)).at(-1)).toMatch(/^🔐 Needs the owner's approval/);
    return (await approvalPrompts(gate)).at(-1)!.id;
  }
  const refusals = async (id: string) =>
    (await readJson(await gate.api("GET", "/api/audit?limit=200"), AuditList)).events.filter(
      (event) => event.kind === "approval.refused" && event.detail.id === id,
    );

  it("blocked after asking: the owner's tap runs nothing, the owner is told why, the blocked sender hears nothing", async () => {
    // Trusted by the owner's own grant (not the config), then blocked by the owner before they decide.
    expect((await gate.api("PUT", `/api/allow/telegram/${BLOCKED_LATER}`, { role: "trusted" })).status).toBe(200);
    const id = await ask(BLOCKED_LATER, "cat ~/.ssh/id_ed25519");
    const heardBefore = (await gate.messagesTo(BLOCKED_LATER)).length;
    expect((await gate.api("PUT", `/api/allow/telegram/${BLOCKED_LATER}`, { role: "blocked" })).status).toBe(200);

    expect(await tap(gate, OWNER, `ap:${id}:allow`)).toBe(`Not run: telegram:${BLOCKED_LATER} is now blocked; nothing ran.`);
    expect(await promptEdits(gate, id)).toEqual([
      expect.stringMatching(new RegExp(`^🚫 Allowed by telegram:${OWNER}, but not run: telegram:${BLOCKED_LATER} is now blocked`)),
    ]);
    expect(await gate.messagesTo(BLOCKED_LATER)).toHaveLength(heardBefore);
    expect((await listApprovals(gate, "denied")).find((approval) => approval.id === id)).toMatchObject({ decidedBy: `telegram:${OWNER}` });
    expect(await refusals(id)).toEqual([
      expect.objectContaining({ actor: `telegram:${OWNER}`, detail: expect.objectContaining({ roleNow: "blocked" }) }),
    ]);
    // Decided for good: a second tap changes nothing, and nothing reached the runner.
    expect(await tap(gate, OWNER, `ap:${id}:allow`)).toMatch(/already denied/);
    await expectNothingElseRan(gate, runner, "barrier-after-blocked");
    expect(runner.executed).not.toContain("cat ~/.ssh/id_ed25519");
  });

  it("narrowed to limited in the config: the API's allow runs nothing, says why, and the sender is told nothing ran", async () => {
    const id = await ask(LIMITED_LATER, "echo still-trusted?");
    const original = gate.env.DRAWBRIDGE_ACCESS;
    Object.assign(gate.env, { DRAWBRIDGE_ACCESS: JSON.stringify({ ...access, roles: { [String(LIMITED_LATER)]: "limited" } }) });
    try {
      const response = await gate.api("POST", `/api/approvals/${id}`, { decision: "allow" });
      expect(response.status).toBe(200);
      expect(await readJson(response, ApprovalDecided)).toMatchObject({
        approval: { id, state: "denied", decidedBy: "admin" },
        message: expect.stringMatching(
          new RegExp(`^Not run: telegram:${LIMITED_LATER} is now limited: exec is not part of the "messaging"`),
        ),
        result: null,
      });
      expect((await gate.messagesTo(LIMITED_LATER)).at(-1)).toBe(
        "⛔ /run echo still-trusted? did not run: your permissions changed since you asked.",
      );
      await expectNothingElseRan(gate, runner, "barrier-after-limited");
    } finally {
      Object.assign(gate.env, { DRAWBRIDGE_ACCESS: original });
    }
  });

  it("revoked after asking: nothing runs, and the sender (a stranger again) gets nothing back", async () => {
    expect((await gate.api("PUT", `/api/allow/telegram/${REVOKED_LATER}`, { role: "trusted" })).status).toBe(200);
    const id = await ask(REVOKED_LATER, "echo revoked");
    const heardBefore = (await gate.messagesTo(REVOKED_LATER)).length;
    expect((await gate.api("DELETE", `/api/allow/telegram/${REVOKED_LATER}`)).status).toBe(200);

    const response = await gate.api("POST", `/api/approvals/${id}`, { decision: "allow-once" });
    expect((await readJson(response, ApprovalDecided)).message).toBe(
      `Not run: telegram:${REVOKED_LATER} is no longer allowed to use the bot; nothing ran.`,
    );
    expect(await gate.messagesTo(REVOKED_LATER)).toHaveLength(heardBefore);
    expect(await refusals(id)).toHaveLength(1);
    await expectNothingElseRan(gate, runner, "barrier-after-revoked");
    expect(runner.executed).not.toContain("'echo' 'revoked'");
  });

  it("a sender whose standing did not change still gets their Allow (the re-check refuses only what changed)", async () => {
    const id = await ask(LIMITED_LATER, "echo unchanged");
    const [call] = await Promise.all([runner.answerNext(), tap(gate, OWNER, `ap:${id}:allow`)]);
    expect((call.request as { args: { command: string } }).args.command).toBe("'echo' 'unchanged'");
    expect((await gate.messagesTo(LIMITED_LATER)).at(-1)).toBe("✅ The owner allowed /run echo unchanged.\n\nran: 'echo' 'unchanged'");
  });
});
