import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AuditLog } from "../../worker/audit/audit-log.js";
import { AUDIT_LOG_SCHEMA } from "../../worker/audit/audit-schema.js";
import { loadGatewayConfig } from "../../worker/config.js";
import { Gatekeeper } from "../../worker/gatekeeper/gatekeeper.js";
import { GATEKEEPER_SCHEMA } from "../../worker/gatekeeper/schema.js";
import { migrate, schemaVersion } from "../../worker/storage/migrations.js";
import { SettingsRow, StoredEdgeSettings } from "../../worker/storage/settings-row.js";
import auditLogV0 from "../fixtures/storage/audit-log-v0.sql?raw";
import gatekeeperV0 from "../fixtures/storage/gatekeeper-v0.sql?raw";
import { dataRowCounts, freshLayout, layout, openAtV0, snapshot, started } from "./storage-harness.js";

/**
 * Acceptance 4 for the edge's objects: a Gatekeeper and the AuditLog holding what the release
 * before the schema ladder stored (its DDL from test/fixtures/storage, rows written as it wrote
 * them) migrate on their next start without losing a row, and read those rows back.
 */
const ACCOUNT = "telegram:7731001";
const settings = { ...loadGatewayConfig(env), account: ACCOUNT };

describe("the Gatekeeper and the AuditLog migrate from the last release's tables", () => {
  it("Gatekeeper: every table keeps its rows, readable through the object, at the ladder's version", async () => {
    const stub = env.GATEKEEPER.get(env.GATEKEEPER.idFromName("storage-migrations-edge:gatekeeper"));
    await runInDurableObject(stub, async (_live: Gatekeeper, state) => {
      const { sql } = state.storage;
      const fresh = freshLayout(state.storage, GATEKEEPER_SCHEMA);
      const now = Date.now();
      openAtV0(sql, gatekeeperV0);
      sql.exec("INSERT INTO seen_updates VALUES (773101, ?)", now);
      sql.exec(
        "INSERT INTO inbox (update_id, body, received_at, attempts, stage) VALUES (773101, '{\"update_id\":773101}', ?, 1, 'started')",
        now,
      );
      sql.exec("INSERT INTO pairing_requests VALUES (?, 'K7M2P9QX', '773102', 'Stranger', ?, 'pending', NULL)", ACCOUNT, now);
      sql.exec("INSERT INTO pairing_challenges VALUES (?, 'K7M2P9QX', ?)", ACCOUNT, now);
      sql.exec("INSERT INTO pairing_attempts VALUES (?, '773103', 'WRONG123', ?)", ACCOUNT, now);
      sql.exec("INSERT INTO allowed_senders VALUES ('773104', 'trusted', 'Friend', ?, 'pairing')", now);
      sql.exec("INSERT INTO rate_buckets VALUES ('message:773104', ?, 0)", now);
      sql.exec("INSERT INTO settings VALUES (1, ?)", JSON.stringify(settings));
      sql.exec(
        "INSERT INTO undelivered_replies (chat_id, text, attempts, first_at, next_at) VALUES ('773104', 'later', 1, ?, ?)",
        now,
        now + 3_600_000,
      );
      const before = dataRowCounts(sql);
      expect(Object.keys(before)).toHaveLength(9);
      expect(schemaVersion(sql)).toBe(0);

      // The first start after the deploy: the constructor runs the ladder on the old tables.
      const migrated = await started(state, () => new Gatekeeper(state, env));
      expect(schemaVersion(sql)).toBe(GATEKEEPER_SCHEMA.length);
      expect(layout(sql)).toEqual(fresh);
      // Every old row kept; the tables later steps add start empty.
      expect(dataRowCounts(sql)).toEqual({ ...before, quiet_refusals: 0, known_accounts: 0 });

      expect(new SettingsRow(sql, StoredEdgeSettings).load()).toEqual(settings);
      expect(migrated.inboxDepth()).toBe(1);
      expect(migrated.undeliveredReplies()).toBe(1);
      expect(migrated.pairingList(settings)).toMatchObject([{ code: "K7M2P9QX", senderId: "773102", name: "Stranger" }]);
      expect(migrated.allowList(settings)).toContainEqual({ senderId: "773104", role: "trusted", name: "Friend", source: "pairing" });
      // The dedupe memory survived: the same update id is not stored twice.
      expect(await migrated.receive(settings, { update_id: 773101 })).toEqual({ stored: false });

      // Twice is a no-op: nothing runs again, nothing changes.
      const after = snapshot(sql);
      expect(migrate(state.storage, GATEKEEPER_SCHEMA)).toBe(GATEKEEPER_SCHEMA.length);
      await started(state, () => new Gatekeeper(state, env));
      expect(snapshot(sql)).toEqual(after);
    });
  });

  it("AuditLog: the events are kept and listed newest first, their details parsed", async () => {
    const stub = env.AUDIT_LOG.get(env.AUDIT_LOG.idFromName("storage-migrations-edge:audit"));
    await runInDurableObject(stub, async (_live: AuditLog, state) => {
      const { sql } = state.storage;
      const fresh = freshLayout(state.storage, AUDIT_LOG_SCHEMA);
      openAtV0(sql, auditLogV0);
      const insert = "INSERT INTO audit (at, kind, channel, actor, detail) VALUES (?, ?, ?, ?, ?)";
      sql.exec(
        insert,
        "2026-12-01T10:00:00.000Z",
        "pairing.requested",
        "telegram",
        "telegram:773105",
        JSON.stringify({ code: "K7M2P9QX" }),
      );
      sql.exec(
        insert,
        "2026-12-01T10:01:00.000Z",
        "rate.limited",
        "telegram",
        "telegram:773105",
        JSON.stringify({ bucket: "message", n: 3, dm: true, chat: null }),
      );
      const before = dataRowCounts(sql);

      const migrated = await started(state, () => new AuditLog(state, env));
      expect(schemaVersion(sql)).toBe(AUDIT_LOG_SCHEMA.length);
      expect(layout(sql)).toEqual(fresh);
      expect(dataRowCounts(sql)).toEqual(before);
      expect(before).toEqual({ audit: 2 });
      expect(migrated.recent(10)).toMatchObject([
        { kind: "rate.limited", actor: "telegram:773105", detail: { bucket: "message", n: 3, dm: true, chat: null } },
        { kind: "pairing.requested", at: "2026-12-01T10:00:00.000Z", detail: { code: "K7M2P9QX" } },
      ]);

      const after = snapshot(sql);
      expect(migrate(state.storage, AUDIT_LOG_SCHEMA)).toBe(AUDIT_LOG_SCHEMA.length);
      await started(state, () => new AuditLog(state, env));
      expect(snapshot(sql)).toEqual(after);
    });
  });
});
