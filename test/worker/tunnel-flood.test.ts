import { describe, expect, it } from "vitest";
import { CloseCode, MAX_FRAME_BYTES, PING_TEXT, PONG_TEXT } from "../../shared/tunnel/protocol.js";
import { api, connectRunner, consoleRun, execOutput, newKey, register, TestSocket } from "./tunnel-harness.js";
import { newRunnerName } from "./test-ids.js";

/**
 * Up to `count` acks, far faster than the bucket refills, in bursts of 250 each followed by a
 * ping the hub itself answers (not the runtime's auto-reply: the spacing differs), so the next
 * burst goes out once the hub has read this one. Unpaced, thousands of frames still queued behind
 * the close kept the one-threaded test runtime busy long after the socket was gone, stalling
 * whichever tests ran next.
 */
async function pacedFlood(tunnel: TestSocket, count: number): Promise<void> {
  for (let sent = 0; sent < count && tunnel.closeCode === null;) {
    for (const end = Math.min(count, sent + 250); sent < end; sent++) tunnel.send({ type: "ack", seq: 0 });
    const caughtUp = new Promise<void>((resolve) => {
      const done = () => resolve();
      tunnel.socket.addEventListener("message", (event) => String(event.data) === PONG_TEXT && done());
      tunnel.socket.addEventListener("close", done);
    });
    tunnel.send('{"type": "ping"}');
    await caughtUp;
  }
}

describe("frame cap, floods and heartbeats (acceptance 7)", () => {
  it("closes an oversized frame with 1009 and a 10,000-frame flood with 1008, then serves a fresh runner", async () => {
    const runner = newRunnerName("flood");
    const key = await newKey();
    await register(runner, key);

    const big = await connectRunner(runner, key);
    big.tunnel.send(JSON.stringify({ type: "ack", seq: 1, pad: "x".repeat(MAX_FRAME_BYTES) }));
    expect(await big.tunnel.next()).toMatchObject({ type: "error", error: { code: "payload_too_large" } });
    expect(await big.tunnel.closed).toBe(CloseCode.tooLarge);

    const garbage = await connectRunner(runner, key);
    garbage.tunnel.socket.send(new Uint8Array([0xff, 0x00, 0x13, 0x37]));
    expect(await garbage.tunnel.closed).toBe(CloseCode.policy);

    const flood = await connectRunner(runner, key);
    await pacedFlood(flood.tunnel, 10_000);
    expect(await flood.tunnel.next()).toMatchObject({ type: "error", error: { message: expect.stringMatching(/too many frames/) } });
    expect(await flood.tunnel.closed).toBe(CloseCode.policy);

    // The hub keeps serving: a fresh connection is welcomed and its calls run.
    const fresh = await connectRunner(runner, key);
    const reply = consoleRun(runner, "echo still-serving");
    const call = await fresh.tunnel.next();
    fresh.tunnel.send({ type: "ack", seq: call.seq });
    fresh.tunnel.send({ type: "result", seq: 1, id: call.id, outcome: { ok: true, output: execOutput("still-serving") } });
    expect(await reply).toBe("still-serving");
    const status = await (await api("GET", `/api/runners/${runner}`)).json<{ recentAudit: Array<{ event: string }> }>();
    expect(status.recentAudit.map((entry) => entry.event)).toEqual(expect.arrayContaining(["tunnel.flood", "tunnel.bad_frame"]));
    fresh.tunnel.socket.close(1000);
  }, 60_000);

  it("answers heartbeats with a pong, before and after authentication", async () => {
    const runner = newRunnerName("beat");
    const key = await newKey();
    await register(runner, key);
    const { tunnel } = await connectRunner(runner, key);
    const pong = new Promise<string>((resolve) => tunnel.socket.addEventListener("message", (event) => resolve(String(event.data))));
    tunnel.send(PING_TEXT);
    expect(await pong).toBe(PONG_TEXT);
    tunnel.socket.close(1000);
  });

  it("refuses an unknown protocol version with a message naming the supported ones", async () => {
    const runner = newRunnerName("version");
    await register(runner, await newKey());
    const { tunnel } = await TestSocket.open(runner);
    tunnel.send({ type: "hello", version: 1, token: "x.y.z" });
    expect(await tunnel.next()).toMatchObject({
      type: "error",
      error: { code: "protocol_version", message: expect.stringMatching(/speaks 2/) },
    });
    expect(await tunnel.closed).toBe(CloseCode.protocolVersion);
  });
});
