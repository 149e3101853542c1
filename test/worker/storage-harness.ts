import { migrate, type Ladder } from "../../worker/storage/migrations.js";

/**
 * Storage as an older release left it, for the migration tests: a Durable Object's own tables
 * (never the runtime's `_cf_*` or SQLite's `sqlite_*`), their layouts and their row counts.
 */
type Column = { name: string; type: string; notnull: number; dflt_value: string | null; pk: number };

export function ownTables(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .toArray()
    .map((row) => row.name);
}

/** Drops every table of the object, the version table too: storage as a fresh object has it. */
export function dropOwnTables(sql: SqlStorage): void {
  for (const table of ownTables(sql)) sql.exec(`DROP TABLE "${table}"`);
}

/** Storage as the release before the ladder left it: its DDL (a fixture), no version table. */
export function openAtV0(sql: SqlStorage, ddl: string): void {
  dropOwnTables(sql);
  sql.exec(ddl);
}

/** The layout the ladder gives a fresh object (the storage is emptied first, and left so). */
export function freshLayout(storage: DurableObjectStorage, ladder: Ladder): ReturnType<typeof layout> {
  dropOwnTables(storage.sql);
  migrate(storage, ladder);
  const fresh = layout(storage.sql);
  dropOwnTables(storage.sql);
  return fresh;
}

/** Each table's columns as SQLite reports them, and its indexes: equal layouts compare equal. */
export function layout(sql: SqlStorage): Record<string, { columns: Column[]; indexes: string[] }> {
  return Object.fromEntries(
    ownTables(sql).map((table) => {
      const columns = sql
        .exec<Column>(`PRAGMA table_info("${table}")`)
        .toArray()
        .map(({ name, type, notnull, dflt_value, pk }) => ({ name, type, notnull, dflt_value, pk }));
      const indexes = sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name", table)
        .toArray()
        .map((row) => row.name);
      return [table, { columns, indexes }];
    }),
  );
}

/** How many rows each table holds. */
export function rowCounts(sql: SqlStorage): Record<string, number> {
  return Object.fromEntries(
    ownTables(sql).map((table) => [table, sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM "${table}"`).one().n]),
  );
}

/** Everything a migration could change: layouts and every row. */
export function snapshot(sql: SqlStorage): { layout: ReturnType<typeof layout>; rows: Record<string, unknown[]> } {
  return {
    layout: layout(sql),
    rows: Object.fromEntries(ownTables(sql).map((table) => [table, sql.exec(`SELECT * FROM "${table}" ORDER BY rowid`).toArray()])),
  };
}

/** The counts without the version table, which only the ladder writes. */
export function dataRowCounts(sql: SqlStorage): Record<string, number> {
  return Object.fromEntries(Object.entries(rowCounts(sql)).filter(([table]) => table !== "_schema"));
}

/**
 * Constructs an object on existing storage, as the runtime does on its first start after a
 * deploy, and waits for its start-up migration: blockConcurrencyWhile runs the ladder once the
 * input gate is free, before any other event, so a second, empty one returns after it.
 */
export async function started<T>(state: DurableObjectState, construct: () => T): Promise<T> {
  const instance = construct();
  await state.blockConcurrencyWhile(() => Promise.resolve());
  return instance;
}
