import { describe, expect, it } from "vitest";
import {
  approvalPrompts,
  expectNothingElseRan,
  gateWithRunner,
  listApprovals,
  promptEdits,
  whileRunnerAnswers,
} from "./approval-harness.js";
import { AuditList } from "../../shared/admin-api.js";
import { readError, readJson } from "../support/read-json.js";
import { ApprovalDecided } from "../../shared/admin-api.js";
import { newBotId, newUserId } from "./test-ids.js";

const OWNER = newUserId();
const TRUSTED = newUserId();
const access = { dmPolicy: "allowlist", allowFrom: [String(TRUSTED)], roles: { [String(TRUSTED)]: "trusted" } };

describe("GET/POST /api/approvals", async () => {
  const { gate, runner } = await gateWithRunner(newBotId(), OWNER, access);

  async function ask(command: string): Promise<string> {
    await gate.dm(TRUSTED, `/run ${command}`);
    const id = (await approvalPrompts(gate)).at(-1)?.id;
    expect((await gate.messagesTo(TRUSTED)).at(-1)).toContain(`Approval ${id}`);
    return id!;
  }
  const decide = (id: string, body: unknown) => gate.api("POST", `/api/approvals/${id}`, body);

  it("needs the gateway token", async () => {
    expect((await gate.api("GET", "/api/approvals", undefined, null)).status).toBe(401);
    expect((await gate.api("POST", `/api/approvals/${"a".repeat(24)}`, { decision: "allow" }, "wrong-token")).status).toBe(401);
  });

  it("refuses bad input with 400 and an unknown id with 404, changing nothing", async () => {
    for (const query of ["state=maybe", "limit=0", "limit=x", "color=red"]) {
      const response = await gate.api("GET", `/api/approvals?${query}`);
      expect(response.status).toBe(400);
      expect((await readError(response)).code).toBe("bad_request");
    }
    const id = await ask("echo bad-input");
    for (const body of [{}, { decision: "maybe" }, { decision: "allow", extra: 1 }, "allow"]) {
      const response = await decide(id, body);
      expect(response.status).toBe(400);
      // What was expected, then the first bad key.
      expect((await readError(response)).message).toMatch(/^expected \{"decision":"allow"\|"deny"\} — (decision|body): \S/);
    }
    for (const badId of ["nope", "A".repeat(24), `${id}0`]) {
      expect((await decide(badId, { decision: "allow" })).status).toBe(400);
    }
    const unknown = await decide("0".repeat(24), { decision: "allow" });
    expect(unknown.status).toBe(404);
    expect((await readError(unknown)).code).toBe("not_found");
    expect((await listApprovals(gate)).find((approval) => approval.id === id)?.state).toBe("pending");
    expect((await decide(id, { decision: "deny" })).status).toBe(200);
    await expectNothingElseRan(gate, runner, "barrier-bad-input");
  });

  it("lists a pending approval, allows it once (it runs once), then answers 409 to any second decision", async () => {
    const id = await ask("echo via-api");
    expect((await listApprovals(gate)).find((approval) => approval.id === id)).toMatchObject({
      state: "pending",
      tool: "exec",
      label: "/run echo via-api",
      sender: `telegram:${TRUSTED}`,
      role: "trusted",
      decidedBy: null,
    });
    // A simple command comes back from the policy re-quoted; the prompt shows exactly what will run.
    const shown = /^Command: (.*)$/m.exec((await approvalPrompts(gate)).at(-1)?.text ?? "")?.[1];
    expect(shown).toBe("'echo' 'via-api'");
    let response: Response | undefined;
    await whileRunnerAnswers(runner, async () => (response = await decide(id, { decision: "allow-once" })));
    expect(response?.status).toBe(200);
    expect(await readJson(response!, ApprovalDecided)).toMatchObject({
      ok: true,
      approval: { id, state: "allowed", decidedBy: "admin" },
      result: `ran: ${shown}`,
    });
    expect((await gate.messagesTo(TRUSTED)).at(-1)).toBe(`✅ The owner allowed /run echo via-api.\n\nran: ${shown}`);
    expect(await promptEdits(gate, id)).toEqual([expect.stringMatching(/^✅ Allowed once by the admin API/)]);

    for (const decision of ["allow", "deny"]) {
      const again = await decide(id, { decision });
      expect(again.status).toBe(409);
      expect(await readError(again)).toEqual({
        code: "conflict",
        message: `Approval ${id} was already allowed by admin; nothing changed.`,
      });
    }
    await expectNothingElseRan(gate, runner, "barrier-after-api-allow");
    expect(runner.executed.filter((command) => command === shown)).toHaveLength(1);
    expect((await listApprovals(gate)).map((approval) => approval.id)).not.toContain(id);
    expect((await listApprovals(gate, "allowed")).map((approval) => approval.id)).toContain(id);
  });

  it("denies: the sender is told, nothing runs, and the decision is audited with who made it", async () => {
    const id = await ask("echo never");
    const response = await decide(id, { decision: "deny" });
    expect(response.status).toBe(200);
    expect(await readJson(response, ApprovalDecided)).toMatchObject({
      ok: true,
      approval: { id, state: "denied", decidedBy: "admin" },
      result: null,
    });
    expect((await gate.messagesTo(TRUSTED)).at(-1)).toBe("❌ The owner denied /run echo never; nothing ran.");
    await expectNothingElseRan(gate, runner, "barrier-after-api-deny");
    const audit = await readJson(await gate.api("GET", "/api/audit?limit=100"), AuditList);
    expect(audit.events).toContainEqual(
      expect.objectContaining({ kind: "approval.decided", actor: "admin", detail: expect.objectContaining({ id, decision: "deny" }) }),
    );
  });
});
