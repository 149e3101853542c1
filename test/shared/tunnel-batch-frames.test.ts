import { describe, expect, it } from "vitest";
import { encodeResults } from "../../shared/tunnel/batch-frames.js";
import { parseFrame } from "../../shared/tunnel/parse-frame.js";
import { MAX_BATCH, MAX_FRAME_BYTES, type Result } from "../../shared/tunnel/protocol.js";

function result(seq: number, stdout = "ok"): Result {
  const output = { exitCode: 0, stdout, stderr: "", stdoutTruncated: false, stderrTruncated: false, timedOut: false, durationMs: 1 };
  return { type: "result", seq, id: `home_${seq}`, outcome: { ok: true, output } };
}

/** The results the frames carry, in order, each frame parsed as the gateway parses it. */
function carried(frames: string[]): number[] {
  return frames.flatMap((text) => {
    expect(new TextEncoder().encode(text).byteLength).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const parsed = parseFrame(text);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const frame = parsed.frame;
    if (frame.type === "result") return [frame.seq];
    if (frame.type === "results") return frame.results.map((r) => r.seq);
    throw new Error(`unexpected ${frame.type}`);
  });
}

describe("batch frames", () => {
  it("puts the results of one burst in as few frames as the cap and MAX_BATCH allow, in order", () => {
    const burst = Array.from({ length: MAX_BATCH * 2 + 3 }, (_, n) => result(n + 1));
    const frames = encodeResults(burst, true);
    expect(frames).toHaveLength(3);
    expect(carried(frames)).toEqual(burst.map((r) => r.seq));
  });

  it("splits a burst whose outputs would overflow one frame, and never drops or reorders a result", () => {
    const burst = Array.from({ length: 7 }, (_, n) => result(n + 1, "é".repeat(100_000)));
    const frames = encodeResults(burst, true);
    expect(frames.length).toBeGreaterThan(1);
    expect(carried(frames)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("sends a lone result, and every result to a gateway before v4, as its own frame", () => {
    expect(encodeResults([result(1)], true).map((text) => (JSON.parse(text) as { type: string }).type)).toEqual(["result"]);
    const old = encodeResults([result(1), result(2)], false);
    expect(old.map((text) => (JSON.parse(text) as { type: string }).type)).toEqual(["result", "result"]);
    expect(carried(old)).toEqual([1, 2]);
  });
});
