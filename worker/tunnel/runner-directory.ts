/**
 * The directory of runners: which runner a key belongs to (so `DELETE /api/runners/:kid` finds
 * its hub) and which runners exist (for `GET /api/status`). It lives in one RunnerHub instance
 * under a name no runner can have, so no new Durable Object class (and no migration) is needed;
 * its table is in every hub's schema ladder (hub-schema.ts).
 */
export { DIRECTORY_OBJECT_NAME } from "../objects/stubs.js";

export function recordKey(sql: SqlStorage, runner: string, kid: string): void {
  sql.exec("INSERT INTO runner_directory (kid, runner, added_at) VALUES (?, ?, ?) ON CONFLICT(kid) DO NOTHING", kid, runner, Date.now());
}

export function runnerOfKey(sql: SqlStorage, kid: string): string | null {
  return sql.exec<{ runner: string }>("SELECT runner FROM runner_directory WHERE kid = ?", kid).toArray()[0]?.runner ?? null;
}

export function runnerNames(sql: SqlStorage): string[] {
  return sql
    .exec<{ runner: string }>("SELECT DISTINCT runner FROM runner_directory ORDER BY runner")
    .toArray()
    .map((row) => row.runner);
}

export type DirectoryStub = {
  record(runner: string, kid: string): Promise<void>;
  lookup(kid: string): Promise<string | null>;
  list(): Promise<string[]>;
};
