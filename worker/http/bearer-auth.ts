import { createMiddleware } from "hono/factory";
import { constantTimeEqual } from "../../shared/constant-time.js";
import { GatewayError } from "./gateway-error.js";

/** Admin routes: `Authorization: Bearer <GATEWAY_TOKEN>`, compared in constant time. */
export function bearerAuth() {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const expected = c.env.GATEWAY_TOKEN ?? "";
    if (!match?.[1] || !(await constantTimeEqual(match[1], expected))) {
      throw new GatewayError(401, "unauthorized", "missing or wrong bearer token");
    }
    await next();
  });
}
