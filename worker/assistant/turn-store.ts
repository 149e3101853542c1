import { modelMessageSchema, type ModelMessage } from "ai";
import type { z } from "zod";
import { TurnState } from "./turn-state.js";

/** The turn in progress and the conversation history, in the Assistant's SQLite. Every JSON column is parsed on read. */
export class TurnStore {
  constructor(private readonly sql: SqlStorage) {}

  current(): TurnState | null {
    const row = this.sql.exec<{ state: string }>("SELECT state FROM turns LIMIT 1").toArray()[0];
    return row ? TurnState.parse(JSON.parse(row.state)) : null;
  }

  save(state: TurnState, now: number): void {
    this.sql.exec(
      "INSERT INTO turns (id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
      state.id,
      JSON.stringify(state),
      now,
    );
  }

  finish(id: string): void {
    this.sql.exec("DELETE FROM turns WHERE id = ?", id);
  }

  /** A message that arrived while a turn ran: it starts the next turn, in order. */
  enqueue<T>(input: T): void {
    this.sql.exec("INSERT INTO waiting (input) VALUES (?)", JSON.stringify(input));
  }

  dequeue<T>(schema: z.ZodType<T>): T | null {
    const row = this.sql.exec<{ seq: number; input: string }>("SELECT seq, input FROM waiting ORDER BY seq LIMIT 1").toArray()[0];
    if (!row) return null;
    this.sql.exec("DELETE FROM waiting WHERE seq = ?", row.seq);
    const parsed = schema.safeParse(JSON.parse(row.input));
    return parsed.success ? parsed.data : null;
  }

  waitingCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM waiting").one().n;
  }

  history(): ModelMessage[] {
    return this.sql
      .exec<{ message: string }>("SELECT message FROM history ORDER BY seq")
      .toArray()
      .map((row) => modelMessageSchema.parse(JSON.parse(row.message)));
  }

  /**
   * Appends a finished turn, then drops the oldest turns until the history fits. Whole turns go,
   * so the history never starts with a tool result whose call was dropped (providers refuse that).
   */
  append(turn: string, messages: ModelMessage[], limits: { messages: number; bytes: number }): void {
    for (const message of messages) {
      const json = JSON.stringify(message);
      this.sql.exec("INSERT INTO history (turn, message, bytes) VALUES (?, ?, ?)", turn, json, json.length);
    }
    for (;;) {
      const { n, bytes } = this.sql
        .exec<{ n: number; bytes: number | null }>("SELECT COUNT(*) AS n, SUM(bytes) AS bytes FROM history")
        .one();
      if (n <= limits.messages && (bytes ?? 0) <= limits.bytes) return;
      const oldest = this.sql.exec<{ turn: string }>("SELECT turn FROM history ORDER BY seq LIMIT 1").toArray()[0];
      if (!oldest) return;
      this.sql.exec("DELETE FROM history WHERE turn = ?", oldest.turn);
    }
  }

  /** `/new`: the conversation starts over (a turn in progress is left to finish). */
  clearHistory(): number {
    const n = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM history").one().n;
    this.sql.exec("DELETE FROM history");
    return n;
  }

  /** Adds to a sender's use today and returns the new totals. */
  spend(sender: string, day: string, steps: number, tokens: number): { steps: number; tokens: number } {
    this.sql.exec(
      `INSERT INTO usage (sender, day, steps, tokens) VALUES (?, ?, ?, ?)
       ON CONFLICT (sender, day) DO UPDATE SET steps = steps + excluded.steps, tokens = tokens + excluded.tokens`,
      sender,
      day,
      steps,
      tokens,
    );
    this.sql.exec("DELETE FROM usage WHERE day < ?", day);
    return this.used(sender, day);
  }

  /** True the first time a sender is told today that their budget is used up: they are told once. */
  firstTold(sender: string, day: string): boolean {
    this.sql.exec("INSERT INTO usage (sender, day, steps, tokens) VALUES (?, ?, 0, 0) ON CONFLICT (sender, day) DO NOTHING", sender, day);
    const changed = this.sql.exec("UPDATE usage SET told = 1 WHERE sender = ? AND day = ? AND told = 0", sender, day).rowsWritten;
    return changed > 0;
  }

  used(sender: string, day: string): { steps: number; tokens: number } {
    const row = this.sql
      .exec<{ steps: number; tokens: number }>("SELECT steps, tokens FROM usage WHERE sender = ? AND day = ?", sender, day)
      .toArray()[0];
    return row ?? { steps: 0, tokens: 0 };
  }
}
