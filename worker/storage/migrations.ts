/**
 * The one storage convention of every Durable Object: a numbered ladder of schema steps, applied
 * in order on start. Step n (1-based) brings the storage from version n-1 to n. A step is never
 * edited once released, only followed by a new one, so every object climbs the same ladder.
 *
 * workerd's SqlStorage refuses `PRAGMA user_version` (SQLITE_AUTH, also as `pragma_user_version`),
 * so the version lives in a one-row `_schema` table. An object without that table is at version 0:
 * a fresh one, or one holding the tables the release before this convention created (step 1 of
 * each ladder is that release's DDL, `IF NOT EXISTS`, so it adopts them without losing a row).
 */
export type Migration = string | ((sql: SqlStorage) => void);
export type Ladder = readonly Migration[];

const VERSION_TABLE = "CREATE TABLE IF NOT EXISTS _schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)";

/** The storage's schema version: 0 before the first step ran. */
export function schemaVersion(sql: SqlStorage): number {
  const table = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_schema'").toArray();
  if (table.length === 0) return 0;
  return sql.exec<{ version: number }>("SELECT version FROM _schema WHERE id = 1").toArray()[0]?.version ?? 0;
}

/**
 * Applies the steps the storage has not had yet; returns the version it ends at (the ladder's
 * length). Each step and its version bump are one transaction: a step that throws leaves nothing
 * behind, and the next start tries it again. Storage newer than the code (a rollback of a deploy
 * that migrated) is refused rather than used with a schema this code does not know.
 */
export function migrate(storage: DurableObjectStorage, ladder: Ladder): number {
  const { sql } = storage;
  let version = schemaVersion(sql);
  if (version > ladder.length) {
    throw new Error(`storage is at schema version ${version}, newer than this code's ${ladder.length}`);
  }
  for (; version < ladder.length; version++) {
    const step = ladder[version];
    const next = version + 1;
    storage.transactionSync(() => {
      if (typeof step === "string") sql.exec(step);
      else step?.(sql);
      sql.exec(VERSION_TABLE);
      sql.exec("INSERT INTO _schema (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version", next);
    });
  }
  return version;
}

/**
 * Runs the ladder once per object start, before any request or alarm is delivered (the
 * cloudflare/agents pattern). workerd starts the callback once the input gate is free, so the
 * constructor returns first: nothing in a constructor may touch the tables. If a step throws,
 * the runtime resets the object instead of serving from a half-known schema.
 */
export function migrateOnStart(ctx: DurableObjectState, ladder: Ladder): void {
  // A throw inside the executor rejects the promise, which is what makes the runtime reset the object;
  // the rejection is logged here so it is not also an unhandled one.
  void ctx
    .blockConcurrencyWhile(
      () =>
        new Promise<void>((resolve) => {
          migrate(ctx.storage, ladder);
          resolve();
        }),
    )
    .catch((error: unknown) => console.error(JSON.stringify({ event: "storage.migration_failed", error: String(error) })));
}

/**
 * Adds the columns a table lacks (each written as `name TYPE …`). Only for step 1 of a ladder:
 * the release before this convention added columns by checking `PRAGMA table_info` on every
 * start, so an object may hold either layout. Later steps know their layout and ALTER directly.
 */
export function addMissingColumns(sql: SqlStorage, table: string, columns: readonly string[]): void {
  const have = new Set(
    sql
      .exec<{ name: string }>(`PRAGMA table_info(${table})`)
      .toArray()
      .map((column) => column.name),
  );
  for (const column of columns) {
    if (!have.has(column.split(" ")[0] ?? "")) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column}`);
  }
}
