import { randomUUID } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { messageText } from "../../runner/tunnel/message-text.js";
import { tunnelUrl } from "../../runner/tunnel/tunnel-client.js";
import { RUNNER_JWT_TYPE, TUNNEL_AUDIENCE } from "../../shared/tunnel/protocol.js";
import { countMarkers, SandboxExecutions } from "../support/sandbox-executions.js";
import { TestStack } from "../support/test-stack.js";

const ROUNDS = 20;
const stack = new TestStack();
let executions: SandboxExecutions;
beforeAll(async () => {
  await stack.start();
  executions = await SandboxExecutions.watch(stack.runnerName);
}, 120_000);
afterAll(async () => {
  executions.stop();
  await stack.stop();
}, 60_000);

type CallView = { state: string; outcome: { ok: boolean; output?: { stdout: string }; error?: { code: string; message: string } } | null };

/** Resolves with the id of the next call the runner logs `event` for (after log line `from`). */
async function nextLogged(event: string, from: number, timeoutMs = 60_000): Promise<{ id: string; index: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const index = stack.runnerLog.findIndex((line, i) => i >= from && line.includes(`"event":"${event}"`));
    if (index >= 0) return { id: (JSON.parse(stack.runnerLog[index]!) as { id: string }).id, index };
    if (Date.now() > deadline) throw new Error(`runner never logged ${event}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function finished(id: string, timeoutMs = 90_000): Promise<CallView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = (await stack.api("GET", `/api/calls/${id}`).catch(() => ({ body: { state: "unreachable" } }))).body as CallView;
    if (call.state === "done") return call;
    if (Date.now() > deadline) throw new Error(`call ${id} never finished: ${JSON.stringify(call)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** One tunnel connection by hand, to replay a hello token's jti; resolves with the close code or "welcome". */
async function helloWith(runner: string, sign: (nonce: string) => Promise<string>): Promise<string | number> {
  const socket = new WebSocket(tunnelUrl(stack.url, runner));
  return new Promise((resolve, reject) => {
    socket.on("message", (data) => {
      const frame = JSON.parse(messageText(data)) as { type: string; nonce?: string };
      if (frame.type === "challenge")
        void sign(frame.nonce ?? "")
          .then((token) => socket.send(JSON.stringify({ type: "hello", version: 2, token })))
          .catch(reject);
      if (frame.type === "welcome") {
        socket.close(1000);
        resolve("welcome");
      }
    });
    socket.on("close", (code) => resolve(code));
    socket.on("error", reject);
  });
}

/**
 * Every execution so far, as the engine reported them: runs one last command and waits for its own
 * exec event. The engine sends events in order, so an execution that started before it (a late
 * second run of an earlier call included) is counted by then; waiting costs one warm call.
 */
async function executionsSoFar(marker: string): Promise<string[]> {
  expect((await stack.admin().sendMessage(`/run echo ${marker}`)).reply).toBe(marker);
  const seen = await executions.settle((actions) => actions.some((action) => action.includes(marker)), 30_000);
  expect(
    seen.some((action) => action.includes(marker)),
    `the engine reported ${marker}`,
  ).toBe(true);
  return seen;
}

describe("chaos: at-most-once execution, no lost results (acceptance 4)", () => {
  it(`kills the runner mid-call and restarts it, ${ROUNDS} times`, async () => {
    const answers: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Even rounds: killed while the command runs. Odd rounds: killed after it finished, before its result is surely out.
      const event = round % 2 === 0 ? "call.started" : "call.finished";
      const from = stack.runnerLog.length;
      const reply = stack.admin().sendMessage(`/run sleep 0.3; echo chaos-r-${round}`);
      await nextLogged(event, from);
      await stack.killRunner();
      await stack.startRunner();
      const { reply: text } = await reply;
      answers.push(text ?? "");
      if (event === "call.finished") expect(text).toBe(`chaos-r-${round}`);
      else
        expect(
          text === `chaos-r-${round}` ||
            /stopped while this call was running; it may have run partly\. It was not run again/.test(text ?? ""),
        ).toBe(true);
    }
    const { counts } = countMarkers(await executionsSoFar("chaos-r-done"), /chaos-r-\d+\b/);
    for (let round = 0; round < ROUNDS; round++) {
      const ran = counts.get(`chaos-r-${round}`) ?? 0;
      // Never twice; a call whose result came back ran exactly once.
      expect(ran).toBeLessThanOrEqual(1);
      if (answers[round] === `chaos-r-${round}`) expect(ran).toBe(1);
    }
    console.log(JSON.stringify({ chaos: "runner-kill", rounds: ROUNDS, interrupted: answers.filter((a) => a.startsWith("⚠️")).length }));
  }, 600_000);

  it(`restarts the Worker (persisted storage) mid-call, ${ROUNDS} times; a replayed jti stays refused across restarts`, async () => {
    // A second runner name with a key of the test's own, to replay a hello token's jti after a restart.
    const replayRunner = `${stack.runnerName}-replay`;
    const { privateKey, publicKey } = await generateKeyPair("Ed25519", { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk, "sha256");
    await stack.admin().registerRunner(replayRunner, publicJwk);
    const jti = randomUUID();
    const sign = (nonce: string) =>
      new SignJWT({ nonce })
        .setProtectedHeader({ alg: "EdDSA", typ: RUNNER_JWT_TYPE, kid })
        .setAudience(TUNNEL_AUDIENCE)
        .setSubject(replayRunner)
        .setIssuedAt()
        .setExpirationTime("60s")
        .setJti(jti)
        .sign(privateKey);
    expect(await helloWith(replayRunner, sign)).toBe("welcome");

    const ids: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const from = stack.runnerLog.length;
      // The console request dies with the Worker; the result must still be delivered (GET /api/calls/:id).
      const pending = stack
        .admin()
        .sendMessage(`/run sleep 1; echo chaos-w-${round}`)
        .catch(() => null);
      const { id } = await nextLogged("call.started", from);
      await stack.restartGateway();
      ids.push(id);
      const call = await finished(id);
      expect(call.outcome).toMatchObject({ ok: true, output: { stdout: `chaos-w-${round}\n` } });
      await pending;
      if (round === 0) expect(await helloWith(replayRunner, sign)).toBe(4401);
    }
    const { counts } = countMarkers(await executionsSoFar("chaos-w-done"), /chaos-w-\d+\b/);
    for (let round = 0; round < ROUNDS; round++) expect(counts.get(`chaos-w-${round}`)).toBe(1);
  }, 900_000);
});
