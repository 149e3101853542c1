import { Hono, type Context } from "hono";
import { z } from "zod";
import { GrantableRole } from "../../shared/access/roles.js";
import type { DecideFailure } from "../../shared/access/pairing-store.js";
import { shownLabel } from "../../shared/display/untrusted-label.js";
import type { PairingDecision } from "../gatekeeper/pairing-actions.js";
import { GatewayError } from "../http/gateway-error.js";
import { jsonBody } from "../http/json-body.js";
import { channelGatekeeper } from "./channel-gatekeeper.js";

const Decision = z.object({ code: z.string().min(1).max(64), role: GrantableRole.optional() }).strict();
const DenyDecision = z.object({ code: z.string().min(1).max(64) }).strict();

/** How each refusal reads over HTTP; the message says what to do next. */
const FAILURE_STATUS = { malformed: 400, lower_case: 400, wrong: 404, expired: 410, used: 409 } as const satisfies Record<
  DecideFailure,
  number
>;

/** `GET /api/pairing/:channel`, `POST /api/pairing/:channel/approve|deny {"code"}`. */
export const pairingRoute = new Hono<{ Bindings: Env }>()
  .get("/:channel", async (c) => {
    const { gatekeeper, settings } = await channelGatekeeper(c, c.req.param("channel"));
    // Names are the senders' own: shown escaped, so no reader of this answer is handed bidi or control characters.
    const pending = await gatekeeper.pairingList(settings);
    return c.json({ pending: pending.map((request) => ({ ...request, name: shownLabel(request.name) })) });
  })
  .post("/:channel/approve", jsonBody(Decision, '{"code":"…"} and optionally "role": "trusted" | "limited" | "blocked"'), async (c) => {
    const { gatekeeper, settings } = await channelGatekeeper(c, c.req.param("channel"));
    const body = c.req.valid("json");
    return answer(c, await gatekeeper.pairingDecide(settings, "approve", body.code, body.role));
  })
  .post("/:channel/deny", jsonBody(DenyDecision, '{"code":"…"}'), async (c) => {
    const { gatekeeper, settings } = await channelGatekeeper(c, c.req.param("channel"));
    const body = c.req.valid("json");
    return answer(c, await gatekeeper.pairingDecide(settings, "deny", body.code));
  });

function answer(c: Context, decision: PairingDecision) {
  if (!decision.ok) {
    throw new GatewayError(FAILURE_STATUS[decision.reason], decision.reason === "wrong" ? "not_found" : "bad_request", decision.message);
  }
  return c.json({
    ok: true,
    action: decision.action,
    senderId: decision.request.senderId,
    name: shownLabel(decision.request.name),
    role: decision.action === "approve" ? decision.role : null,
    message: decision.message,
  });
}
