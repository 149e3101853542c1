import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hubStub } from "../../worker/objects/stubs.js";
import { api, newKey, register } from "./tunnel-harness.js";
import { newRunnerName } from "./test-ids.js";

type StatusRunners = { runners: Array<{ runner: string; connected: boolean; keys: number; unavailable?: string }> };

describe("GET /api/status with one runner's hub broken", () => {
  it("lists that runner as unavailable, with why, and every other runner as usual", async () => {
    const healthy = newRunnerName("status-ok");
    const broken = newRunnerName("status-broken");
    await register(healthy, await newKey());
    await register(broken, await newKey());
    // A hub whose storage lost its outbox: its status() throws, and no retry mends it.
    await runInDurableObject(hubStub(env, broken), (_hub, state) => void state.storage.sql.exec("DROP TABLE outbox"));

    const response = await api("GET", "/api/status");
    expect(response.status).toBe(200);
    const { runners } = await response.json<StatusRunners>();
    expect(runners.find((entry) => entry.runner === healthy)).toMatchObject({ connected: false, keys: 1 });
    expect(runners.find((entry) => entry.runner === healthy)?.unavailable).toBeUndefined();
    expect(runners.find((entry) => entry.runner === broken)).toMatchObject({
      connected: false,
      unavailable: expect.stringMatching(/its hub did not answer: .*no such table: outbox/),
    });
  });
});
