import { Hono } from "hono";
import { allowRoute } from "../api/allow-route.js";
import { approvalsRoute } from "../api/approvals-route.js";
import { auditRoute } from "../api/audit-route.js";
import { pairingRoute } from "../api/pairing-route.js";
import { statusRoute } from "../api/status-route.js";
import { adminBodyLimit } from "../http/admin-body-limit.js";
import { requireSecrets } from "../http/require-secrets.js";
import { sameOrigin } from "./same-origin.js";
import { uiSignedIn, type UiVariables } from "./ui-auth.js";
import { uiViewsRoute } from "./ui-views-route.js";

/**
 * `/ui/api/*`: the admin API's own route modules (same handlers, schemas and answers), behind the
 * session cookie (or Access) instead of the bearer token, with the Origin check on every change and
 * the admin body cap. Runner keys and the console channel stay bearer-only.
 */
export const uiApi = new Hono<{ Bindings: Env; Variables: UiVariables }>();

// Sign-in before the Origin check and the body cap: a caller without a session is refused on its headers.
uiApi.use("*", requireSecrets(["GATEWAY_TOKEN"]), uiSignedIn("api"), sameOrigin(), adminBodyLimit());
uiApi.route("/", statusRoute);
uiApi.route("/", uiViewsRoute);
uiApi.route("/pairing", pairingRoute);
uiApi.route("/allow", allowRoute);
uiApi.route("/audit", auditRoute);
uiApi.route("/approvals", approvalsRoute);
