import { createMiddleware } from "hono/factory";
import { GatewayError } from "../../http/gateway-error.js";
import { checkHubSignature } from "./signature.js";

export type WhatsAppVariables = { rawBody: string };

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Verifies `X-Hub-Signature-256` over the raw bytes before anything parses them; the verified
 * text is handed on as `rawBody` (never re-serialised JSON). Runs after the body cap.
 */
export function whatsappSigned() {
  return createMiddleware<{ Bindings: Env; Variables: WhatsAppVariables }>(async (c, next) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const ok = await checkHubSignature(c.env.WHATSAPP_APP_SECRET ?? "", c.req.header("x-hub-signature-256"), raw);
    if (!ok) throw new GatewayError(401, "unauthorized", "missing or wrong X-Hub-Signature-256");
    let text: string;
    try {
      text = decoder.decode(raw);
    } catch (error) {
      throw new GatewayError(400, "bad_request", "the body is not UTF-8", { cause: error });
    }
    c.set("rawBody", text);
    await next();
  });
}
