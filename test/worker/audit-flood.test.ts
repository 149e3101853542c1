import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AuditList, PairingList, type AuditLine } from "../../shared/admin-api.js";
import type { AuditLog } from "../../worker/audit/audit-log.js";
import { readJson } from "../support/read-json.js";
import { dmUpdate, GateHarness } from "./gate-harness.js";
import { newBotId, newUserId } from "./test-ids.js";

/** Every audit line the page shows for these actors, oldest first. */
async function linesOf(gate: GateHarness, actors: number[]): Promise<AuditLine[]> {
  const wanted = new Set(actors.map((id) => `telegram:${id}`));
  const page = await readJson(await gate.api("GET", "/api/audit?limit=1000"), AuditList);
  return page.events.filter((event) => wanted.has(event.actor)).reverse();
}

describe("a stranger flood cannot flush the audit log (issue 14 item 2)", () => {
  it("1,100 DMs from 4 strangers leave a few lines and 'N more' summaries; the pairing requests and the owner's approval stay on the page", async () => {
    const owner = newUserId();
    const gate = new GateHarness(newBotId(), owner);
    const [first, second, third, fourth] = [newUserId(), newUserId(), newUserId(), newUserId()];
    for (const id of [first, second, third]) await gate.dm(id, "hi");
    // The owner's decision before the flood, and the freed slot filled again: pairing stays full.
    const pending = await readJson(await gate.api("GET", "/api/pairing/telegram"), PairingList);
    const code = pending.pending.find((request) => request.senderId === String(first))?.code;
    expect((await gate.api("POST", "/api/pairing/telegram/approve", { code })).status).toBe(200);
    await gate.dm(fourth, "hi");

    const flooders = [newUserId(), newUserId(), newUserId(), newUserId()];
    const perFlooder = 275;
    for (let i = 0; i < perFlooder; i++) for (const id of flooders) await gate.post(dmUpdate(id, `spam ${i}`));
    await gate.settle();

    const paired = [first, second, third, fourth];
    const page = await readJson(await gate.api("GET", "/api/audit?limit=1000"), AuditList);
    const requested = page.events.filter((event) => event.kind === "pairing.requested").map((event) => event.actor);
    expect(requested).toEqual(expect.arrayContaining(paired.map((id) => `telegram:${id}`)));
    const approved = page.events.filter((event) => event.kind === "pairing.approved" && event.detail.sender === String(first));
    expect(approved).toHaveLength(1);

    // During the minute: at most 3 lines per flooder and kind, no summary yet.
    const during = await linesOf(gate, flooders);
    expect(during.length).toBeLessThanOrEqual(flooders.length * 2 * 3);
    expect(during.filter((event) => typeof event.detail.more === "number")).toEqual([]);

    // The window rolls: one summary per flooder and kind that was cut short, and the counts add up to every DM.
    await gate.advance(61_000);
    await gate.settle();
    const after = await linesOf(gate, flooders);
    const summaries = after.filter((event) => typeof event.detail.more === "number");
    expect(after.length - summaries.length).toBe(during.length);
    for (const id of flooders) {
      const mine = after.filter((event) => event.actor === `telegram:${id}`);
      let total = 0;
      for (const kind of ["pairing.cap_full", "rate.limited"]) {
        const ofKind = mine.filter((event) => event.kind === kind);
        const lines = ofKind.filter((event) => event.detail.more === undefined).length;
        const more = ofKind.map((event) => event.detail.more).filter((n) => typeof n === "number");
        expect(lines).toBeLessThanOrEqual(3);
        expect(more.length).toBeLessThanOrEqual(1);
        if (more.length === 1) {
          expect(lines).toBe(3);
          expect(String(ofKind.at(-1)?.detail.summary)).toMatch(new RegExp(`^${String(more[0])} more since \\d{4}-`));
        }
        total += lines + more.reduce<number>((sum, n) => sum + Number(n), 0);
      }
      // Every DM of a flooder was refused once: at the full pairing slots or by the strangers' bucket.
      expect(total).toBe(perFlooder);
    }
    expect(summaries.length).toBeGreaterThan(0);
  });
});

describe("noise has its own retention (issue 14 item 2)", () => {
  it("5,100 refusals from distinct senders never evict an approval; noise keeps at most 500 lines", async () => {
    const log = env.AUDIT_LOG.get(env.AUDIT_LOG.idFromName(`retention-${newBotId()}`));
    const page = await runInDurableObject(log, (instance: AuditLog) => {
      instance.record({ kind: "approval.decided", channel: "telegram", actor: "admin", detail: { decision: "allow" } });
      instance.record({ kind: "runner.key_registered", channel: "tunnel", actor: "admin", detail: { runner: "home" } });
      for (let i = 0; i < 5100; i++) {
        instance.record({ kind: i % 2 ? "rate.limited" : "pairing.cap_full", channel: "telegram", actor: `telegram:${i}`, detail: {} });
      }
      return instance.recent(1000);
    });
    expect(page.filter((event) => event.kind === "rate.limited" || event.kind === "pairing.cap_full")).toHaveLength(500);
    expect(page.map((event) => event.kind)).toEqual(expect.arrayContaining(["approval.decided", "runner.key_registered"]));
    // The newest noise is what is kept.
    expect(page[0]?.actor).toBe("telegram:5099");
  });
});
