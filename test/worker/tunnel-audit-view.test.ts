import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../shared/tunnel/protocol.js";
import { api, helloToken, newKey, register, TestSocket } from "./tunnel-harness.js";
import { newRunnerName } from "./test-ids.js";

type EdgeEvent = { kind: string; channel: string; actor: string; detail: { runner?: string; reason?: string } };

async function edgeAudit(): Promise<{ raw: string; events: EdgeEvent[] }> {
  const raw = await (await api("GET", "/api/audit?limit=1000")).text();
  return { raw, events: (JSON.parse(raw) as { events: EdgeEvent[] }).events };
}

/** The runner's events in GET /api/audit, once `done` holds (copies reach the audit log in the background). */
async function runnerEvents(runner: string, done: (events: EdgeEvent[]) => boolean): Promise<{ raw: string; events: EdgeEvent[] }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { raw, events } = await edgeAudit();
    const mine = events.filter((event) => event.detail.runner === runner);
    if (done(mine)) return { raw, events: mine };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`GET /api/audit never showed the expected events of ${runner}`);
}

async function refusedHello(runner: string, token: (nonce: string) => string | Promise<string>): Promise<void> {
  const { tunnel, nonce } = await TestSocket.open(runner);
  tunnel.send({ type: "hello", version: 2, token: await token(nonce) });
  expect(await tunnel.next()).toMatchObject({ type: "error", error: { code: "unauthorized" } });
  expect(await tunnel.closed).toBe(CloseCode.unauthorized);
}

describe("tunnel refusals in the one audit view (GET /api/audit)", () => {
  it("shows a forged and a replayed hello with the runner's name and no token, and a flood of bad sockets only up to its cap", async () => {
    const runner = newRunnerName("audit-view");
    const key = await newKey();
    expect((await register(runner, key)).status).toBe(201);

    // Forged: the registered kid, signed by the attacker's own key.
    const attacker = await newKey();
    let forged = "";
    await refusedHello(runner, async (nonce) => (forged = await helloToken({ ...attacker, kid: key.kid }, runner, nonce)));

    // Replayed: a genuine token, captured from a welcomed connection, sent again on a new one.
    const first = await TestSocket.open(runner);
    const captured = await helloToken(key, runner, first.nonce);
    first.tunnel.send({ type: "hello", version: 2, token: captured });
    expect(await first.tunnel.next()).toMatchObject({ type: "welcome" });
    first.tunnel.socket.close(1000);
    await refusedHello(runner, () => captured);

    // A flood of sockets that each send garbage and are closed: 25 more tunnel events within the minute.
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        const { tunnel } = await TestSocket.open(runner);
        tunnel.socket.send(new Uint8Array([0xff, 0x00]));
        expect(await tunnel.closed).toBe(CloseCode.policy);
      }),
    );

    const { raw, events } = await runnerEvents(runner, (mine) => mine.some((event) => event.kind === "tunnel.audit_capped"));
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: "tunnel.auth_failed",
        channel: "tunnel",
        actor: `runner:${runner}`,
        detail: { runner, reason: expect.stringMatching(/signature verification failed/) },
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ kind: "tunnel.auth_failed", detail: { runner, reason: "token answers a different challenge" } }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ kind: "runner.key_registered", actor: "admin", detail: { runner, reason: `kid ${key.kid}` } }),
    );
    // 27 tunnel events happened; the audit log took 20 of them and one note that the rest stayed in the hub.
    const tunnelEvents = events.filter((event) => event.kind.startsWith("tunnel."));
    expect(tunnelEvents.filter((event) => event.kind === "tunnel.auth_failed")).toHaveLength(2);
    expect(tunnelEvents.filter((event) => event.kind === "tunnel.bad_frame")).toHaveLength(18);
    expect(tunnelEvents.filter((event) => event.kind === "tunnel.audit_capped")).toHaveLength(1);
    expect(tunnelEvents).toHaveLength(21);

    // Nothing secret: neither token (nor its signature alone), nor the owner's bearer token.
    for (const token of [forged, captured]) {
      expect(raw).not.toContain(token);
      expect(raw).not.toContain(token.split(".")[2]);
    }
    expect(raw).not.toContain(env.GATEWAY_TOKEN);

    // The runner's own view still has its recent events, as documented.
    const status = await (await api("GET", `/api/runners/${runner}`)).json<{ recentAudit: Array<{ event: string }> }>();
    expect(status.recentAudit).toHaveLength(20);
    expect(status.recentAudit[0]?.event).toBe("tunnel.bad_frame");
  }, 60_000);

  it("keeps attempts on a name nobody registered out of the audit log (anyone can make names up)", async () => {
    const runner = newRunnerName("audit-nobody");
    await refusedHello(runner, async (nonce) => helloToken(await newKey(), runner, nonce));
    const status = await (await api("GET", `/api/runners/${runner}`)).json<{ recentAudit: Array<{ event: string }> }>();
    expect(status.recentAudit.map((entry) => entry.event)).toEqual(["tunnel.auth_failed"]);
    // The same attempt on a registered runner afterwards does reach the log; by then the first would have too.
    const registered = newRunnerName("audit-somebody");
    const key = await newKey();
    expect((await register(registered, key)).status).toBe(201);
    await refusedHello(registered, async (nonce) => helloToken(await newKey(), registered, nonce));
    await runnerEvents(registered, (mine) => mine.some((event) => event.kind === "tunnel.auth_failed"));
    const { events } = await edgeAudit();
    expect(events.filter((event) => event.detail.runner === runner)).toEqual([]);
  });
});
