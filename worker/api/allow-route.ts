import { Hono } from "hono";
import { z } from "zod";
import { GrantableRole, SenderId } from "../../shared/access/roles.js";
import { shownLabel } from "../../shared/display/untrusted-label.js";
import { GatewayError } from "../http/gateway-error.js";
import { jsonBody } from "../http/json-body.js";
import { channelGatekeeper } from "./channel-gatekeeper.js";

const RoleChange = z.object({ role: GrantableRole }).strict();

function senderParam(value: string): string {
  const parsed = SenderId.safeParse(value);
  if (!parsed.success) throw new GatewayError(400, "bad_request", 'sender ids are numeric channel ids (never usernames, never "*")');
  return parsed.data;
}

/** `GET /api/allow/:channel`, `DELETE /api/allow/:channel/:senderId`, `PUT … {"role"}`. */
export const allowRoute = new Hono<{ Bindings: Env }>()
  .get("/:channel", async (c) => {
    const { gatekeeper, settings } = await channelGatekeeper(c, c.req.param("channel"));
    const allowed = await gatekeeper.allowList(settings);
    return c.json({ allowed: allowed.map((sender) => ({ ...sender, name: shownLabel(sender.name) })) });
  })
  .delete("/:channel/:senderId", async (c) => {
    const { gatekeeper, settings } = await channelGatekeeper(c, c.req.param("channel"));
    const senderId = senderParam(c.req.param("senderId"));
    const result = await gatekeeper.allowRevoke(settings, senderId);
    if (!result.removed) {
      const where = result.inConfig ? "it comes from DRAWBRIDGE_ACCESS; change it there" : "nothing to revoke";
      throw new GatewayError(404, "not_found", `sender ${senderId} has no approval stored (${where})`);
    }
    return c.json({ ok: true, senderId, revoked: true, stillInConfig: result.inConfig });
  })
  .put("/:channel/:senderId", jsonBody(RoleChange, '{"role":"trusted"|"limited"|"blocked"}'), async (c) => {
    const { gatekeeper, settings } = await channelGatekeeper(c, c.req.param("channel"));
    const senderId = senderParam(c.req.param("senderId"));
    const { role } = c.req.valid("json");
    const view = await gatekeeper.allowSetRole(settings, senderId, role);
    if (!view) throw new GatewayError(400, "bad_request", "the owner's role comes from DRAWBRIDGE_OWNER and cannot be changed here");
    return c.json({ ok: true, ...view });
  });
