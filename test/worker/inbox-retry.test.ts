import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { loadGatewayConfig } from "../../worker/config.js";
import type { Gatekeeper } from "../../worker/gatekeeper/gatekeeper.js";
import { hubStub } from "../../worker/objects/stubs.js";
import { dmUpdate, GateHarness } from "./gate-harness.js";
import { newBotId, newRunnerName, newUserId } from "./test-ids.js";
import { AuditList } from "../../shared/admin-api.js";
import { readJson } from "../support/read-json.js";

const RETRY_BASE_MS = 2_000;

type Row = { updateId: number; attempts: number; stage: string };

/**
 * The Gatekeeper's inbox when processing fails. The failure is real: `/status` asks the runner's
 * RunnerHub Durable Object, and that hub's SQLite tables are renamed away (a Durable Object whose
 * storage fails), so the call throws until they are renamed back. Alarms are run with
 * runDurableObjectAlarm, exactly as the runtime would run them, only without waiting.
 */
function setUp(access: unknown = {}) {
  const owner = newUserId();
  const gate = new GateHarness(newBotId(), owner, access);
  const runner = newRunnerName("inbox-retry");
  Object.assign(gate.env, { DEFAULT_RUNNER: runner });
  const hub = hubStub(env, runner);

  const renameHubTables = (from: string, to: string) =>
    runInDurableObject(hub, (_instance, state) => {
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray();
      for (const { name } of tables) {
        if (name.startsWith("_cf_") || name.startsWith("sqlite_") || !name.endsWith(from)) continue;
        state.storage.sql.exec(`ALTER TABLE "${name}" RENAME TO "${name.slice(0, name.length - from.length)}${to}"`);
      }
    });

  /** The inbox rows (oldest first) and how far in the future the alarm is. */
  const inbox = () =>
    runInDurableObject(gate.gatekeeper, async (_instance: Gatekeeper, state) => {
      const rows = state.storage.sql
        .exec<{ update_id: number; attempts: number; stage: string }>("SELECT update_id, attempts, stage FROM inbox ORDER BY seq")
        .toArray()
        .map((row): Row => ({ updateId: row.update_id, attempts: row.attempts, stage: row.stage }));
      return { rows, alarm: await state.storage.getAlarm() };
    });

  /** Runs the scheduled alarm; returns the real-clock window in which it ran. */
  const runAlarm = async () => {
    const before = Date.now();
    expect(await runDurableObjectAlarm(gate.gatekeeper)).toBe(true);
    return { before, after: Date.now() };
  };

  /** After the `attempts`-th failure the retry waits 2 s doubling: 2, 4, 8, 16, 32 s. */
  const expectRetryAfter = (alarm: number | null, attempts: number, ran: { before: number; after: number }) => {
    const delay = RETRY_BASE_MS * 2 ** (attempts - 1);
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeGreaterThanOrEqual(ran.before + delay);
    expect(alarm!).toBeLessThanOrEqual(ran.after + delay);
  };

  /** Attempts 2 to 5 of the first update fail, each with its backoff; the second update waits untried behind it. */
  const failsUntilFifthAttempt = async () => {
    for (let attempts = 2; attempts <= 5; attempts++) {
      const ran = await runAlarm();
      const state = await inbox();
      expect(state.rows.map((row) => row.attempts)).toEqual([attempts, 0]);
      expectRetryAfter(state.alarm, attempts, ran);
    }
  };

  return {
    gate,
    owner,
    runner,
    inbox,
    runAlarm,
    expectRetryAfter,
    failsUntilFifthAttempt,
    takeHubDown: async () => {
      await renameHubTables("", "__down"); // constructs the hub (its tables) first, then breaks them
    },
    bringHubBack: () => renameHubTables("__down", ""),
  };
}

async function auditedDrops(gate: GateHarness, updateId: unknown): Promise<Array<{ kind: string; actor: string }>> {
  const audit = await readJson(await gate.api("GET", "/api/audit?limit=1000"), AuditList);
  return audit.events.filter((event) => event.kind === "inbox.dropped" && event.detail.updateId === updateId);
}

