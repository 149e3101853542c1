import { describe, expect, it } from "vitest";
import { listApprovals, ScriptedRunner } from "./approval-harness.js";
import { GateHarness } from "./gate-harness.js";
import { connectRunner, newKey, register } from "./tunnel-harness.js";
import { newBotId, newRunnerName, newUserId } from "./test-ids.js";

// Several runners behind one gateway: each call goes to the runner its session or tool names.
const OWNER = newUserId();
const TRUSTED = newUserId();

async function runnerNamed(prefix: string): Promise<{ name: string; runner: ScriptedRunner }> {
  const name = newRunnerName(prefix);
  const key = await newKey();
  expect((await register(name, key)).status).toBe(201);
  const { tunnel } = await connectRunner(name, key);
  return { name, runner: new ScriptedRunner(tunnel) };
}

function gateRouting(botId: number, home: string, runners: unknown): GateHarness {
  const gate = new GateHarness(botId, OWNER, {
    runners,
    dmPolicy: "allowlist",
    allowFrom: [String(TRUSTED)],
    roles: { [TRUSTED]: "trusted" },
  });
  Object.assign(gate.env, { DEFAULT_RUNNER: home });
  return gate;
}

describe("runner routing", () => {
  it("sends exec to the runner configured for it and every other tool to the default", async () => {
    const home = await runnerNamed("route-home");
    const gpu = await runnerNamed("route-gpu");
    const gate = gateRouting(newBotId(), home.name, { tools: { exec: gpu.name } });

    const [run] = await Promise.all([gpu.runner.answerNext(), gate.dm(OWNER, "/run nvidia-smi")]);
    expect(run.request).toMatchObject({ tool: "exec", args: { command: "nvidia-smi" } });
    expect((await gate.messagesTo(OWNER)).at(-1)).toContain("ran: nvidia-smi");

    const [list] = await Promise.all([home.runner.answerNext(), gate.dm(OWNER, "/ls")]);
    expect(list.request).toMatchObject({ tool: "ls" });
    // Neither runner saw the other's call.
    expect(gpu.runner.executed).toEqual(["nvidia-smi"]);
    expect(home.runner.executed).toEqual([""]);

    // /status names both runners this sender's tools go to.
    await gate.dm(OWNER, "/status");
    const status = (await gate.messagesTo(OWNER)).at(-1) ?? "";
    expect(status).toContain(`Home runner ${home.name}: 🟢 online`);
    expect(status).toContain(`Home runner ${gpu.name}: 🟢 online`);
  });

  it("a session routed to its own runner uses it for every tool, over the tool's route", async () => {
    const home = await runnerNamed("route-home2");
    const office = await runnerNamed("route-office");
    const gate = gateRouting(newBotId(), home.name, { sessions: { main: office.name }, tools: { exec: home.name } });
    const [run] = await Promise.all([office.runner.answerNext(), gate.dm(OWNER, "/run echo at-the-office")]);
    expect(run.request).toMatchObject({ tool: "exec", args: { command: "echo at-the-office" } });
    expect((await gate.messagesTo(OWNER)).at(-1)).toContain("ran: echo at-the-office");
  });

  it("a call the owner approves goes to the runner its route names", async () => {
    const home = await runnerNamed("route-home4");
    const gpu = await runnerNamed("route-gpu4");
    const gate = gateRouting(newBotId(), home.name, { tools: { exec: gpu.name } });
    await gate.dm(TRUSTED, "/run echo approved");
    // The approval index is the gateway's, shared with other test files: pick ours.
    const asked = (await listApprovals(gate)).find((approval) => approval.sender === `telegram:${TRUSTED}`);
    expect(asked?.label).toBe("/run echo approved");
    const [run] = await Promise.all([
      gpu.runner.answerNext(),
      gate.api("POST", `/api/approvals/${asked?.id ?? ""}`, { decision: "allow" }),
    ]);
    // (the policy submits the command re-quoted, as the owner was shown it)
    expect(run.request).toMatchObject({ tool: "exec", args: { command: expect.stringContaining("approved") } });
  });

  it("a route to a runner nobody registered answers at once that nothing ran", async () => {
    const home = await runnerNamed("route-home3");
    const gate = gateRouting(newBotId(), home.name, { tools: { exec: "never-registered" } });
    await gate.dm(OWNER, "/run echo lost");
    expect((await gate.messagesTo(OWNER)).at(-1)).toContain('no runner named "never-registered" is registered, so nothing ran');
    // Barrier: the default runner's next call is the owner's /ls, so the /run never reached it.
    const [next] = await Promise.all([home.runner.answerNext(), gate.dm(OWNER, "/ls")]);
    expect(next.request).toMatchObject({ tool: "ls" });
  });
});
