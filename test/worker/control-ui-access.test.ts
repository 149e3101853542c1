import { env } from "cloudflare:test";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { describe, expect, inject, it } from "vitest";
import { PairingList } from "../../shared/admin-api.js";
import { app } from "../../worker/app.js";
import { ChannelsView } from "../../worker/ui/ui-answers.js";
import { readError, readJson } from "../support/read-json.js";
import { executionContext } from "./execution-context.js";

const TEAM = "drawbridge-test.cloudflareaccess.com";
const AUD = "5f0c8b1e6a2d4c3b9e7f1a0d2c4b6e8f5f0c8b1e6a2d4c3b9e7f1a0d2c4b6e8f";
const set = `team-${crypto.randomUUID().slice(0, 8)}`;
const accessEnv: Env = {
  ...env,
  CF_ACCESS_TEAM_DOMAIN: TEAM,
  CF_ACCESS_AUD: AUD,
  CF_ACCESS_CERTS_URL: `${inject("jwksRoot")}/${set}/cdn-cgi/access/certs`,
};

const teamKey = await generateKeyPair("RS256", { extractable: true });
const strangerKey = await generateKeyPair("RS256", { extractable: true });
await fetch(accessEnv.CF_ACCESS_CERTS_URL!, {
  method: "PUT",
  body: JSON.stringify({ keys: [{ ...(await exportJWK(teamKey.publicKey)), kid: "team-key-1", alg: "RS256", use: "sig" }] }),
});

const now = () => Math.floor(Date.now() / 1000);
const claims = (change: JWTPayload = {}): JWTPayload => ({
  aud: [AUD],
  iss: `https://${TEAM}`,
  sub: "owner-identity",
  email: "owner@example.com",
  iat: now() - 10,
  exp: now() + 600,
  ...change,
});

function sign(payload: JWTPayload, key: CryptoKey = teamKey.privateKey, kid = "team-key-1"): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid }).sign(key);
}

const b64 = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function asked(path: string, assertion: string | null, init: RequestInit = {}, bindings: Env = accessEnv): Promise<Response> {
  const headers = new Headers(init.headers);
  if (assertion !== null) headers.set("cf-access-jwt-assertion", assertion);
  return app.request(`http://gateway${path}`, { ...init, headers, redirect: "manual" }, bindings, executionContext);
}

describe("Cloudflare Access (CF_ACCESS_TEAM_DOMAIN + CF_ACCESS_AUD)", () => {
  it("a valid assertion lets the owner into the admin API, the UI page and its data calls, without the token", async () => {
    const token = await sign(claims());
    expect((await readJson(await asked("/api/pairing/telegram", token), PairingList)).pending).toBeInstanceOf(Array);
    const page = await asked("/ui", token);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/ui/app.js");
    expect(await readJson(await asked("/ui/api/channels", token), ChannelsView)).toMatchObject({ channels: expect.any(Array) });
    // A change made through Access from our own page is let in too.
    const change = await asked("/ui/api/pairing/telegram/deny", token, {
      method: "POST",
      headers: { origin: "http://gateway", "content-type": "application/json" },
      body: JSON.stringify({ code: "ABCDEFGH" }),
    });
    expect(change.status).toBe(404); // in, and told no request has that code
  });

  it("refuses with 401 a wrong audience, another issuer, an expired token, an unknown key, alg none and HS256", async () => {
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims())}.`;
    const hmacKey = new TextEncoder().encode(JSON.stringify(await exportJWK(teamKey.publicKey)));
    const hs256 = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid: "team-key-1" }).sign(hmacKey);
    const cases: Record<string, string> = {
      "wrong audience": await sign(claims({ aud: ["another-application"] })),
      "another issuer": await sign(claims({ iss: "https://evil.cloudflareaccess.com" })),
      expired: await sign(claims({ iat: now() - 7200, exp: now() - 3600 })),
      "no expiry": await sign({ ...claims(), exp: undefined }),
      "unknown key": await sign(claims(), strangerKey.privateKey, "stranger-key"),
      "a stranger's key under the team's kid": await sign(claims(), strangerKey.privateKey),
      "alg none": unsigned,
      "alg none with the team's kid": `${b64({ alg: "none", kid: "team-key-1" })}.${b64(claims())}.`,
      HS256: hs256,
      garbage: "not-a-jwt",
      empty: "",
    };
    for (const [name, token] of Object.entries(cases)) {
      for (const path of ["/api/status", "/ui/api/status", "/ui"]) {
        const response = await asked(path, token);
        expect({ name, path, status: response.status }).toEqual({ name, path, status: 401 });
        expect((await readError(response)).code).toBe("unauthorized");
      }
    }
  });

  it("is off unless both vars are set: then a valid assertion alone gets 401", async () => {
    const token = await sign(claims());
    for (const bindings of [
      { ...accessEnv, CF_ACCESS_AUD: "" },
      { ...accessEnv, CF_ACCESS_TEAM_DOMAIN: undefined },
    ]) {
      expect((await asked("/api/status", token, {}, bindings)).status).toBe(401);
      expect((await asked("/ui/api/status", token, {}, bindings)).status).toBe(401);
      expect((await asked("/ui", token, {}, bindings)).status).toBe(303);
    }
  });

  it("a change let in by Access alone must not come from another site (403), on /api and /ui/api alike", async () => {
    const token = await sign(claims());
    for (const path of ["/api/pairing/telegram/deny", "/ui/api/pairing/telegram/deny"]) {
      const response = await asked(path, token, {
        method: "POST",
        headers: { origin: "http://evil.example", "content-type": "application/json" },
        body: JSON.stringify({ code: "ABCDEFGH" }),
      });
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }
  });
});
