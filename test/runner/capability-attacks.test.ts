import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import { HostileGateway } from "../support/hostile-gateway.js";
import { runnerProcessAgainst } from "../support/runner-process.js";
import { signCapability, type CapabilityClaimOverrides } from "../support/signed-call.js";

const runner = `cap-${randomBytes(4).toString("hex")}`;
const gatewayJwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as JWK;
const strangerJwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as JWK;
const gateway = new HostileGateway();
const log: string[] = [];
let seq = 0;
/** Every call the runner must have refused, with the reason its audit line must give. */
const refusals: Array<{ name: string; id: string; reason: RegExp }> = [];
/** Planted in an attacker-chosen claim: the runner quotes that claim in its reason, the audit log must not. */
const plantedToken = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

/** A call frame and its capability, signed like the gateway signs it unless `claims` or `signer` say otherwise. */
async function call(
  command: string,
  options: { claims?: CapabilityClaimOverrides; signer?: JWK; signedCommand?: string; unsigned?: boolean } = {},
) {
  seq += 1;
  const id = `${runner}_${randomBytes(16).toString("hex")}`;
  const request: ToolRequest = { tool: "exec", args: { command } };
  const signed: ToolRequest = { tool: "exec", args: { command: options.signedCommand ?? command } };
  const capability = await signCapability(
    options.signer ?? gatewayJwk,
    { runner, id, session: "main", request: signed, timeoutMs: 10_000 },
    options.claims,
  );
  return { type: "call", seq, id, session: "main", request, timeoutMs: 10_000, ...(options.unsigned ? {} : { capability }) };
}

async function resultOf(frame: { id: string }) {
  gateway.send(frame);
  for (;;) {
    const result = await gateway.next("result");
    if (result.id === frame.id) return result;
  }
}

function started(id: string): number {
  return log.filter((line) => line.includes('"event":"call.started"') && line.includes(id)).length;
}

const runnerProcess = runnerProcessAgainst(gateway, { runner, gatewayJwk, log });

describe("the runner refuses calls whose capability does not hold (acceptance 2)", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const attacks: Array<[string, () => Promise<Record<string, unknown> & { id: string }>, RegExp]> = [
    ["unsigned", () => call("echo unsigned", { unsigned: true }), /unsigned/],
    ["expired", () => call("echo expired", { claims: { iat: now() - 400, exp: now() - 200 } }), /expired/],
    ["arguments altered after signing", () => call("echo altered; cat /etc/shadow", { signedCommand: "echo altered" }), /altered/],
    ["addressed to another runner", () => call("echo elsewhere", { claims: { aud: "another-runner" } }), /another-runner/],
    ["issued for another call id", () => call("echo other-id", { claims: { jti: `${runner}_${"0".repeat(32)}` } }), /another call/],
    ["issued for another tool", () => call("echo other-tool", { claims: { tool: "read" } }), /another session or tool/],
    ["signed by a key that is not the pinned gateway key", () => call("echo stranger", { signer: strangerJwk }), /pinned gateway key/],
    [
      "addressed to a huge runner name carrying a bot token",
      () => call("echo huge", { claims: { aud: `evil bot=${plantedToken} ${"x".repeat(2000)}` } }),
      /addressed to runner "evil/,
    ],
  ];

  it.each(attacks)("refuses a call that is %s, says so, and runs nothing", async (name, make, reason) => {
    const frame = await make();
    refusals.push({ name, id: frame.id, reason });
    const result = await resultOf(frame);
    expect(result).toMatchObject({
      type: "result",
      id: frame.id,
      outcome: { ok: false, error: { code: "capability_refused", message: expect.stringMatching(reason) } },
    });
    expect(started(frame.id)).toBe(0);
  });

  it("runs a properly signed call once and refuses its replay after the result was acknowledged", async () => {
    const frame = await call("echo signed-and-sealed");
    const result = await resultOf(frame);
    expect(result).toMatchObject({ outcome: { ok: true, output: { stdout: "signed-and-sealed\n" } } });
    expect(started(frame.id)).toBe(1);
    // Before the ack, a re-delivery gets the recorded result again (a lost result frame)…
    const resent = await resultOf(frame);
    expect(resent).toMatchObject({ seq: result.seq, outcome: { ok: true, output: { stdout: "signed-and-sealed\n" } } });
    // …after it, the same frame is a replay.
    gateway.send({ type: "ack", seq: result.seq });
    const replay = await resultOf(frame);
    expect(replay).toMatchObject({
      outcome: { ok: false, error: { code: "capability_refused", message: expect.stringMatching(/replay/) } },
    });
    expect(started(frame.id)).toBe(1);
    refusals.push({ name: "replayed", id: frame.id, reason: /replay/ });
  });

  it("writes one audit line per refused call, with its reason, secrets redacted, lines bounded, file 0600", async () => {
    const path = join(runnerProcess.stateDir, "audit.jsonl");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const text = await readFile(path, "utf8");
    expect(text).not.toContain(plantedToken);
    const lines = text.split("\n").filter(Boolean);
    for (const line of lines) expect(line.length).toBeLessThan(4096);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(refusals).toHaveLength(attacks.length + 1);
    for (const { name, id, reason } of refusals) {
      const mine = parsed.filter((line) => line.id === id && line.decision === "refused");
      expect(mine, name).toEqual([
        expect.objectContaining({
          event: "tool.call",
          id,
          session: "main",
          tool: "exec",
          refusedAt: "admission",
          reason: expect.stringMatching(reason),
          outcome: { ok: false, code: "capability_refused" },
        }),
      ]);
    }
    const huge = parsed.find((line) => line.id === refusals.find((r) => r.name.startsWith("addressed to a huge"))?.id);
    expect(String(huge?.reason)).toMatch(/bot=\[REDACTED\].*…\[clipped\]$/);
  });
});
