import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hubStub } from "../../worker/objects/stubs.js";
import type { RunnerHub } from "../../worker/tunnel/runner-hub.js";
import { GateHarness } from "./gate-harness.js";
import { api, connectRunner, consoleRun, newKey, type Key, type TestSocket } from "./tunnel-harness.js";
import { newBotId, newRunnerName, newUserId } from "./test-ids.js";

const MINUTE = 60_000;

/** One owner with a bot of their own, and one registered runner whose hub keeps that owner's config. */
class AlertHarness {
  readonly gate = new GateHarness(newBotId(), newUserId(), { alerts: { runnerOfflineMinutes: 5 } });
  readonly runner = newRunnerName("alerts");
  readonly hub = hubStub(this.gate.env, this.runner);
  readonly key: Promise<Key> = newKey();
  private offsetMs = 0;

  async register(): Promise<void> {
    const key = await this.key;
    const response = await this.gate.api("POST", "/api/runners", { name: this.runner, publicKey: key.publicJwk });
    expect(response.status).toBe(201);
  }

  async connect(): Promise<TestSocket> {
    return (await connectRunner(this.runner, await this.key)).tunnel;
  }

  /** Closes the runner's socket and waits until the hub has seen the outage start. */
  async disconnect(tunnel: TestSocket): Promise<void> {
    tunnel.socket.close(1000, "bye");
    for (let attempt = 0; attempt < 200; attempt++) {
      const since = await runInDurableObject(this.hub, (_instance: RunnerHub, state) => {
        const row = state.storage.sql.exec<{ since: number | null }>("SELECT offline_since AS since FROM runner_outage").toArray()[0];
        return row?.since ?? null;
      });
      if (since !== null) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("the hub never saw the runner go offline");
  }

  /** Moves the hub's business clock forward and runs its alarm, as the runtime would once the time came. */
  async after(ms: number): Promise<void> {
    this.offsetMs += ms;
    const offset = this.offsetMs;
    await runInDurableObject(this.hub, (instance: RunnerHub) => {
      instance.clock = () => Date.now() + offset;
    });
    await runDurableObjectAlarm(this.hub);
  }

  async messages(): Promise<string[]> {
    return await this.gate.messagesTo(this.gate.ownerId);
  }

  /** Waits for the owner's messages to reach `count` (the back-online one is sent after the welcome). */
  async messagesWhen(count: number): Promise<string[]> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const messages = await this.messages();
      if (messages.length >= count) return messages;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return await this.messages();
  }

  async auditEvents(): Promise<string[]> {
    return await runInDurableObject(this.hub, (instance: RunnerHub) =>
      instance
        .status(this.runner)
        .recentAudit.map((entry) => entry.event)
        .filter((event) => event.endsWith("_alert")),
    );
  }
}

describe("owner alerts when a runner goes offline", () => {
  it("alerts once after the threshold (not before), and once when it is back with the time gone and the calls queued", async () => {
    const h = new AlertHarness();
    await h.register();
    const tunnel = await h.connect();
    await h.disconnect(tunnel);

    await h.after(4 * MINUTE);
    expect(await h.messages()).toEqual([]);

    await h.after(3 * MINUTE);
    const offline = await h.messages();
    expect(offline).toHaveLength(1);
    expect(offline[0]).toMatch(new RegExp(`^⚠️ Runner "${h.runner}" is offline: no connection for 7 min\\.`));

    // Later alarms (queue TTLs, housekeeping) never repeat it.
    await h.after(10 * MINUTE);
    expect(await h.messages()).toHaveLength(1);

    // A call sent meanwhile waits in the queue; the back-online message counts it.
    expect(await consoleRun(h.runner, "echo meanwhile")).toMatch(/^⏳ Queued/);
    const back = await h.connect();
    const messages = await h.messagesWhen(2);
    expect(messages).toHaveLength(2);
    expect(messages[1]).toBe(`✅ Runner "${h.runner}" is back online after 17 min offline; 1 call queued meanwhile.`);
    expect(await back.next()).toMatchObject({ type: "call" });
    // The console reads the same alerts from the runner's status (GET /api/runners/:name).
    expect(await h.auditEvents()).toEqual(["runner.back_online_alert", "runner.offline_alert"]);
  });

  it("a short drop below the threshold tells the owner nothing, going or coming back", async () => {
    const h = new AlertHarness();
    await h.register();
    await h.disconnect(await h.connect());
    await h.after(2 * MINUTE);
    await h.connect();
    await h.after(60 * MINUTE);
    expect(await h.messagesWhen(1)).toEqual([]);
  });

  it("flapping (five long drops within an hour) makes at most one offline alert and one back-online message", async () => {
    const h = new AlertHarness();
    await h.register();
    let tunnel = await h.connect();
    for (let drop = 0; drop < 5; drop++) {
      await h.disconnect(tunnel);
      await h.after(6 * MINUTE);
      tunnel = await h.connect();
      await h.after(MINUTE);
    }
    const messages = await h.messagesWhen(3);
    expect(messages.filter((text) => text.startsWith("⚠️"))).toHaveLength(1);
    expect(messages.filter((text) => text.startsWith("✅"))).toHaveLength(1);
    expect(messages).toHaveLength(2);

    // An outage that outlasts the hour after the last alert is reported then.
    await h.disconnect(tunnel);
    await h.after(30 * MINUTE);
    expect(await h.messages()).toHaveLength(2);
    await h.after(30 * MINUTE);
    const later = await h.messages();
    expect(later).toHaveLength(3);
    expect(later[2]).toMatch(/^⚠️ Runner .* is offline: no connection for 1 h\./);
  });

  it("a registered runner that never connected, or whose key is revoked, gets no alerts", async () => {
    const never = new AlertHarness();
    await never.register();
    await never.after(3 * 60 * MINUTE);
    expect(await never.messages()).toEqual([]);

    // Revoked while connected: the socket is closed by the gateway, not lost.
    const revoked = new AlertHarness();
    await revoked.register();
    await revoked.connect();
    expect((await api("DELETE", `/api/runners/${(await revoked.key).kid}`)).status).toBe(200);
    for (let hour = 0; hour < 3; hour++) await revoked.after(60 * MINUTE);
    expect(await revoked.messages()).toEqual([]);

    // Revoked after it went offline: the held alert is dropped.
    const gone = new AlertHarness();
    await gone.register();
    await gone.disconnect(await gone.connect());
    expect((await api("DELETE", `/api/runners/${(await gone.key).kid}`)).status).toBe(200);
    for (let hour = 0; hour < 3; hour++) await gone.after(60 * MINUTE);
    expect(await gone.messages()).toEqual([]);
    expect(await gone.auditEvents()).toEqual([]);
  });
});
