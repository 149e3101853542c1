import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ApprovalRows } from "../../worker/approvals/approval-rows.js";
import type { Asker } from "../../worker/approvals/approval.js";
import { Session } from "../../worker/approvals/session.js";
import { SESSION_SCHEMA } from "../../worker/approvals/session-schema.js";
import { migrate, schemaVersion } from "../../worker/storage/migrations.js";
import { dataRowCounts, dropOwnTables, freshLayout, layout, snapshot, started } from "./storage-harness.js";

/**
 * Session schema step 2: the owner's prompt is named on any channel. A Session at version 1 holds
 * Telegram prompts in the INTEGER prompt_message column; after the step they read back as they
 * were (channel telegram, the message id as text), and a Slack prompt's `ts`, which an INTEGER
 * cannot hold, is kept exactly.
 */
const asker: Asker = { senderKey: "telegram:773301", name: "Asker", role: "trusted", replyTo: { channel: "telegram", chatId: "773301" } };
const PROMPTED = "c3c3c3c3c3c3c3c3c3c3c3c3";
const UNPROMPTED = "d4d4d4d4d4d4d4d4d4d4d4d4";
const SLACK = "e5e5e5e5e5e5e5e5e5e5e5e5";

function insertAtV1(sql: SqlStorage, id: string, prompt: { chat: string; message: number } | null): void {
  const now = Date.now();
  sql.exec(
    `INSERT INTO approvals (id, session, request, label, reason, asker, created_at, expires_at, state, prompt_chat, prompt_message)
     VALUES (?, 'storage-migrations:773301', ?, '/run ls', 'exec needs approval', ?, ?, ?, 'pending', ?, ?)`,
    ...[id, JSON.stringify({ tool: "exec", args: { command: "ls" } }), JSON.stringify(asker), now, now + 3_600_000],
    ...[prompt?.chat ?? null, prompt?.message ?? null],
  );
}

describe("Session schema step 2: prompts on any channel", () => {
  it("a version-1 Session's Telegram prompts carry over; a Slack ts is kept exactly; the step runs once", async () => {
    const stub = env.SESSION.get(env.SESSION.idFromName("storage-migrations-session-prompt:v1"));
    await runInDurableObject(stub, async (_live: Session, state) => {
      const { sql } = state.storage;
      const fresh = freshLayout(state.storage, SESSION_SCHEMA);
      dropOwnTables(sql);
      expect(migrate(state.storage, SESSION_SCHEMA.slice(0, 1))).toBe(1);
      insertAtV1(sql, PROMPTED, { chat: "773300", message: 4242 });
      insertAtV1(sql, UNPROMPTED, null);
      insertAtV1(sql, SLACK, null);
      const before = dataRowCounts(sql);

      await started(state, () => new Session(state, env));
      expect(schemaVersion(sql)).toBe(SESSION_SCHEMA.length);
      expect(SESSION_SCHEMA.length).toBe(2);
      expect(layout(sql)).toEqual(fresh);
      expect(dataRowCounts(sql)).toEqual(before);

      const rows = new ApprovalRows(sql);
      expect(rows.find(PROMPTED)?.prompt).toEqual({ channel: "telegram", chatId: "773300", messageId: "4242" });
      expect(rows.find(UNPROMPTED)?.prompt).toBeNull();
      rows.setPrompt(SLACK, { channel: "slack", chatId: "D0OWNER01", messageId: "1700000000.000100" });
      expect(rows.find(SLACK)?.prompt).toEqual({ channel: "slack", chatId: "D0OWNER01", messageId: "1700000000.000100" });
      // The release before reads prompt_message: a Telegram prompt stored now is still there for a rollback.
      rows.setPrompt(UNPROMPTED, { channel: "telegram", chatId: "773300", messageId: "4243" });
      const legacy = sql
        .exec<{ id: string; prompt_message: number | null }>("SELECT id, prompt_message FROM approvals ORDER BY id")
        .toArray();
      expect(legacy).toEqual([
        { id: PROMPTED, prompt_message: 4242 },
        { id: UNPROMPTED, prompt_message: 4243 },
        { id: SLACK, prompt_message: null },
      ]);

      const after = snapshot(sql);
      expect(migrate(state.storage, SESSION_SCHEMA)).toBe(SESSION_SCHEMA.length);
      await started(state, () => new Session(state, env));
      expect(snapshot(sql)).toEqual(after);
    });
  });
});
