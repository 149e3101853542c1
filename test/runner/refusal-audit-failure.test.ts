import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { CallJournal } from "../../runner/journal/call-journal.js";
import { CallExecutor } from "../../runner/tunnel/call-executor.js";
import type { Call } from "../../shared/tunnel/protocol.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";

it("still refuses a forged call, and says the audit write failed, when the audit log cannot be written", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drawbridge-refusal-audit-"));
  const { journal } = await CallJournal.open(join(dir, "journal.jsonl"));
  const sent: Array<{ id: string; outcome: ToolOutcome }> = [];
  const log: string[] = [];
  let ran = 0;
  const executor = new CallExecutor(
    journal,
    () => Promise.resolve({ ok: false, reason: "signature does not verify" }),
    () => {
      ran += 1;
      return Promise.resolve({ ok: true, output: { exitCode: 0, stdout: "", stderr: "" } } as unknown as ToolOutcome);
    },
    (_rseq, id, outcome) => sent.push({ id, outcome }),
    (event) => log.push(event),
    () => Promise.reject(new Error("ENOSPC: no space left on device")),
  );
  const call = {
    type: "call",
    seq: 1,
    id: "home_forged",
    session: "main",
    request: { tool: "exec", args: { command: "id" } },
  } as unknown as Call;
  await executor.admit(call);
  await expect.poll(() => sent.length).toBe(1);
  expect(sent[0]).toMatchObject({ id: "home_forged", outcome: { ok: false, error: { code: "capability_refused" } } });
  expect(log).toContain("audit.write_failed");
  expect(ran).toBe(0);
  await journal.close();
  await rm(dir, { recursive: true, force: true });
});
