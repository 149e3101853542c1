import { Hono } from "hono";
import { z } from "zod";
import { RunnerName } from "../../shared/tunnel/protocol.js";
import { GatewayError } from "../http/gateway-error.js";
import { jsonBody } from "../http/json-body.js";
import { requireSecrets } from "../http/require-secrets.js";
import { HubSettingsPatch } from "../tunnel/hub-settings.js";
import { loadGatewayConfig, type EdgeSettings } from "../config.js";
import { hubStub, telegramAccount, type HubStub } from "../objects/stubs.js";
import type { HubAnswer } from "../tunnel/hub-types.js";
import { directoryOf } from "../tunnel/hubs.js";
import { RunnerPublicKey } from "../tunnel/runner-keys.js";

const Registration = z.object({ name: RunnerName, publicKey: RunnerPublicKey }).strict();
const Rotation = z.object({ token: z.string().min(1).max(4096) }).strict();
const Kid = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "a kid is a 43-character key thumbprint");

function runnerName(value: string | undefined): string {
  const name = RunnerName.safeParse(value);
  if (!name.success) throw new GatewayError(400, "bad_request", "invalid runner name");
  return name.data;
}

/** The hub sends owner alerts from its alarm, which has no request: it keeps the config last passed here. */
async function rememberSettings(env: Env, hub: HubStub): Promise<void> {
  let settings: EdgeSettings;
  try {
    settings = { ...loadGatewayConfig(env), account: telegramAccount(env) };
  } catch {
    return; // an invalid config refuses chat, not registration; alerts then go to the audit log only
  }
  await hub.rememberSettings(settings);
}

function unwrap<T>(answer: HubAnswer<T>): T {
  if (!answer.ok) throw new GatewayError(answer.status, answer.code, answer.message);
  return answer.value;
}

export const runnersRoute = new Hono<{ Bindings: Env }>()
  /**
   * Registers a runner's public key (the private half never leaves the home box) and answers with
   * the gateway's public key, which the runner pins to verify every call's capability.
   */
  .post(
    "/",
    requireSecrets(["GATEWAY_SIGNING_KEY"]),
    jsonBody(Registration, '{"name":"…","publicKey":<Ed25519 public JWK>}'),
    async (c) => {
      const { name, publicKey } = c.req.valid("json");
      const hub = hubStub(c.env, name);
      const { kid, gatewayKey } = unwrap(await hub.registerKey(name, publicKey));
      await directoryOf(c.env).record(name, kid);
      await rememberSettings(c.env, hub);
      return c.json({ runner: name, kid, gatewayKey }, 201);
    },
  )
  /** Rotation: the runner's live key signs a token naming its next key; older keys are retired. */
  .post("/:name/rotate", requireSecrets(["GATEWAY_SIGNING_KEY"]), jsonBody(Rotation, '{"token":"…"}'), async (c) => {
    const name = runnerName(c.req.param("name"));
    const { token } = c.req.valid("json");
    const hub = hubStub(c.env, name);
    const rotated = unwrap(await hub.rotateKey(name, token));
    await directoryOf(c.env).record(name, rotated.kid);
    await rememberSettings(c.env, hub);
    return c.json({ runner: name, ...rotated }, 201);
  })
  /** Revokes a key by kid: its live sockets close at once; with no key left, its queued calls are stopped. */
  .delete("/:kid", async (c) => {
    const kid = Kid.safeParse(c.req.param("kid"));
    if (!kid.success) throw new GatewayError(400, "bad_request", kid.error.issues[0]?.message ?? "invalid kid");
    const runner = await directoryOf(c.env).lookup(kid.data);
    if (!runner) throw new GatewayError(404, "not_found", "no runner has this key");
    const result = await hubStub(c.env, runner).revokeKey(kid.data);
    if (!result.revoked) throw new GatewayError(404, "not_found", "this key is already revoked");
    return c.json({ runner, kid: kid.data, ...result });
  })
  .get("/:name", async (c) => {
    const name = runnerName(c.req.param("name"));
    return c.json(await hubStub(c.env, name).status(name));
  })
  /** Per-runner queue settings: how long calls wait for an offline runner, and how many may wait. */
  .patch("/:name", jsonBody(HubSettingsPatch, "a settings patch (see GET /api/runners/:name)"), async (c) => {
    const name = runnerName(c.req.param("name"));
    const patch = c.req.valid("json");
    return c.json({ runner: name, settings: await hubStub(c.env, name).updateSettings(patch) });
  });
