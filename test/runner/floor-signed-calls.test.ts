import { generateKeyPairSync, randomBytes } from "node:crypto";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pinGatewayKey } from "../../runner/identity/gateway-key.js";
import { generateRunnerKey } from "../../runner/identity/runner-key.js";
import { stopChild } from "../../runner/local-stack/child-process.js";
import type { ToolRequest } from "../../shared/tools/tool-call.js";
import { containersOf } from "../support/docker-probe.js";
import { HostileGateway, spawnRunner } from "../support/hostile-gateway.js";
import { publicHalf, signCapability } from "../support/signed-call.js";

// Issue 5, acceptance 7: the runner process itself, behind a gateway whose capabilities it trusts,
// still refuses what its own runner.json forbids. Every call here carries a valid signature.
const runner = `floor-${randomBytes(4).toString("hex")}`;
const gatewayJwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as JWK;
const gateway = new HostileGateway();
const log: string[] = [];
let stateDir = "";
let child: ReturnType<typeof spawnRunner> | null = null;
let seq = 0;

async function signedCall(request: ToolRequest) {
  const id = `${runner}_${randomBytes(16).toString("hex")}`;
  const capability = await signCapability(gatewayJwk, { runner, id, session: "floor", request, timeoutMs: 10_000 });
  return { type: "call", seq: ++seq, id, session: "floor", request, timeoutMs: 10_000, capability };
}

async function resultOf(request: ToolRequest) {
  const frame = await signedCall(request);
  gateway.send(frame);
  for (;;) {
    const result = await gateway.next("result");
    if (result.id === frame.id) return { id: frame.id, result };
  }
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "drawbridge-floor-"));
  // This runner serves only ls and exec, and (the default) requires the sandbox for every exec.
  const config = join(stateDir, "runner.json");
  await writeFile(config, JSON.stringify({ tools: ["ls", "exec"] }), { mode: 0o600 });
  const url = await gateway.start(runner);
  await generateRunnerKey(join(stateDir, "runner-key.json"));
  await pinGatewayKey(stateDir, publicHalf(gatewayJwk));
  const connected = gateway.waitForRunner();
  child = spawnRunner(
    { DRAWBRIDGE_STATE_DIR: stateDir, DRAWBRIDGE_GATEWAY_URL: url, DRAWBRIDGE_RUNNER_NAME: runner, DRAWBRIDGE_RUNNER_CONFIG: config },
    log,
  );
  await connected;
}, 120_000);

afterAll(async () => {
  await stopChild(child ?? undefined, "SIGINT");
  await gateway.stop();
  await rm(stateDir, { recursive: true, force: true });
}, 60_000);

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
    const marker = join(stateDir, "elevated-ran");
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
