import { Hono } from "hono";
import { hookSecretName, type HookConfig } from "../../shared/hooks/hook-config.js";
import { loadGatewayConfig } from "../config.js";
import { GatewayError } from "../http/gateway-error.js";
import { hookInboxStub, telegramAccount } from "../objects/stubs.js";
import { HookSecretError } from "./hook-verdict.js";
import { eventOf } from "./hook-turn.js";
import { loadHooks } from "./hooks-config.js";
import { MAX_HOOK_BODY_BYTES, readCappedBody } from "./read-capped-body.js";
import { verifyDelivery } from "./verify-delivery.js";

/** The app's own 404, word for word: an unknown hook and a missing route look the same. */
const NOT_FOUND = () => new GatewayError(404, "not_found", "no such route");

/**
 * `POST /hooks/<name>`, for configured hooks only. In order: the hook exists (else 404, no hint
 * about others), its secret is set (else 503 naming it), the body fits (413), the signature or
 * token verifies over the raw bytes (401), the hook is within its rate (429); then the delivery is
 * stored durably and acknowledged 202 before anything runs. A re-sent delivery id is acknowledged
 * and not run again. Every refusal after the first two is audited, capped per hook.
 */
export const hooksRoute = new Hono<{ Bindings: Env }>().post("/:name", async (c) => {
  const name = c.req.param("name");
  const hooks = loadHooks(c.env);
  const hook: HookConfig | undefined = Object.hasOwn(hooks, name) ? hooks[name] : undefined;
  if (hook === undefined) throw NOT_FOUND();
  const secret = hookSecret(c.env, name);
  const config = loadGatewayConfig(c.env);
  const inbox = hookInboxStub(c.env, name);

  const body = await readCappedBody(c.req.raw, MAX_HOOK_BODY_BYTES);
  if (body === null) {
    await inbox.refused(name, { reason: "too_large", status: 413 });
    throw new GatewayError(413, "payload_too_large", `hook deliveries are limited to ${MAX_HOOK_BODY_BYTES} bytes`);
  }
  let verdict;
  try {
    verdict = await verifyDelivery(hook.verify, secret, c.req.raw.headers, body, Date.now());
  } catch (error) {
    if (!(error instanceof HookSecretError)) throw error;
    const secretName = hookSecretName(name);
    throw new GatewayError(
      503,
      "secret_missing",
      `${secretName} ${error.message}, so this hook is closed. Set it with \`wrangler secret put ${secretName}\`.`,
      {
        cause: error,
      },
    );
  }
  if (!verdict.ok) {
    await inbox.refused(name, { reason: verdict.reason, status: 401, verify: hook.verify });
    throw new GatewayError(401, "unauthorized", verdict.message);
  }
  if (hook.verify === "github" && verdict.event === "ping") return c.json({ ok: true, ping: true }, 200);

  const text = new TextDecoder().decode(body);
  const plan = { name, hook, account: telegramAccount(c.env) };
  const receipt = await inbox.receive(config, { id: verdict.id, event: eventOf(verdict.event, text), body: text, plan });
  if (receipt.kind === "limited") {
    const seconds = Math.max(1, Math.ceil(receipt.retryAfterMs / 1000));
    c.header("retry-after", String(seconds));
    throw new GatewayError(429, "rate_limited", `this hook takes ${hook.perMinute} deliveries a minute; try again in ${seconds} s`);
  }
  return c.json({ ok: true, duplicate: receipt.kind === "duplicate" }, 202);
});

/** `HOOK_<NAME>_SECRET`, or a 503 naming it: a configured hook without its secret is closed, never open. */
function hookSecret(env: Env, name: string): string {
  const secretName = hookSecretName(name);
  const value = env[secretName as `HOOK_${string}_SECRET`];
  if (typeof value === "string" && value.trim() !== "") return value;
  throw new GatewayError(
    503,
    "secret_missing",
    `${secretName} is not set, so this hook is closed. Set it with \`wrangler secret put ${secretName}\` (local dev: export ${secretName}=… before \`npm start\`).`,
  );
}
