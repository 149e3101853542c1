import { describe, expect, it } from "vitest";
import { argumentsDigest } from "../../runner/identity/capability-check.js";
import { capabilityDigest } from "../../shared/tunnel/capability.js";
import type { Call } from "../../shared/tunnel/protocol.js";

function call(request: Call["request"], session = "main"): Call {
  return { type: "call", seq: 1, id: "home_1", session, request, timeoutMs: 30_000 };
}

describe("the runner's digest of a call's arguments", () => {
  it("is byte for byte the digest the gateway signs, for any request", async () => {
    const calls = [
      call({ tool: "exec", args: { command: "echo hello" } }),
      call({ tool: "ls", args: { path: "." } }),
      call({ tool: "write", args: { path: "ü/ñ.txt", content: 'emoji 🎉, a lone surrogate \ud800, quotes " and \\ and \n' } }),
      call({ tool: "edit", args: { path: "a", oldText: "x", newText: "y", replaceAll: true } }, "telegram-42"),
    ];
    for (const c of calls) expect(argumentsDigest(c)).toBe(await capabilityDigest(c));
  });

  it("changes when anything that decides what runs changes", () => {
    const base = call({ tool: "exec", args: { command: "echo hello" } });
    const digests = new Set([
      argumentsDigest(base),
      argumentsDigest({ ...base, session: "other" }),
      argumentsDigest({ ...base, timeoutMs: 30_001 }),
      argumentsDigest({ ...base, request: { tool: "exec", args: { command: "echo hellO" } } }),
    ]);
    expect(digests.size).toBe(4);
  });
});
