import { validator } from "hono/validator";
import type { z } from "zod";
import { GatewayError } from "./gateway-error.js";

/**
 * The one way a route reads a JSON body: hono's validator with a zod schema, so the handler gets
 * `c.req.valid("json")` typed from the schema. A body that is not JSON, or not the shape, is
 * answered 400 with what was expected and the first bad key; nothing runs. The body is read
 * whatever its Content-Type says, so a client that forgets the header gets the same answer.
 */
export function jsonBody<T extends z.ZodType>(schema: T, expected: string) {
  return validator("json", async (_value, c): Promise<z.output<T>> => {
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch (error) {
      throw new GatewayError(400, "bad_request", `expected ${expected} — the body is not JSON`, { cause: error });
    }
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "body";
    throw new GatewayError(400, "bad_request", `expected ${expected} — ${where}: ${issue?.message ?? "invalid"}`, {
      cause: parsed.error,
    });
  });
}
