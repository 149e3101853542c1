import { z } from "zod";
import { ToolOutcome } from "../../shared/tools/tool-call.js";

/** One line of the call journal (see CallJournal). */
export const Entry = z.discriminatedUnion("t", [
  // `readOnly`: a read (no "started" line is written for it; see CallExecutor).
  z.object({ t: z.literal("received"), id: z.string(), seq: z.number(), at: z.number(), readOnly: z.literal(true).optional() }),
  z.object({ t: z.literal("started"), id: z.string(), at: z.number() }),
  z.object({ t: z.literal("finished"), id: z.string(), rseq: z.number(), outcome: ToolOutcome, at: z.number() }),
  z.object({ t: z.literal("acked"), rseq: z.number() }),
]);
export type Entry = z.infer<typeof Entry>;

export type JournalRecord = {
  id: string;
  seq: number;
  receivedAt: number;
  readOnly: boolean;
  started: boolean;
  result: { rseq: number; outcome: ToolOutcome; at: number } | null;
};

/** The result a call the previous process never finished is closed with: honest about whether it ran. */
export function interruptedOutcome(record: JournalRecord): ToolOutcome {
  const message = record.readOnly
    ? "The home runner stopped before this read's result was recorded; a read changes nothing, so it is safe to send again."
    : record.started
      ? "The home runner stopped while this call was running; it may have run partly. It was not run again."
      : "The home runner restarted before this call started; it did not run.";
  return { ok: false, error: { code: "call_interrupted", message } };
}
