import { Hono } from "hono";
import { RunnerName } from "../../shared/tunnel/protocol.js";
import { GatewayError } from "../http/gateway-error.js";
import { RUNNER_NAME_HEADER } from "./runner-hub.js";

/** `GET /tunnel?runner=<name>`: hands the upgrade to that runner's hub, which authenticates it. */
export const tunnelRoute = new Hono<{ Bindings: Env }>().get("/", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new GatewayError(426, "bad_request", "the tunnel is a WebSocket endpoint");
  }
  const name = RunnerName.safeParse(c.req.query("runner") ?? c.env.DEFAULT_RUNNER);
  if (!name.success) throw new GatewayError(400, "bad_request", "invalid runner name");
  const headers = new Headers(c.req.raw.headers);
  headers.set(RUNNER_NAME_HEADER, name.data);
  const hub = c.env.RUNNER_HUB.get(c.env.RUNNER_HUB.idFromName(name.data));
  return hub.fetch(new Request(c.req.raw.url, { headers }));
});
