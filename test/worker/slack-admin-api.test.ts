import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AllowList, PairingList, PairingResult, RoleSet, StatusList } from "../../shared/admin-api.js";
import { app } from "../../worker/app.js";
import { readJson } from "../support/read-json.js";
import { executionContext } from "./execution-context.js";
import { dmOf, slackId, SlackHarness } from "./slack-harness.js";

/**
 * The admin API (and so the CLI) reaches a Slack workspace's Gatekeeper: the workspace is
 * remembered once it has sent an event, listed in GET /api/status `channels` as slack:<team id>,
 * and that name is the :channel of /api/pairing and /api/allow.
 */
async function api(gate: SlackHarness, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${env.GATEWAY_TOKEN}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const init = body === undefined ? { method, headers } : { method, headers, body: JSON.stringify(body) };
  return app.request(path, init, gate.env, executionContext);
}

describe("Slack pairing and allowlist through the admin API", () => {
  it("a workspace that sent an event is listed in /api/status; its stranger is paired, raised and revoked through /api/…/slack:<team id>", async () => {
    const owner = slackId("U");
    const stranger = slackId("U");
    const gate = new SlackHarness(owner, { dmPolicy: "pairing" });
    const account = `slack:${gate.teamId}`;

    let status = await readJson(await api(gate, "GET", "/api/status"), StatusList);
    expect(status.channels?.map((known) => known.account)).not.toContain(account);

    await gate.dm(stranger, "hello");
    const code = /\b([A-Z0-9]{8})\b/.exec((await gate.messagesTo(dmOf(stranger))).at(-1) ?? "")?.[1];
    expect(code).toBeDefined();

    status = await readJson(await api(gate, "GET", "/api/status"), StatusList);
    const listed = status.channels?.find((known) => known.account === account);
    expect(listed).toMatchObject({ channel: "slack", account });
    expect(Date.parse(listed?.firstSeen ?? "")).toBeGreaterThan(Date.now() - 60_000);
    // Telegram's bot is listed as before, by its token's id.
    expect(status.channels?.filter((known) => known.channel === "telegram")).toHaveLength(1);

    const pending = await readJson(await api(gate, "GET", `/api/pairing/${encodeURIComponent(account)}`), PairingList);
    expect(pending.pending.map((request) => [request.code, request.senderId])).toEqual([[code, stranger]]);
    // The same workspace's Gatekeeper, not Telegram's: the stranger is not pending there.
    const telegram = await readJson(await api(gate, "GET", "/api/pairing/telegram"), PairingList);
    expect(telegram.pending.map((request) => request.senderId)).not.toContain(stranger);

    const approved = await readJson(await api(gate, "POST", `/api/pairing/${account}/approve`, { code }), PairingResult);
    expect(approved).toMatchObject({ ok: true, action: "approve", senderId: stranger });
    expect((await gate.messagesTo(stranger)).at(-1)).toContain("approved");
    await gate.dm(stranger, "/whoami");
    expect((await gate.messagesTo(dmOf(stranger))).at(-1)).toContain(`slack:${stranger}`);

    const allowed = await readJson(await api(gate, "GET", `/api/allow/${account}`), AllowList);
    expect(allowed.allowed.map((sender) => sender.senderId)).toContain(stranger);
    const raised = await readJson(await api(gate, "PUT", `/api/allow/${account}/${stranger}`, { role: "trusted" }), RoleSet);
    expect(raised).toMatchObject({ ok: true, senderId: stranger, role: "trusted" });
    const revoked = await api(gate, "DELETE", `/api/allow/${account}/${stranger}`);
    expect(revoked.status).toBe(200);
    const after = await readJson(await api(gate, "GET", `/api/allow/${account}`), AllowList);
    expect(after.allowed.map((sender) => sender.senderId)).not.toContain(stranger);
  });

  it("`slack` alone names the workspaces when there are several; a malformed account and other channels are 404; telegram is unchanged", async () => {
    const first = new SlackHarness(slackId("U"), { dmPolicy: "pairing" });
    const second = new SlackHarness(slackId("U"), { dmPolicy: "pairing" });
    await first.dm(slackId("U"), "hello");
    await second.dm(slackId("U"), "hello");

    const ambiguous = await api(first, "GET", "/api/pairing/slack");
    expect(ambiguous.status).toBe(409);
    const message = JSON.stringify(await ambiguous.json());
    expect(message).toContain(`slack:${first.teamId}`);
    expect(message).toContain(`slack:${second.teamId}`);

    for (const channel of ["slack:not-a-team", "slack%3At0lower", "discord", "console"]) {
      expect((await api(first, "GET", `/api/pairing/${channel}`)).status, channel).toBe(404);
      expect((await api(first, "GET", `/api/allow/${channel}`)).status, channel).toBe(404);
    }
    expect((await api(first, "GET", "/api/pairing/telegram")).status).toBe(200);
    expect((await api(first, "GET", "/api/allow/telegram")).status).toBe(200);
  });
});
