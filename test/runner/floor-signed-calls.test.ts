import { generateKeyPairSync, randomBytes } from "node:crypto";
import { access } from "node:fs/promises";
import { join } from "node:path";
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import { containersOf } from "../support/docker-probe.js";
import { HostileGateway } from "../support/hostile-gateway.js";
import { runnerProcessAgainst } from "../support/runner-process.js";
import { GatewayCalls } from "../support/signed-call.js";

// Issue 5, acceptance 7: the runner process itself, behind a gateway whose capabilities it trusts,
// still refuses what its own runner.json forbids. Every call here carries a valid signature.
const runner = `floor-${randomBytes(4).toString("hex")}`;
const gatewayJwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as JWK;
const gateway = new HostileGateway();
const log: string[] = [];
const calls = new GatewayCalls(gatewayJwk, runner);

const signedCall = (request: ToolRequest) => calls.frame("floor", request, 10_000);

async function resultOf(request: ToolRequest) {
  const frame = await signedCall(request);
  gateway.send(frame);
  for (;;) {
    const result = await gateway.next("result");
    if (result.id === frame.id) return { id: frame.id, result };
  }
}

// This runner serves only ls and exec, and (the default) requires the sandbox for every exec.
const runnerProcess = runnerProcessAgainst(gateway, { runner, gatewayJwk, log, runnerConfig: { tools: ["ls", "exec"] } });

describe("the runner process's local floor overrides a signed call (issue 5, acceptance 7)", () => {
  it("refuses a signed call for a tool runner.json does not serve, and touches nothing", async () => {
    const { result } = await resultOf({ tool: "write", args: { path: "planted.txt", content: "x" } });
    expect(result).toMatchObject({
      outcome: { ok: false, error: { code: "forbidden", message: expect.stringMatching(/does not serve the write tool/) } },
    });
    const listing = await resultOf({ tool: "ls", args: {} });
    expect(listing.result).toMatchObject({ outcome: { ok: true } });
    expect(JSON.stringify(listing.result)).not.toContain("planted.txt");
  });

  it("refuses a signed unsandboxed (elevated) exec while the floor requires the sandbox, and starts no container for it", async () => {
    const before = await containersOf(runner);
    // Were it run on the host, this would leave a file behind in the runner's state dir.
    const marker = join(runnerProcess.stateDir, "elevated-ran");
    const { result } = await resultOf({ tool: "exec", args: { command: `touch ${marker}`, elevated: true } });
    expect(result).toMatchObject({
      outcome: { ok: false, error: { code: "forbidden", message: expect.stringMatching(/sandbox\.required/) } },
    });
    await expect(access(marker)).rejects.toThrow(/ENOENT/);
    expect(await containersOf(runner)).toEqual(before);
  });

  it("still serves what the floor allows (the refusals above are the floor's, not a broken runner)", async () => {
    const { result } = await resultOf({ tool: "exec", args: { command: "echo served" } });
    expect(result).toMatchObject({ outcome: { ok: true, output: { stdout: "served\n" } } });
  });
});
