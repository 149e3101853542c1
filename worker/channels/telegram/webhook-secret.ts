import { createMiddleware } from "hono/factory";
import { constantTimeEqual } from "../../../shared/constant-time.js";
import { GatewayError } from "../../http/gateway-error.js";

/** Checks Telegram's secret header in constant time before anything reads the body. */
export function telegramSecret() {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const given = c.req.header("x-telegram-bot-api-secret-token") ?? "";
    if (!(await constantTimeEqual(given, c.env.TELEGRAM_WEBHOOK_SECRET ?? ""))) {
      throw new GatewayError(401, "unauthorized", "missing or wrong webhook secret");
    }
    await next();
  });
}
