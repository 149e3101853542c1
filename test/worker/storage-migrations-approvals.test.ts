import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ApprovalIndex } from "../../worker/approvals/approval-index.js";
import { APPROVAL_INDEX_SCHEMA } from "../../worker/approvals/approval-index-schema.js";
import { ApprovalRows } from "../../worker/approvals/approval-rows.js";
import type { ApprovalView, Asker } from "../../worker/approvals/approval.js";
import { Session } from "../../worker/approvals/session.js";
import { SESSION_SCHEMA } from "../../worker/approvals/session-schema.js";
import { loadGatewayConfig } from "../../worker/config.js";
import { migrate, schemaVersion } from "../../worker/storage/migrations.js";
import { SettingsRow, StoredGatewayConfig } from "../../worker/storage/settings-row.js";
import approvalIndexV0 from "../fixtures/storage/approval-index-v0.sql?raw";
import sessionV0FirstRelease from "../fixtures/storage/session-v0-first-release.sql?raw";
import sessionV0 from "../fixtures/storage/session-v0.sql?raw";
import { dataRowCounts, freshLayout, layout, openAtV0, snapshot, started } from "./storage-harness.js";

/**
 * Acceptance 4 for the approvals' objects: a Session (in both layouts the last release could hold:
 * its own, and the first release's approvals table its PRAGMA table_info check upgraded) and the
 * ApprovalIndex migrate on their next start without losing a row, and read those rows back.
 */
const settings = loadGatewayConfig(env);
const asker: Asker = { senderKey: "telegram:773201", name: "Asker", role: "trusted", replyTo: { channel: "telegram", chatId: "773201" } };
const PENDING = "a1a1a1a1a1a1a1a1a1a1a1a1";
const DENIED = "b2b2b2b2b2b2b2b2b2b2b2b2";

function insertApproval(sql: SqlStorage, id: string, state: string, now: number): void {
  sql.exec(
    `INSERT INTO approvals (id, session, request, label, reason, asker, created_at, expires_at, state, decided_by, decided_at)
     VALUES (?, 'storage-migrations:773201', ?, '/run ls -la', 'exec needs approval', ?, ?, ?, ?, ?, ?)`,
    id,
    JSON.stringify({ tool: "exec", args: { command: "ls -la" } }),
    JSON.stringify(asker),
    now,
    now + 3_600_000,
    state,
    state === "pending" ? null : "admin",
    state === "pending" ? null : now,
  );
}

describe("the approvals' objects migrate from the last release's tables", () => {
  it.each([
    ["the last release's", sessionV0, "storage-migrations-approvals:session-v0"],
    ["the first release's", sessionV0FirstRelease, "storage-migrations-approvals:session-first"],
  ])("Session with %s approvals table: rows kept and readable, missing columns added", async (_layout, ddl, name) => {
    const stub = env.SESSION.get(env.SESSION.idFromName(name));
    await runInDurableObject(stub, async (_live: Session, state) => {
      const { sql } = state.storage;
      const fresh = freshLayout(state.storage, SESSION_SCHEMA);
      const now = Date.now();
      openAtV0(sql, ddl);
      sql.exec("INSERT INTO settings (id, json) VALUES (1, ?)", JSON.stringify(settings));
      insertApproval(sql, PENDING, "pending", now);
      insertApproval(sql, DENIED, "denied", now);
      const before = dataRowCounts(sql);
      expect(before).toEqual({ settings: 1, approvals: 2 });

      const migrated = await started(state, () => new Session(state, env));
      expect(schemaVersion(sql)).toBe(SESSION_SCHEMA.length);
      expect(layout(sql)).toEqual(fresh);
      expect(dataRowCounts(sql)).toEqual(before);

      expect(new SettingsRow(sql, StoredGatewayConfig).load()).toEqual(settings);
      expect(new ApprovalRows(sql).find(PENDING)).toMatchObject({
        state: "pending",
        request: { tool: "exec", args: { command: "ls -la" } },
        asker,
        ...{ note: null, callId: null, handedOver: false, attempts: 0, prompt: null },
      });
      // Read through the object's own decide: an approval decided before the deploy stays decided.
      const again = await migrated.decide({ settings, account: "telegram:0", id: DENIED, decision: "allow", actor: "admin" });
      expect(again).toMatchObject({
        kind: "already",
        approval: { id: DENIED, state: "denied", decidedBy: "admin", sender: asker.senderKey },
      });

      const after = snapshot(sql);
      expect(migrate(state.storage, SESSION_SCHEMA)).toBe(SESSION_SCHEMA.length);
      await started(state, () => new Session(state, env));
      expect(snapshot(sql)).toEqual(after);
    });
  });

  it("ApprovalIndex: the listed views are kept, parsed, and still find their session", async () => {
    const stub = env.APPROVAL_INDEX.get(env.APPROVAL_INDEX.idFromName("storage-migrations-approvals:index"));
    await runInDurableObject(stub, async (_live: ApprovalIndex, state) => {
      const { sql } = state.storage;
      const fresh = freshLayout(state.storage, APPROVAL_INDEX_SCHEMA);
      openAtV0(sql, approvalIndexV0);
      const view = (id: string, state: ApprovalView["state"], createdAt: string): ApprovalView => ({
        ...{ id, session: "storage-migrations:773202", state, tool: "exec", label: "/run ls", reason: "exec needs approval" },
        ...{ sender: "telegram:773202", senderName: "Asker", role: "limited", createdAt, expiresAt: "2026-12-01T11:00:00.000Z" },
        ...{ decidedBy: state === "pending" ? null : "admin", decidedAt: null, note: state === "denied" ? "kept" : null },
      });
      const views = [view(PENDING, "pending", "2026-12-01T10:00:00.000Z"), view(DENIED, "denied", "2026-12-01T09:00:00.000Z")];
      for (const stored of views) {
        sql.exec(
          "INSERT INTO approval_index (id, session, state, created_at, updated_at, view) VALUES (?, ?, ?, ?, ?, ?)",
          ...[stored.id, stored.session, stored.state, stored.createdAt, Date.now(), JSON.stringify(stored)],
        );
      }
      const before = dataRowCounts(sql);
      expect(before).toEqual({ approval_index: 2 });

      const migrated = await started(state, () => new ApprovalIndex(state, env));
      expect(schemaVersion(sql)).toBe(APPROVAL_INDEX_SCHEMA.length);
      expect(layout(sql)).toEqual(fresh);
      expect(dataRowCounts(sql)).toEqual(before);
      expect(migrated.list("all", 10)).toEqual(views);
      expect(migrated.sessionOf(DENIED)).toBe("storage-migrations:773202");

      const after = snapshot(sql);
      expect(migrate(state.storage, APPROVAL_INDEX_SCHEMA)).toBe(APPROVAL_INDEX_SCHEMA.length);
      await started(state, () => new ApprovalIndex(state, env));
      expect(snapshot(sql)).toEqual(after);
    });
  });
});
