import { createMiddleware } from "hono/factory";
import { GatewayError } from "../../http/gateway-error.js";
import { checkSlackSignature } from "./signature.js";

export type SlackVariables = { rawBody: string };

/**
 * Verifies Slack's signature over the raw body before anything parses it; the verified text is
 * handed on as `rawBody` (never re-serialised JSON). Runs after the body cap.
 */
export function slackSigned() {
  return createMiddleware<{ Bindings: Env; Variables: SlackVariables }>(async (c, next) => {
    const raw = await c.req.text();
    const check = await checkSlackSignature(
      c.env.SLACK_SIGNING_SECRET ?? "",
      c.req.header("x-slack-request-timestamp"),
      c.req.header("x-slack-signature"),
      raw,
      Date.now(),
    );
    if (check === "stale")
      throw new GatewayError(401, "unauthorized", "missing or stale X-Slack-Request-Timestamp (more than 5 minutes off)");
    if (check === "bad") throw new GatewayError(401, "unauthorized", "missing or wrong X-Slack-Signature");
    c.set("rawBody", raw);
    await next();
  });
}
