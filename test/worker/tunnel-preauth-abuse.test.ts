import { describe, expect, it } from "vitest";
import { CloseCode, MAX_FRAME_BYTES } from "../../shared/tunnel/protocol.js";
import { connectRunner, consoleRun, execOutput, newKey, register, TestSocket } from "./tunnel-harness.js";
import { expectClosedWith, hubAudit } from "./tunnel-refusals.js";
import { newRunnerName } from "./test-ids.js";

/**
 * Sends up to `count` frames, in bursts of 100, until the socket closes. The hub refuses at the
 * first frame; the pause between bursts lets its close arrive, so not thousands more frames queue
 * behind it (each still costs the one-threaded test runtime an event, stalling the tests after).
 */
async function burst(tunnel: TestSocket, count: number, frame: unknown): Promise<void> {
  for (let n = 0; n < count && tunnel.closeCode === null; n++) {
    tunnel.send(frame);
    if (n % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("abuse before authentication (acceptance 7)", () => {
  it("closes an unauthenticated socket that sends an oversized frame, binary garbage or a 10,000-frame burst; one audit event each; a real runner is served afterwards", async () => {
    const runner = newRunnerName("preauth");
    const key = await newKey();
    expect((await register(runner, key)).status).toBe(201);

    // Oversized, even though it starts like a hello: closed with 1009 before it is parsed.
    const big = await TestSocket.open(runner);
    big.tunnel.send(JSON.stringify({ type: "hello", version: 2, token: "x", pad: "x".repeat(MAX_FRAME_BYTES) }));
    await expectClosedWith(big.tunnel, CloseCode.tooLarge, [{ type: "error", error: { code: "payload_too_large" } }]);

    const binary = await TestSocket.open(runner);
    binary.tunnel.socket.send(new Uint8Array([0xff, 0x00, 0x13, 0x37]));
    await expectClosedWith(binary.tunnel, CloseCode.policy, [{ type: "error", error: { code: "frame_invalid" } }]);

    // A burst of well-formed frames that are not a hello: the first is refused (4401) and the rest are ignored.
    const acks = await TestSocket.open(runner);
    await burst(acks.tunnel, 10_000, { type: "ack", seq: 0 });
    await expectClosedWith(acks.tunnel, CloseCode.unauthorized, [{ type: "error", error: { code: "unauthorized" } }]);

    // A burst of text that is not JSON: the policy close at the first frame.
    const garbage = await TestSocket.open(runner);
    await burst(garbage.tunnel, 10_000, "\u0000garbage{{{");
    await expectClosedWith(garbage.tunnel, CloseCode.policy, [{ type: "error", error: { code: "frame_invalid" } }]);

    // One event per socket: frames already on their way after the refusal are not authenticated (or audited) again,
    // so one socket cannot push the hub's earlier events out of its 500-row trail.
    const events = (await hubAudit(runner)).filter((entry) => entry.event.startsWith("tunnel."));
    expect(events.reverse()).toEqual([
      { at: expect.any(Number), event: "tunnel.bad_frame", detail: `frames are limited to ${MAX_FRAME_BYTES} bytes` },
      { at: expect.any(Number), event: "tunnel.bad_frame", detail: "binary frames are not part of the protocol" },
      { at: expect.any(Number), event: "tunnel.auth_failed", detail: '"ack" frame before hello' },
      { at: expect.any(Number), event: "tunnel.bad_frame", detail: "frame is not valid JSON" },
    ]);

    // The hub keeps serving: the real runner is welcomed and its call runs.
    const real = await connectRunner(runner, key);
    const reply = consoleRun(runner, "echo served-after-abuse");
    const call = await real.tunnel.next();
    expect(call).toMatchObject({ type: "call", request: { args: { command: "echo served-after-abuse" } } });
    real.tunnel.send({ type: "ack", seq: call.seq });
    real.tunnel.send({ type: "result", seq: 1, id: call.id, outcome: { ok: true, output: execOutput("served-after-abuse") } });
    expect(await reply).toBe("served-after-abuse");
    real.tunnel.socket.close(1000);
  }, 60_000);
});
