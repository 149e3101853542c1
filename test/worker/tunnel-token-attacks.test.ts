import { base64url, exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { CloseCode, RUNNER_JWT_TYPE, TUNNEL_AUDIENCE } from "../../shared/tunnel/protocol.js";
import { api, freshRunner, helloToken, newKey, register, TestSocket, type Key } from "./tunnel-harness.js";

/** Sends `token` as the hello of a fresh socket and expects the refusal a forger gets: error frame, close 4401. */
async function expectRefusedHello(runner: string, forge: (nonce: string) => Promise<string>): Promise<void> {
  const { tunnel, nonce } = await TestSocket.open(runner);
  tunnel.send({ type: "hello", version: 2, token: await forge(nonce) });
  expect(await tunnel.next()).toMatchObject({ type: "error", error: { code: "unauthorized" } });
  expect(await tunnel.closed).toBe(CloseCode.unauthorized);
}

function unsigned(header: object, payload: object): string {
  const encode = (value: object) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(payload)}.`;
}

function claims(runner: string, nonce: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { nonce, aud: TUNNEL_AUDIENCE, sub: runner, iat: now, exp: now + 60, jti: crypto.randomUUID() };
}

async function registered(prefix: string): Promise<{ runner: string; key: Key }> {
  const runner = freshRunner(prefix);
  const key = await newKey();
  expect((await register(runner, key)).status).toBe(201);
  return { runner, key };
}

describe("hello token attacks (acceptance 1)", () => {
  it("refuses alg:none, HS256 keyed with the public key, and RS256", async () => {
    const { runner, key } = await registered("alg");
    await expectRefusedHello(runner, async (nonce) => unsigned({ alg: "none", typ: RUNNER_JWT_TYPE, kid: key.kid }, claims(runner, nonce)));
    // The classic confusion: the verifier's own public key bytes used as an HMAC secret.
    for (const secret of [base64url.decode(String(key.publicJwk.x)), new TextEncoder().encode(JSON.stringify(key.publicJwk))]) {
      await expectRefusedHello(runner, (nonce) =>
        new SignJWT(claims(runner, nonce)).setProtectedHeader({ alg: "HS256", typ: RUNNER_JWT_TYPE, kid: key.kid }).sign(secret),
      );
    }
    const rsa = await generateKeyPair("RS256");
    await expectRefusedHello(runner, (nonce) =>
      new SignJWT(claims(runner, nonce)).setProtectedHeader({ alg: "RS256", typ: RUNNER_JWT_TYPE, kid: key.kid }).sign(rsa.privateKey),
    );
  });

  it("refuses tokens that bring their own key (jwk, jku, x5u headers)", async () => {
    const { runner, key } = await registered("hdr");
    const attacker = await newKey();
    const attackerJwk = await exportJWK(attacker.privateKey).then(({ d: _d, ...pub }) => pub);
    const headers = [{ jwk: attackerJwk }, { jku: "https://attacker.invalid/keys.json" }, { x5u: "https://attacker.invalid/cert.pem" }];
    for (const extra of headers) {
      // Signed by the attacker, pointing at the registered kid and at the attacker's key.
      await expectRefusedHello(runner, (nonce) =>
        new SignJWT(claims(runner, nonce))
          .setProtectedHeader({ alg: "EdDSA", typ: RUNNER_JWT_TYPE, kid: key.kid, ...extra })
          .sign(attacker.privateKey),
      );
      // Even signed by the real key, a token naming its own key source is refused.
      await expectRefusedHello(runner, (nonce) =>
        new SignJWT(claims(runner, nonce))
          .setProtectedHeader({ alg: "EdDSA", typ: RUNNER_JWT_TYPE, kid: key.kid, ...extra })
          .sign(key.privateKey),
      );
    }
  });

  it("refuses unknown and path-like kids, and another runner's key", async () => {
    const { runner, key } = await registered("kid");
    const other = await registered("kid-other");
    for (const kid of [
      "unknown-kid",
      "../../runner_keys/x",
      `${key.kid}' OR '1'='1`,
      `${key.kid}/`,
      key.kid.toLowerCase() === key.kid ? `${key.kid}A` : key.kid.toLowerCase(),
    ]) {
      await expectRefusedHello(runner, (nonce) =>
        new SignJWT(claims(runner, nonce)).setProtectedHeader({ alg: "EdDSA", typ: RUNNER_JWT_TYPE, kid }).sign(key.privateKey),
      );
    }
    // Runner B's registered key, signing as runner A (with A's name as subject, then B's).
    await expectRefusedHello(runner, (nonce) => helloToken(other.key, runner, nonce));
    await expectRefusedHello(runner, (nonce) => helloToken(other.key, other.runner, nonce));
  });

  it("refuses missing exp, iat, jti or aud; exp a year away; a wrong typ", async () => {
    const { runner, key } = await registered("claims");
    for (const missing of ["exp", "iat", "jti", "aud"]) {
      await expectRefusedHello(runner, (nonce) => {
        const payload = claims(runner, nonce);
        delete payload[missing];
        return new SignJWT(payload).setProtectedHeader({ alg: "EdDSA", typ: RUNNER_JWT_TYPE, kid: key.kid }).sign(key.privateKey);
      });
    }
    const now = Math.floor(Date.now() / 1000);
    await expectRefusedHello(runner, (nonce) => helloToken(key, runner, nonce, { exp: now + 365 * 24 * 3600 }));
    for (const typ of ["JWT", "runner-rotation+jwt", "drawbridge-capability+jwt"]) {
      await expectRefusedHello(runner, (nonce) => helloToken(key, runner, nonce, { typ }));
    }
  });

  it("refuses a replayed jti and a replayed token, even with a fresh nonce", async () => {
    const { runner, key } = await registered("replay");
    const first = await TestSocket.open(runner);
    const jti = crypto.randomUUID();
    const token = await helloToken(key, runner, first.nonce, { jti });
    first.tunnel.send({ type: "hello", version: 2, token });
    expect(await first.tunnel.next()).toMatchObject({ type: "welcome" });
    first.tunnel.socket.close(1000);
    // The very same token on a new connection (answers an old nonce, reuses the jti).
    await expectRefusedHello(runner, async () => token);
    // A new token for the new nonce that reuses the jti.
    await expectRefusedHello(runner, (nonce) => helloToken(key, runner, nonce, { jti }));
  });

  it("records every refusal in the runner's audit trail, without the tokens", async () => {
    const { runner, key } = await registered("audit");
    const leaked = await helloToken(key, runner, "not-the-nonce-of-this-socket");
    await expectRefusedHello(runner, async () => leaked);
    await expectRefusedHello(runner, async (nonce) => unsigned({ alg: "none", typ: RUNNER_JWT_TYPE, kid: key.kid }, claims(runner, nonce)));
    const status = (await (await api("GET", `/api/runners/${runner}`)).json()) as { recentAudit: Array<{ event: string; detail: string }> };
    const failures = status.recentAudit.filter((entry) => entry.event === "tunnel.auth_failed");
    expect(failures.map((entry) => entry.detail)).toEqual([
      expect.stringMatching(/alg none/),
      expect.stringMatching(/different challenge/),
    ]);
    expect(JSON.stringify(status)).not.toContain(leaked.split(".")[2]);
  });
});