describe("durable inbox: a failing update is retried by the alarm", () => {
  it("backs off, keeps later updates waiting behind it in order, and answers once when the failure goes away", async () => {
    const t = setUp();
    await t.takeHubDown();
    const status = dmUpdate(t.owner, "/status");
    const whoami = dmUpdate(t.owner, "/whoami");
    const help = dmUpdate(t.owner, "/help");
    expect((await t.gate.post(status)).status).toBe(200);
    // The webhook's own alarm makes the first attempt; it fails on the hub.
    await vi.waitFor(async () => expect((await t.inbox()).rows[0]?.attempts).toBe(1));
    expect((await t.gate.post(whoami)).status).toBe(200);

    const first = await t.inbox();
    expect(first.rows).toEqual([
      { updateId: status.update_id, attempts: 1, stage: "started" },
      { updateId: whoami.update_id, attempts: 0, stage: "new" },
    ]);
    // The later update did not bring the retry forward: it is still about 2 s away.
    expect(first.alarm! - Date.now()).toBeGreaterThan(0);
    expect(first.alarm! - Date.now()).toBeLessThanOrEqual(RETRY_BASE_MS);

    const second = await t.runAlarm();
    const afterSecond = await t.inbox();
    expect(afterSecond.rows.map((row) => row.attempts)).toEqual([2, 0]);
    t.expectRetryAfter(afterSecond.alarm, 2, second);
    expect((await t.gate.post(help)).status).toBe(200);
    expect((await t.inbox()).rows.map((row) => row.updateId)).toEqual([status.update_id, whoami.update_id, help.update_id]);
    // Nothing was answered out of order while the first update failed.
    expect(await t.gate.messagesTo(t.owner)).toEqual([]);

    await t.bringHubBack();
    await t.runAlarm();
    const answers = await t.gate.messagesTo(t.owner);
    expect(answers).toHaveLength(3);
    expect(answers[0]).toMatch(new RegExp(`^Home runner ${t.runner}: ⚪ not registered`));
    expect(answers[1]).toMatch(new RegExp(`^You are telegram:${t.owner}\\b`));
    expect(answers[2]).toMatch(/^Drawbridge commands:/);
    expect(await t.inbox()).toEqual({ rows: [], alarm: null });
    // The retried update counted as handled: a re-delivery by Telegram is not answered again.
    await t.gate.post(status);
    await t.gate.settle();
    expect(await t.gate.messagesTo(t.owner)).toHaveLength(3);
  });

  it("drops an update after 5 failed attempts, audits inbox.dropped, and goes on with the next one", async () => {
    const t = setUp();
    await t.takeHubDown();
    const status = dmUpdate(t.owner, "/status");
    const help = dmUpdate(t.owner, "/help");
    await t.gate.post(status);
    await vi.waitFor(async () => expect((await t.inbox()).rows[0]?.attempts).toBe(1));
    await t.gate.post(help);
    await t.failsUntilFifthAttempt();
    expect(await auditedDrops(t.gate, status.update_id)).toEqual([]);
    expect(await t.gate.messagesTo(t.owner)).toEqual([]);

    // The hub is still down: the sixth run does not try again, it drops the update.
    await t.runAlarm();
    expect(await auditedDrops(t.gate, status.update_id)).toEqual([
      expect.objectContaining({ kind: "inbox.dropped", actor: `telegram:${t.owner}` }),
    ]);
    // The owner is told their /status was dropped, then gets the answer to the next message.
    expect(await t.gate.messagesTo(t.owner)).toEqual([
      expect.stringMatching(/could not be handled after several tries and was dropped; nothing ran/),
      expect.stringMatching(/^Drawbridge commands:/),
    ]);
    expect(await t.inbox()).toEqual({ rows: [], alarm: null });
    await t.bringHubBack();
  });

  it("counts an update whose stored body cannot be read as a failed attempt, so it is dropped too instead of blocking the inbox", async () => {
    const t = setUp();
    const unreadable = dmUpdate(t.owner, "/help");
    const help = dmUpdate(t.owner, "/help");
    await runInDurableObject(t.gate.gatekeeper, async (instance: Gatekeeper, state) => {
      await instance.receive({ ...loadGatewayConfig(t.gate.env), account: `telegram:${t.gate.botId}` }, unreadable as never);
      // E.g. written by another version of the Worker: this one cannot read it, now or on any retry.
      state.storage.sql.exec("UPDATE inbox SET body = ? WHERE update_id = ?", '{"update_id": 1, "message": {"text"', unreadable.update_id);
    });
    await vi.waitFor(async () => expect((await t.inbox()).rows[0]?.attempts).toBe(1));
    await t.gate.post(help);
    await t.failsUntilFifthAttempt();
    await t.runAlarm();
    expect(await auditedDrops(t.gate, unreadable.update_id)).toEqual([
      expect.objectContaining({ kind: "inbox.dropped", actor: "unknown" }),
    ]);
    // Nobody can be told about an update that cannot be read: only the next message is answered.
    expect(await t.gate.messagesTo(t.owner)).toEqual([expect.stringMatching(/^Drawbridge commands:/)]);
    expect(await t.inbox()).toEqual({ rows: [], alarm: null });
  });
});

describe("a retried update spends its sender's rate budget once", () => {
  it("an update that failed twice and then succeeded was charged one message, so the next message is still served", async () => {
    const t = setUp({ rateLimits: { owner: { message: { perMinute: 1, burst: 2 } } } });
    await t.takeHubDown();
    expect((await t.gate.post(dmUpdate(t.owner, "/status"))).status).toBe(200);
    await vi.waitFor(async () => expect((await t.inbox()).rows[0]?.attempts).toBe(1));
    await t.runAlarm(); // attempt 2 fails too
    expect((await t.inbox()).rows[0]?.attempts).toBe(2);
    await t.bringHubBack();
    await t.runAlarm(); // attempt 3 answers
    await t.gate.dm(t.owner, "/help");
    const answers = await t.gate.messagesTo(t.owner);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(new RegExp(`^Home runner ${t.runner}`));
    expect(answers[1]).toMatch(/^Drawbridge commands:/);
  });
});
