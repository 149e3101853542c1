import { Hono } from "hono";
import { z } from "zod";
import { loadGatewayConfig } from "../config.js";
import { handleMessage } from "../conversation/handle-message.js";
import { jsonBody } from "../http/json-body.js";

const ConsoleMessage = z.object({ text: z.string().min(1).max(8192) }).strict();

/** The console channel: the owner's own message, through the same pipeline as chat. */
export const messagesRoute = new Hono<{ Bindings: Env }>().post(
  "/",
  jsonBody(ConsoleMessage, '{"text":"…"} with 1–8192 characters'),
  async (c) => {
    const config = loadGatewayConfig(c.env);
    const body = c.req.valid("json");
    // The bearer token proves the caller is the owner; the console speaks as the owner's identity.
    const reply = await handleMessage(c.env, config, {
      channel: "console",
      senderKey: config.owner.key,
      chatId: "console",
      chat: "dm",
      text: body.text,
      role: "owner",
    });
    return c.json({ reply });
  },
);
