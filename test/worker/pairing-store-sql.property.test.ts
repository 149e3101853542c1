import { env, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PairingRequest } from "../../shared/access/pairing-store.js";
import type { Gatekeeper } from "../../worker/gatekeeper/gatekeeper.js";
import { SqlPairingRows } from "../../worker/gatekeeper/sql-pairing-rows.js";
import { interleavingProperty } from "../shared/pairing-interleaving.js";
import { modelProperty } from "../shared/pairing-model.js";
import { newBotId } from "./test-ids.js";

/**
 * Acceptance 4 on the rows the Gatekeeper really stores in: the model properties of
 * test/shared/pairing-store.property.test.ts, run inside a Gatekeeper Durable Object (its own
 * name) against SqlPairingRows on its SQLite, each run starting from empty pairing tables.
 */
const MODEL_GATEKEEPER = `pairing-model:${newBotId()}`;
const gatekeeper = () => env.GATEKEEPER.get(env.GATEKEEPER.idFromName(MODEL_GATEKEEPER));
const RUNS = 60;

function emptyRows(sql: SqlStorage, Rows: new (sql: SqlStorage) => SqlPairingRows = SqlPairingRows): () => SqlPairingRows {
  return () => {
    sql.exec("DELETE FROM pairing_requests; DELETE FROM pairing_challenges; DELETE FROM pairing_attempts;");
    return new Rows(sql);
  };
}

/** Rows with a planted defect (they forget which requests were made in challenge mode), to show the properties catch it here. */
class ModeLosingRows extends SqlPairingRows {
  override list(account: string): PairingRequest[] {
    return super.list(account).map((request) => ({ ...request, mode: "approve" }));
  }
}

describe("pairing store on the Gatekeeper's SQLite against the model (acceptance 4, workerd)", () => {
  it("agrees with the model on every sequence of requests, owner decisions, challenge attempts and clock moves", async () => {
    await runInDurableObject(gatekeeper(), async (_instance: Gatekeeper, state) => {
      const sql = state.storage.sql;
      let stored = 0;
      const rows = emptyRows(sql);
      await fc.assert(
        modelProperty(2, 6, { maxLength: 40 }, rows).afterEach(() => {
          stored = Math.max(stored, sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM pairing_requests").one().n);
        }),
        { numRuns: RUNS },
      );
      // The runs really went through SQLite (requests were stored there, up to both accounts' caps).
      expect(stored).toBeGreaterThanOrEqual(3);
    });
  });

  it("challenge: wrong attempts never pair, the cap blocks, the right code pairs exactly once (one sender, many tries)", async () => {
    await runInDurableObject(gatekeeper(), async (_instance: Gatekeeper, state) => {
      await fc.assert(modelProperty(1, 2, { minLength: 10, maxLength: 60 }, emptyRows(state.storage.sql)), { numRuns: RUNS });
    });
  });

  it("never decides a code twice, pairs a wrong or expired code, or breaks a cap when operations interleave (fc.scheduler)", async () => {
    await runInDurableObject(gatekeeper(), async (_instance: Gatekeeper, state) => {
      await fc.assert(interleavingProperty(emptyRows(state.storage.sql)), { numRuns: RUNS });
    });
  });

  it("fails, with a shrunk counterexample, on rows that forget a request was made in challenge mode", async () => {
    await runInDurableObject(gatekeeper(), async (_instance: Gatekeeper, state) => {
      const rows = emptyRows(state.storage.sql, ModeLosingRows);
      await expect(fc.assert(modelProperty(1, 2, { minLength: 10, maxLength: 60 }, rows), { numRuns: 200, seed: 780_004 })).rejects.toThrow(
        /Property failed after \d+ tests[\s\S]*Shrunk/,
      );
    });
  });
});
