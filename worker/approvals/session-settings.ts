import type { GatewayConfig } from "../config.js";

/** The config the Worker last passed in: the alarm has no request to read it from. */
export class SessionSettings {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY, json TEXT NOT NULL)");
  }

  save(settings: GatewayConfig): void {
    this.sql.exec(
      "INSERT INTO settings (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
      JSON.stringify(settings),
    );
  }

  load(): GatewayConfig | null {
    const row = this.sql.exec<{ json: string }>("SELECT json FROM settings WHERE id = 1").toArray()[0];
    return row ? (JSON.parse(row.json) as GatewayConfig) : null;
  }
}
