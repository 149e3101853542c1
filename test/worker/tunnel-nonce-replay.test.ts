import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../shared/tunnel/protocol.js";
import { hubStub } from "../../worker/objects/stubs.js";
import { connectRunner, helloToken, newKey, register, TestSocket, type Key } from "./tunnel-harness.js";
import { expectClosedWith, expectEdgeCopies, expectRefusedHello, hubAudit } from "./tunnel-refusals.js";
import { newRunnerName } from "./test-ids.js";

async function registered(): Promise<{ runner: string; key: Key }> {
  const runner = newRunnerName("nonce");
  const key = await newKey();
  expect((await register(runner, key)).status).toBe(201);
  return { runner, key };
}

/** Changes the stored row of `nonce` in the runner's hub; true when the hub had issued it. */
function alterNonce(runner: string, nonce: string, change: string): Promise<boolean> {
  return runInDurableObject(hubStub(env, runner), (_instance, state) => {
    return state.storage.sql.exec(`UPDATE tunnel_nonces SET ${change} WHERE nonce = ?`, nonce).rowsWritten === 1;
  });
}

/**
 * Nonce replays (acceptance 1). The hub binds a nonce to the socket it challenged (stored with the socket) and
 * marks it used in SQLite when a hello answers it. A replay can be tried in two places; both are refused and audited.
 */
describe("replayed nonces", () => {
  it("refuses a fresh, correctly signed token for a nonce already used by another socket", async () => {
    const { runner, key } = await registered();
    const first = await TestSocket.open(runner);
    first.tunnel.send({ type: "hello", version: 2, token: await helloToken(key, runner, first.nonce) });
    expect(await first.tunnel.next()).toMatchObject({ type: "welcome" });
    first.tunnel.socket.close(1000);
    // A new jti, a valid signature, the used nonce: a new socket has its own nonce, and the token must answer that one,
    // so the used nonce fails the equality check before it could reach the single-use store.
    await expectRefusedHello(runner, () => helloToken(key, runner, first.nonce), /^token answers a different challenge$/);
    await expectEdgeCopies(runner, [/^token answers a different challenge$/]);
  });

  it("refuses a second hello on the socket that used the nonce, even sent before the welcome", async () => {
    const { runner, key } = await registered();
    const { tunnel, nonce } = await TestSocket.open(runner);
    // Two valid tokens (different jtis) for the same nonce, back to back: only one may authenticate.
    const tokens = [await helloToken(key, runner, nonce), await helloToken(key, runner, nonce)];
    for (const token of tokens) tunnel.send({ type: "hello", version: 2, token });
    await expectClosedWith(tunnel, CloseCode.policy, [
      { type: "welcome", runner },
      { type: "error", error: { code: "frame_invalid", message: 'a runner may not send "hello" frames' } },
    ]);
    const reason = /^hello on an authenticated socket: its nonce is already used$/;
    expect((await hubAudit(runner))[0]).toEqual({
      at: expect.any(Number),
      event: "tunnel.auth_failed",
      detail: expect.stringMatching(reason),
    });
    await expectEdgeCopies(runner, [reason]);
  });

  it("refuses a valid hello whose nonce the hub's SQLite holds as used or expired", async () => {
    // No frame sequence gets here today: the runtime hands the hub a socket's frames one at a time and the socket leaves
    // the challenged state at its first hello (the two tests above). The single-use row in SQLite is the backstop for what
    // the socket state cannot see — a hello that verifies while another already used the nonce, or one arriving after the
    // nonce's 15 s lifetime because the 10 s deadline alarm ran late — so this test puts the row in those states itself.
    const { runner, key } = await registered();
    const reason = /^nonce already used or expired$/;
    for (const change of ["used = 1", `expires_at = ${Date.now() - 1}`]) {
      const { tunnel, nonce } = await TestSocket.open(runner);
      expect(await alterNonce(runner, nonce, change)).toBe(true);
      tunnel.send({ type: "hello", version: 2, token: await helloToken(key, runner, nonce) });
      await expectClosedWith(tunnel, CloseCode.unauthorized, [{ type: "error", error: { code: "unauthorized" } }]);
      expect((await hubAudit(runner))[0]).toEqual({
        at: expect.any(Number),
        event: "tunnel.auth_failed",
        detail: expect.stringMatching(reason),
      });
    }
    await expectEdgeCopies(runner, [reason, reason]);
    // The refusals were about those nonces only: the runner's next connection is welcomed.
    const { tunnel } = await connectRunner(runner, key);
    tunnel.socket.close(1000);
  });
});
