import { describe, expect, it } from "vitest";
import { GateHarness } from "./gate-harness.js";

const OWNER = 530_000_001;

describe("rate limits (acceptance 8)", () => {
  it("refuses a burst beyond the bucket with one notice, audits every refusal, and refills", async () => {
    const gate = new GateHarness(730_001, OWNER, {
      dmPolicy: "allowlist",
      allowFrom: ["630000001"],
      rateLimits: { message: { perMinute: 6, burst: 3 } },
    });
    const sender = 630_000_001;
    for (let i = 0; i < 6; i++) await gate.dm(sender, "/help");
    const replies = await gate.messagesTo(sender);
    expect(replies.slice(0, 3)).toEqual(Array(3).fill(expect.stringMatching(/^Drawbridge commands:/)));
    expect(replies.slice(3)).toEqual([expect.stringMatching(/^⏳ Too many messages — slow down\. Try again in \d+ s/)]);
    const audit = await (
      await gate.api("GET", "/api/audit?limit=200")
    ).json<{
      events: Array<{ kind: string; actor: string; detail: { answered?: boolean } }>;
    }>();
    const refusals = audit.events.filter((event) => event.kind === "rate.limited" && event.actor === `telegram:${sender}`);
    expect(refusals.map((event) => event.detail.answered).sort()).toEqual([false, false, true]);

    // 6 per minute = one every 10 s: after 10 s exactly one more message is served.
    await gate.advance(10_000);
    await gate.dm(sender, "/help");
    await gate.dm(sender, "/help");
    const after = (await gate.messagesTo(sender)).slice(4);
    expect(after).toEqual([expect.stringMatching(/^Drawbridge commands:/), expect.stringMatching(/^⏳ Too many messages/)]);
  });

  it("limits tool calls separately from messages, per sender", async () => {
    const gate = new GateHarness(730_002, OWNER, { rateLimits: { tool: { perMinute: 1, burst: 1 } } });
    // No runner is registered here: the first /run is answered by the tunnel layer, the second is refused at the edge.
    await gate.dm(OWNER, "/run echo one");
    await gate.dm(OWNER, "/run echo two");
    await gate.dm(OWNER, "/help");
    const replies = await gate.messagesTo(OWNER);
    expect(replies[1]).toMatch(/^⏳ Too many tool calls/);
    expect(replies[2]).toContain("/run <command>");
  });

  it("caps the whole channel, whoever is sending", async () => {
    const gate = new GateHarness(730_003, OWNER, {
      dmPolicy: "allowlist",
      allowFrom: ["630000011", "630000012"],
      rateLimits: { channel: { perMinute: 1, burst: 2 } },
    });
    await gate.dm(630_000_011, "/help");
    await gate.dm(630_000_012, "/help");
    await gate.dm(630_000_011, "/help");
    await gate.dm(630_000_012, "/help");
    expect(await gate.messagesTo(630_000_011)).toEqual([
      expect.stringMatching(/^Drawbridge commands:/),
      expect.stringMatching(/Too many messages on this channel/),
    ]);
    expect(await gate.messagesTo(630_000_012)).toEqual([expect.stringMatching(/^Drawbridge commands:/)]);
  });

  it("limits pairing attempts: a stranger denied twice in a row gets one notice, then silence", async () => {
    const gate = new GateHarness(730_004, OWNER, { rateLimits: { pairing: { perMinute: 1, burst: 1 } } });
    const stranger = 630_000_021;
    await gate.dm(stranger, "hi");
    const pending = await (await gate.api("GET", "/api/pairing/telegram")).json<{ pending: Array<{ code: string }> }>();
    await gate.api("POST", "/api/pairing/telegram/deny", { code: pending.pending[0]!.code });
    await gate.dm(stranger, "again");
    await gate.dm(stranger, "and again");
    const replies = await gate.messagesTo(stranger);
    expect(replies).toHaveLength(2);
    expect(replies[1]).toMatch(/^⏳ Too many pairing attempts/);
  });
});
