import { Hono } from "hono";
import { z } from "zod";
import { RunnerName } from "../../shared/tunnel/protocol.js";
import { GatewayError } from "../http/gateway-error.js";
import { RunnerPublicKey } from "../tunnel/runner-keys.js";

const Registration = z.object({ name: RunnerName, publicKey: RunnerPublicKey }).strict();

export const runnersRoute = new Hono<{ Bindings: Env }>()
  /** Registers a runner's public key; the private half never leaves the home box. */
  .post("/", async (c) => {
    const body = Registration.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) {
      const issue = body.error.issues[0];
      throw new GatewayError(400, "bad_request", `invalid registration at ${issue?.path.join(".") || "body"}: ${issue?.message ?? ""}`);
    }
    const hub = c.env.RUNNER_HUB.get(c.env.RUNNER_HUB.idFromName(body.data.name));
    const { kid } = await hub.registerKey(body.data.publicKey);
    console.log(JSON.stringify({ event: "runner.key_registered", runner: body.data.name, kid }));
    return c.json({ runner: body.data.name, kid }, 201);
  })
  .get("/:name", async (c) => {
    const name = RunnerName.safeParse(c.req.param("name"));
    if (!name.success) throw new GatewayError(400, "bad_request", "invalid runner name");
    const hub = c.env.RUNNER_HUB.get(c.env.RUNNER_HUB.idFromName(name.data));
    return c.json({ runner: name.data, ...(await hub.status()) });
  });
