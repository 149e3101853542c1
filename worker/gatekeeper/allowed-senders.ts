import { GrantableRole, SenderId } from "../../shared/access/roles.js";

export type AllowedSender = { senderId: string; role: GrantableRole; name: string; addedAt: number; via: "pairing" | "admin" };

type Row = { sender_id: string; role: string; name: string; added_at: number; via: string };

/** Senders the owner let in (or blocked), with their role. Config roles are layered on top. */
export class AllowedSenders {
  constructor(private readonly sql: SqlStorage) {}

  roleOf(senderId: SenderId): GrantableRole | null {
    const row = this.sql.exec<Row>("SELECT * FROM allowed_senders WHERE sender_id = ?", senderId).toArray()[0];
    const role = GrantableRole.safeParse(row?.role);
    return role.success ? role.data : null;
  }

  list(): AllowedSender[] {
    return this.sql
      .exec<Row>("SELECT * FROM allowed_senders ORDER BY added_at, sender_id")
      .toArray()
      .map((row) => ({
        senderId: row.sender_id,
        role: GrantableRole.catch("blocked").parse(row.role),
        name: row.name,
        addedAt: row.added_at,
        via: row.via === "pairing" ? "pairing" : "admin",
      }));
  }

  /** Adds or updates one sender id (numeric, or Slack's U…). The schema never lets "*" (or a name) in. */
  put(senderId: SenderId, role: GrantableRole, name: string, via: AllowedSender["via"], at: number): void {
    if (!SenderId.safeParse(senderId).success) throw new Error("only channel sender ids can be allowed");
    this.sql.exec(
      `INSERT INTO allowed_senders (sender_id, role, name, added_at, via) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (sender_id) DO UPDATE SET role = excluded.role`,
      senderId,
      role,
      name,
      at,
      via,
    );
  }

  remove(senderId: SenderId): boolean {
    return this.sql.exec("DELETE FROM allowed_senders WHERE sender_id = ?", senderId).rowsWritten > 0;
  }
}
