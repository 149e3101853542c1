import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Gatekeeper } from "../../worker/gatekeeper/gatekeeper.js";
import { dmUpdate, GateHarness, updateId } from "./gate-harness.js";
import { newBotId, newUserId } from "./test-ids.js";

describe("durable inbox and dedupe (acceptance 7)", () => {
  it("processes an update_id delivered twice, one after the other, once", async () => {
    const OWNER = newUserId();
    const gate = new GateHarness(newBotId(), OWNER);
    const update = dmUpdate(OWNER, "/help");
    expect((await gate.post(update)).status).toBe(200);
    expect((await gate.post(update)).status).toBe(200);
    await gate.settle();
    expect(await gate.messagesTo(OWNER)).toHaveLength(1);
  });

  it("processes an update_id delivered concurrently once", async () => {
    const OWNER = newUserId();
    const gate = new GateHarness(newBotId(), OWNER);
    const update = dmUpdate(OWNER, "/help");
    const responses = await Promise.all(Array.from({ length: 8 }, () => gate.post(update)));
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
    await gate.settle();
    expect(await gate.messagesTo(OWNER)).toHaveLength(1);
  });

  it("keeps an update that arrived while nothing processed it, and handles it later (a crash after the 200 loses nothing)", async () => {
    const OWNER = newUserId();
    const gate = new GateHarness(newBotId(), OWNER);
    // Store without the alarm firing in between: the state a crash right after the 200 leaves.
    await runInDurableObject(gate.gatekeeper, async (instance: Gatekeeper, state) => {
      const { loadGatewayConfig } = await import("../../worker/config.js");
      await instance.receive(
        { ...loadGatewayConfig(gate.env), account: `telegram:${gate.botId}` },
        { update_id: updateId(), message: dmUpdate(OWNER, "/help").message as never },
      );
      await state.storage.deleteAlarm();
      expect(instance.inboxDepth()).toBe(1);
    });
    expect(await gate.messagesTo(OWNER)).toEqual([]);
    await gate.settle();
    expect(await gate.messagesTo(OWNER)).toEqual([expect.stringContaining("/run <command>")]);
  });

  it("forgets ids after the dedupe window, so Telegram restarting ids does not eat fresh updates", async () => {
    const OWNER = newUserId();
    const gate = new GateHarness(newBotId(), OWNER);
    const update = dmUpdate(OWNER, "/help");
    await gate.post(update);
    await gate.settle();
    await gate.advance(25 * 60 * 60 * 1000);
    await gate.post(dmUpdate(OWNER, "/help")); // any update: processing prunes the old ids
    await gate.settle();
    await gate.post(update);
    await gate.settle();
    expect(await gate.messagesTo(OWNER)).toHaveLength(3);
  });

  it("does not re-run a tool call that was interrupted; it says so instead", async () => {
    const OWNER = newUserId();
    const gate = new GateHarness(newBotId(), OWNER);
    await runInDurableObject(gate.gatekeeper, async (instance: Gatekeeper, state) => {
      const { loadGatewayConfig } = await import("../../worker/config.js");
      await instance.receive(
        { ...loadGatewayConfig(gate.env), account: `telegram:${gate.botId}` },
        dmUpdate(OWNER, "/run rm -rf /tmp/x") as never,
      );
      await state.storage.deleteAlarm();
      state.storage.sql.exec("UPDATE inbox SET stage = 'tool_call', attempts = 1");
    });
    await gate.settle();
    expect(await gate.messagesTo(OWNER)).toEqual([
      expect.stringMatching(/interrupted .* will not be re-run\. If it had reached the home runner, its result still follows here/),
    ]);
  });
});
