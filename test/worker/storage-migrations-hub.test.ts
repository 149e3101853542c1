import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { migrate, schemaVersion } from "../../worker/storage/migrations.js";
import { RUNNER_HUB_SCHEMA } from "../../worker/tunnel/hub-schema.js";
import { consumeNonce, rememberJti } from "../../worker/tunnel/replay-guard.js";
import { RunnerHub } from "../../worker/tunnel/runner-hub.js";
import { findRunnerKey } from "../../worker/tunnel/runner-keys.js";
import runnerHubV0 from "../fixtures/storage/runner-hub-v0.sql?raw";
import { dataRowCounts, freshLayout, layout, openAtV0, snapshot, started } from "./storage-harness.js";

/**
 * Acceptance 4 for the tunnel: a RunnerHub holding what the release before the schema ladder
 * stored (keys, replay guard, audit, settings, outbox, counters, directory) migrates on its next
 * start without losing a row, and reads those rows back.
 */
const RUNNER = "storage-migrations-hub-773301";
const JWK = { kty: "OKP", crv: "Ed25519", x: "M".repeat(43) };
const OUTCOME = {
  ok: true,
  output: { exitCode: 0, stdout: "hi\n", stderr: "", stdoutTruncated: false, stderrTruncated: false, timedOut: false, durationMs: 5 },
};

function insertCall(sql: SqlStorage, id: string, now: number, outcome: unknown): void {
  sql.exec(
    `INSERT INTO outbox (id, session, request, timeout_ms, reply_to, label, state, acked, created_at, expires_at, outcome, finished_at)
     VALUES (?, 'storage-migrations:773301', ?, 30000, ?, '/run echo hi', ?, ?, ?, ?, ?, ?)`,
    ...[id, JSON.stringify({ tool: "exec", args: { command: "echo hi" } }), JSON.stringify({ channel: "console" })],
    ...[outcome ? "done" : "pending", outcome ? 1 : 0, now, now + 3_600_000],
    ...[outcome ? JSON.stringify(outcome) : null, outcome ? now : null],
  );
}

describe("a RunnerHub migrates from the last release's tables", () => {
  it("keeps every table's rows, readable through the hub, at the ladder's version", async () => {
    const stub = env.RUNNER_HUB.get(env.RUNNER_HUB.idFromName(RUNNER));
    await runInDurableObject(stub, async (_live: RunnerHub, state) => {
      const { sql } = state.storage;
      const fresh = freshLayout(state.storage, RUNNER_HUB_SCHEMA);
      const now = Date.now();
      openAtV0(sql, runnerHubV0);
      sql.exec("INSERT INTO runner_keys (kid, jwk, created_at) VALUES ('kid-live', ?, ?)", JSON.stringify(JWK), now);
      sql.exec("INSERT INTO runner_keys (kid, jwk, created_at, revoked_at) VALUES ('kid-old', ?, ?, ?)", JSON.stringify(JWK), now - 1, now);
      sql.exec("INSERT INTO tunnel_nonces (nonce, expires_at) VALUES ('nonce-773301', ?)", now + 60_000);
      sql.exec("INSERT INTO tunnel_jtis VALUES ('jti-773301', ?)", now + 60_000);
      sql.exec("INSERT INTO tunnel_audit (at, event, detail) VALUES (?, 'tunnel.auth_failed', 'bad signature')", now);
      sql.exec("INSERT INTO hub_settings VALUES ('runner', ?), ('queueLimit', '7')", RUNNER);
      insertCall(sql, "call-pending-773301", now, null);
      insertCall(sql, "call-done-773301", now, OUTCOME);
      sql.exec("INSERT INTO hub_state VALUES ('last_seen', ?), ('call_ack', 0)", now - 1000);
      sql.exec("INSERT INTO runner_directory VALUES ('kid-live', ?, ?)", RUNNER, now);
      const before = dataRowCounts(sql);
      expect(Object.keys(before)).toHaveLength(8);

      const migrated = await started(state, () => new RunnerHub(state, env));
      expect(schemaVersion(sql)).toBe(RUNNER_HUB_SCHEMA.length);
      expect(layout(sql)).toEqual(fresh);
      // Every row kept; step 2 (owner alerts) adds its two tables, step 3 (failover) one, all empty.
      expect(dataRowCounts(sql)).toEqual({ ...before, settings: 0, runner_outage: 0, call_failover: 0 });

      expect(migrated.status(RUNNER)).toMatchObject({
        ...{ registered: true, keys: [{ kid: "kid-live", createdAt: now }], queueDepth: 1, inFlight: 0, lastSeen: now - 1000 },
        ...{ settings: { queueTtlSeconds: 3600, queueLimit: 7 }, recentAudit: [{ event: "tunnel.auth_failed", detail: "bad signature" }] },
      });
      expect(await migrated.getCall("call-pending-773301")).toMatchObject({
        runner: RUNNER,
        state: "pending",
        queued: true,
        outcome: null,
      });
      expect(await migrated.getCall("call-done-773301")).toMatchObject({ state: "done", outcome: OUTCOME });
      expect(migrated.directoryLookup("kid-live")).toBe(RUNNER);
      expect(migrated.directoryList()).toEqual([RUNNER]);
      expect(findRunnerKey(sql, "kid-live")).toEqual({ kid: "kid-live", jwk: JWK });
      // The replay guard still knows what it handed out and what it has seen.
      expect(rememberJti(sql, "jti-773301", now + 60_000)).toBe(false);
      expect(consumeNonce(sql, "nonce-773301")).toBe(true);

      const after = snapshot(sql);
      expect(migrate(state.storage, RUNNER_HUB_SCHEMA)).toBe(RUNNER_HUB_SCHEMA.length);
      await started(state, () => new RunnerHub(state, env));
      expect(snapshot(sql)).toEqual(after);
    });
  });
});
