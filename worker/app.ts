import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ErrorBody } from "../shared/wire-error.js";
import { allowRoute } from "./api/allow-route.js";
import { approvalsRoute } from "./api/approvals-route.js";
import { auditRoute } from "./api/audit-route.js";
import { messagesRoute } from "./api/messages-route.js";
import { pairingRoute } from "./api/pairing-route.js";
import { runnersRoute } from "./api/runners-route.js";
import { statusRoute } from "./api/status-route.js";
import { discordRoutes } from "./channels/discord/routes.js";
import { slackRoutes } from "./channels/slack/routes.js";
import { telegramWebhook } from "./channels/telegram/webhook-route.js";
import { whatsappRoutes } from "./channels/whatsapp/routes.js";
import { adminBodyLimit } from "./http/admin-body-limit.js";
import { bearerAuth } from "./http/bearer-auth.js";
import { GatewayError } from "./http/gateway-error.js";
import { hooksRoute } from "./hooks/hook-route.js";
import { requireSecrets } from "./http/require-secrets.js";
import { tunnelRoute } from "./tunnel/tunnel-route.js";
import { uiRoute } from "./ui/ui-route.js";

export const VERSION = "0.1.0";

export const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ ok: true, version: VERSION }));
app.route("/telegram", telegramWebhook);
app.route("/slack", slackRoutes);
app.route("/discord", discordRoutes);
app.route("/whatsapp", whatsappRoutes);
app.route("/tunnel", tunnelRoute);
app.route("/hooks", hooksRoute);
app.route("/ui", uiRoute);

// Auth before the body limit: an unauthenticated caller is refused on its headers, its body never read.
app.use("/api/*", requireSecrets(["GATEWAY_TOKEN"]), bearerAuth(), adminBodyLimit());
app.route("/api/messages", messagesRoute);
app.route("/api/runners", runnersRoute);
app.route("/api", statusRoute);
app.route("/api/pairing", pairingRoute);
app.route("/api/allow", allowRoute);
app.route("/api/audit", auditRoute);
app.route("/api/approvals", approvalsRoute);

app.notFound((c) => c.json({ error: { code: "not_found", message: "no such route" } } satisfies ErrorBody, 404));

/** The one error path: every failure becomes `{"error":{"code","message"}}` with no internals. */
app.onError((error, c) => {
  if (error instanceof GatewayError) {
    return c.json({ error: { code: error.code, message: error.message } } satisfies ErrorBody, error.status);
  }
  if (error instanceof HTTPException) {
    return c.json({ error: { code: "bad_request", message: error.message || "bad request" } } satisfies ErrorBody, error.status);
  }
  console.error(JSON.stringify({ event: "http.unhandled", path: c.req.path, error: String(error) }));
  return c.json({ error: { code: "internal", message: "internal error" } } satisfies ErrorBody, 500);
});
