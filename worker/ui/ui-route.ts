import { Hono } from "hono";
import { APP_AUDIT_JS } from "./assets/app-audit-js.js";
import { APP_CORE_JS } from "./assets/app-core-js.js";
import { APP_CSS } from "./assets/app-css.js";
import { APP_PAGES_JS } from "./assets/app-pages-js.js";
import { SHELL_HTML } from "./assets/shell-html.js";
import { FAVICON_SVG, SIGN_IN_JS, SIGN_OUT_JS } from "./assets/sign-in-js.js";
import { requireSecrets } from "../http/require-secrets.js";
import { uiSecurityHeaders } from "./security-headers.js";
import { signInRoute } from "./sign-in-route.js";
import { uiApi } from "./ui-api.js";
import { uiSignedIn, type UiVariables } from "./ui-auth.js";

const APP_JS = `${APP_CORE_JS}\n${APP_AUDIT_JS}\n${APP_PAGES_JS}\n${SIGN_OUT_JS}`;

/**
 * The Control UI (docs/control-ui.md), bundled with the Worker: `/ui` the page, `/ui/app.js` and
 * `/ui/app.css` its only assets (nothing from elsewhere), `/ui/sign-in` and `/ui/sign-out`, and the
 * data calls under `/ui/api/*`. Every response carries the CSP and the other security headers.
 */
export const uiRoute = new Hono<{ Bindings: Env; Variables: UiVariables }>();

uiRoute.use("*", uiSecurityHeaders());
uiRoute.get("/app.js", (c) => c.body(APP_JS, 200, { "content-type": "text/javascript; charset=utf-8" }));
uiRoute.get("/sign-in.js", (c) => c.body(SIGN_IN_JS, 200, { "content-type": "text/javascript; charset=utf-8" }));
uiRoute.get("/favicon.svg", (c) => c.body(FAVICON_SVG, 200, { "content-type": "image/svg+xml" }));
uiRoute.get("/app.css", (c) => c.body(APP_CSS, 200, { "content-type": "text/css; charset=utf-8" }));
uiRoute.route("/", signInRoute);
uiRoute.route("/api", uiApi);
uiRoute.get("/", requireSecrets(["GATEWAY_TOKEN"]), uiSignedIn("page"), (c) => c.html(SHELL_HTML));
