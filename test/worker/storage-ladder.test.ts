import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AuditLog } from "../../worker/audit/audit-log.js";
import { migrate, schemaVersion, type Ladder } from "../../worker/storage/migrations.js";
import { dropOwnTables, ownTables } from "./storage-harness.js";

/**
 * The ladder itself (worker/storage/migrations.ts), on a real SqlStorage: a throwaway AuditLog
 * instance whose own tables are dropped first, so only the ladders below touch it.
 */
async function onScratchStorage(name: string, work: (storage: DurableObjectStorage) => void): Promise<void> {
  const stub = env.AUDIT_LOG.get(env.AUDIT_LOG.idFromName(`storage-ladder:${name}`));
  await runInDurableObject(stub, (_instance: AuditLog, state) => {
    dropOwnTables(state.storage.sql);
    work(state.storage);
  });
}

describe("the schema ladder (workerd SqlStorage)", () => {
  it("workerd refuses PRAGMA user_version, which is why the version has a table of its own", async () => {
    await onScratchStorage("pragma", (storage) => {
      expect(() => storage.sql.exec("PRAGMA user_version")).toThrow(/SQLITE_AUTH/);
      expect(() => storage.sql.exec("PRAGMA user_version = 1")).toThrow(/SQLITE_AUTH/);
    });
  });

  it("climbs from 0 one step at a time, each step once, and a second run does nothing", async () => {
    await onScratchStorage("climb", (storage) => {
      const ran: number[] = [];
      const ladder: Ladder = [
        "CREATE TABLE a (x INTEGER)",
        (sql) => {
          ran.push(2);
          sql.exec("INSERT INTO a VALUES (2)");
        },
        (sql) => {
          ran.push(3);
          sql.exec("ALTER TABLE a ADD COLUMN y TEXT");
        },
      ];
      expect(schemaVersion(storage.sql)).toBe(0);
      expect(migrate(storage, ladder.slice(0, 2))).toBe(2);
      expect(migrate(storage, ladder)).toBe(3);
      expect(migrate(storage, ladder)).toBe(3);
      expect(ran).toEqual([2, 3]);
      expect(schemaVersion(storage.sql)).toBe(3);
      expect(storage.sql.exec("SELECT x, y FROM a").toArray()).toEqual([{ x: 2, y: null }]);
    });
  });

  it("a step that fails leaves nothing behind and the version where it was; the next run retries it", async () => {
    await onScratchStorage("rollback", (storage) => {
      let fail = true;
      const ladder: Ladder = [
        "CREATE TABLE kept (x INTEGER)",
        (sql) => {
          sql.exec("CREATE TABLE half (x INTEGER)");
          sql.exec("INSERT INTO kept VALUES (1)");
          if (fail) throw new Error("step 2 broke");
        },
      ];
      expect(() => migrate(storage, ladder)).toThrow("step 2 broke");
      expect(schemaVersion(storage.sql)).toBe(1);
      expect(ownTables(storage.sql)).toEqual(["_schema", "kept"]);
      expect(storage.sql.exec("SELECT COUNT(*) AS n FROM kept").one()).toEqual({ n: 0 });
      fail = false;
      expect(migrate(storage, ladder)).toBe(2);
      expect(ownTables(storage.sql)).toEqual(["_schema", "half", "kept"]);
    });
  });

  it("refuses storage newer than the code's ladder (a rolled-back deploy) and changes nothing", async () => {
    await onScratchStorage("newer", (storage) => {
      const ladder: Ladder = ["CREATE TABLE a (x INTEGER)", "CREATE TABLE b (x INTEGER)"];
      migrate(storage, ladder);
      expect(() => migrate(storage, ladder.slice(0, 1))).toThrow("storage is at schema version 2, newer than this code's 1");
      expect(schemaVersion(storage.sql)).toBe(2);
    });
  });
});
