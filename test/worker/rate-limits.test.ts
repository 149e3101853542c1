import { describe, expect, it } from "vitest";
import { GateHarness } from "./gate-harness.js";
import { AuditList, PairingList } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";
import { newBotId, newUserId } from "./test-ids.js";

const OWNER = newUserId();

describe("rate limits (acceptance 8)", () => {
  it("refuses a burst beyond the bucket with one notice, audits every refusal, and refills", async () => {
    const sender = newUserId();
    const gate = new GateHarness(newBotId(), OWNER, {
      dmPolicy: "allowlist",
      allowFrom: [String(sender)],
      rateLimits: { message: { perMinute: 6, burst: 3 } },
    });
    for (let i = 0; i < 6; i++) await gate.dm(sender, "/help");
    const replies = await gate.messagesTo(sender);
    expect(replies.slice(0, 3)).toEqual(Array(3).fill(expect.stringMatching(/^Drawbridge commands:/)));
    expect(replies.slice(3)).toEqual([expect.stringMatching(/^⏳ Too many messages — slow down\. Try again in \d+ s/)]);
    const audit = await readJson(await gate.api("GET", "/api/audit?limit=200"), AuditList);
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
    const gate = new GateHarness(newBotId(), OWNER, { rateLimits: { owner: { tool: { perMinute: 1, burst: 1 } } } });
    // No runner is registered here: the first /run is answered by the tunnel layer, the second is refused at the edge.
    await gate.dm(OWNER, "/run echo one");
    await gate.dm(OWNER, "/run echo two");
    await gate.dm(OWNER, "/help");
    const replies = await gate.messagesTo(OWNER);
    expect(replies[1]).toMatch(/^⏳ Too many tool calls/);
    expect(replies[2]).toContain("/run <command>");
  });

  it("caps the whole channel for every served sender but the owner", async () => {
    const [alice, bob] = [newUserId(), newUserId()];
    const gate = new GateHarness(newBotId(), OWNER, {
      dmPolicy: "allowlist",
      allowFrom: [String(alice), String(bob)],
      rateLimits: { channel: { perMinute: 1, burst: 2 } },
    });
    await gate.dm(alice, "/help");
    await gate.dm(bob, "/help");
    await gate.dm(alice, "/help");
    await gate.dm(bob, "/help");
    expect(await gate.messagesTo(alice)).toEqual([
      expect.stringMatching(/^Drawbridge commands:/),
      expect.stringMatching(/Too many messages on this channel/),
    ]);
    expect(await gate.messagesTo(bob)).toEqual([expect.stringMatching(/^Drawbridge commands:/)]);
    // The channel is full, and the owner is still answered (the messages before are other tests' to this owner).
    const before = (await gate.messagesTo(OWNER)).length;
    await gate.dm(OWNER, "/help");
    expect((await gate.messagesTo(OWNER)).slice(before)).toEqual([expect.stringMatching(/^Drawbridge commands:/)]);
  });

  it("limits pairing attempts: a stranger denied twice in a row gets one notice, then silence", async () => {
    const gate = new GateHarness(newBotId(), OWNER, { rateLimits: { pairing: { perMinute: 1, burst: 1 } } });
    const stranger = newUserId();
    await gate.dm(stranger, "hi");
    const pending = await readJson(await gate.api("GET", "/api/pairing/telegram"), PairingList);
    await gate.api("POST", "/api/pairing/telegram/deny", { code: pending.pending[0]!.code });
    await gate.dm(stranger, "again");
    await gate.dm(stranger, "and again");
    const replies = await gate.messagesTo(stranger);
    expect(replies).toHaveLength(2);
    expect(replies[1]).toMatch(/^⏳ Too many pairing attempts/);
  });

  it("a stranger's flood never silences the owner, and strangers hear nothing past their shared bucket", async () => {
    const owner = newUserId();
    const gate = new GateHarness(newBotId(), owner, { rateLimits: { channel: { perMinute: 6, burst: 3 } } });
    // Three strangers fill the pairing slots; then one keeps knocking, 40 times.
    const strangers = [newUserId(), newUserId(), newUserId()];
    for (const stranger of strangers) await gate.dm(stranger, "hi");
    const flooder = newUserId();
    for (let i = 0; i < 40; i++) await gate.dm(flooder, `knock ${i}`);
    for (let i = 0; i < 6; i++) await gate.dm(owner, "/help");
    // (the owner was also sent the three pairing prompts)
    expect((await gate.messagesTo(owner)).filter((text) => !text.startsWith("🔐 Pairing request"))).toEqual(
      Array(6).fill(expect.stringMatching(/^Drawbridge commands:/)),
    );
    // The flooder got no code (the slots are full) and no "too many" notice either.
    expect(await gate.messagesTo(flooder)).toEqual([]);
  });

  it("the owner's ten quick tool calls all pass the edge (default limits)", async () => {
    const owner = newUserId();
    const gate = new GateHarness(newBotId(), owner);
    for (let i = 0; i < 10; i++) await gate.dm(owner, `/run echo ${i}`);
    const replies = await gate.messagesTo(owner);
    expect(replies).toHaveLength(10);
    expect(replies.filter((text) => text.startsWith("⏳ Too many"))).toEqual([]);
  });
});
