import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from "jose";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { checkCapability } from "../../runner/identity/capability-check.js";
import type { PinnedGatewayKey } from "../../runner/identity/gateway-key.js";
import { ACKED_KEPT_IN_MEMORY_MS, CallJournal } from "../../runner/journal/call-journal.js";
import { CallExecutor } from "../../runner/tunnel/call-executor.js";
import type { Call } from "../../shared/tunnel/protocol.js";
import type { ToolOutcome } from "../../shared/tools/tool-call.js";
import { GatewayCalls, publicHalf } from "../support/signed-call.js";

const dir = await mkdtemp(join(tmpdir(), "drawbridge-journal-memory-"));
afterAll(() => rm(dir, { recursive: true, force: true }));
// Only the clock is faked (the journal's files and fsyncs are real): the runner's Date, which jose's expiry check reads too.
beforeEach(() => vi.useFakeTimers({ toFake: ["Date"] }));
afterEach(() => vi.useRealTimers());

const ok: ToolOutcome = {
  ok: true,
  output: { exitCode: 0, stdout: "done\n", stderr: "", stdoutTruncated: false, stderrTruncated: false, timedOut: false, durationMs: 1 },
};
const later = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe("the journal's memory stays bounded while at most once holds", () => {
  it("after 500 acknowledged calls and the keep time, holds only the calls still open", async () => {
    const { journal } = await CallJournal.open(join(dir, "bounded.jsonl"));
    let rseq = 0;
    for (let n = 0; n < 500; n++) {
      await journal.received(`call-${n}`, n + 1);
      await journal.started(`call-${n}`);
      rseq = await journal.finish(`call-${n}`, ok);
    }
    journal.ack(rseq);
    expect(journal.remembered).toBe(500); // acknowledged just now: a redelivery is still answered from memory
    later(ACKED_KEPT_IN_MEMORY_MS);
    await journal.received("new", 501);
    expect(journal.remembered).toBe(1);
    expect(journal.get("call-0")).toBeUndefined();
    expect(journal.get("new")).toMatchObject({ result: null });
    await journal.close();
  });

  it("keeps a result the gateway has not acknowledged, however old, so a reconnect still sends it", async () => {
    const { journal } = await CallJournal.open(join(dir, "unacked.jsonl"));
    await journal.received("acked", 1);
    const first = await journal.finish("acked", ok);
    journal.ack(first);
    await journal.received("unacked", 2);
    const second = await journal.finish("unacked", ok);
    later(ACKED_KEPT_IN_MEMORY_MS * 10);
    await journal.received("new", 3);
    expect(journal.get("acked")).toBeUndefined();
    expect(journal.unacked()).toEqual([{ rseq: second, id: "unacked", outcome: ok }]);
    await journal.close();
  });

  it("refuses the replay of a forgotten call: its capability has expired, and it does not run again", async () => {
    const runner = "memory";
    const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as JWK;
    const pinned: PinnedGatewayKey = {
      kid: await calculateJwkThumbprint(publicHalf(jwk), "sha256"),
      key: (await importJWK(publicHalf(jwk), "EdDSA")) as CryptoKey,
      jwk: publicHalf(jwk),
    };
    const gateway = new GatewayCalls(jwk, runner);
    const { journal } = await CallJournal.open(join(dir, "replay.jsonl"));
    const ran: string[] = [];
    const results: Array<{ rseq: number; id: string; outcome: ToolOutcome }> = [];
    const executor = new CallExecutor(
      journal,
      (call) => checkCapability(call, runner, pinned),
      (call) => {
        ran.push(call.id);
        return Promise.resolve(ok);
      },
      (rseq, id, outcome) => results.push({ rseq, id, outcome }),
      () => undefined,
    );
    const resultFor = async (id: string) => {
      await vi.waitFor(() => expect(results.some((result) => result.id === id)).toBe(true));
      return results.splice(
        results.findIndex((result) => result.id === id),
        1,
      )[0]!;
    };

    const frame = (await gateway.frame("main", { tool: "exec", args: { command: "touch /workspace/once" } }, 10_000)) as Call;
    await executor.admit(frame);
    journal.ack((await resultFor(frame.id)).rseq);
    // The gateway re-signs a call only while it waits for the result; this frame is the newest one there is.
    later(ACKED_KEPT_IN_MEMORY_MS);
    const next = (await gateway.frame("main", { tool: "exec", args: { command: "true" } }, 10_000)) as Call;
    await executor.admit(next);
    await resultFor(next.id);
    expect(journal.get(frame.id)).toBeUndefined();

    await executor.admit(frame);
    const replay = await resultFor(frame.id);
    expect(replay.outcome).toMatchObject({ ok: false, error: { code: "capability_refused", message: expect.stringMatching(/expired/) } });
    expect(ran).toEqual([frame.id, next.id]);
    await journal.close();
  });
});
