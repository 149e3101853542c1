import { base64url, exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { RUNNER_JWT_TYPE, TUNNEL_AUDIENCE } from "../../shared/tunnel/protocol.js";
import { api, helloToken, newKey, register, TestSocket, type Key } from "./tunnel-harness.js";
import { expectEdgeCopies, expectRefusedHello } from "./tunnel-refusals.js";
import { newRunnerName } from "./test-ids.js";

/** Every attack below is refused (error frame, close 4401, no welcome) and audited with its reason, in the hub and in GET /api/audit. */
type Attack = { forge: (nonce: string) => string | Promise<string>; reason: RegExp };

async function expectAllRefusedAndAudited(runner: string, attacks: Attack[]): Promise<void> {
  for (const { forge, reason } of attacks) await expectRefusedHello(runner, forge, reason);
  await expectEdgeCopies(
    runner,
    attacks.map(({ reason }) => reason),
  );
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
  const runner = newRunnerName(prefix);
  const key = await newKey();
  expect((await register(runner, key)).status).toBe(201);
  return { runner, key };
}

const UNREGISTERED = /key is not registered for this runner/;
const NO_VALID_KID = /token has no valid kid/;

describe("hello token attacks (acceptance 1)", () => {
  it("refuses and audits alg:none, HS256 keyed with the public key, and RS256", async () => {
    const { runner, key } = await registered("alg");
    const rsa = await generateKeyPair("RS256");
    // The classic confusion: the verifier's own public key bytes used as an HMAC secret.
    const hmacSecrets = [base64url.decode(String(key.publicJwk.x)), new TextEncoder().encode(JSON.stringify(key.publicJwk))];
    await expectAllRefusedAndAudited(runner, [
      {
        forge: (nonce) => unsigned({ alg: "none", typ: RUNNER_JWT_TYPE, kid: key.kid }, claims(runner, nonce)),
        reason: /^alg none is not accepted$/,
      },
      ...hmacSecrets.map((secret) => ({
        forge: (nonce: string) =>
          new SignJWT(claims(runner, nonce)).setProtectedHeader({ alg: "HS256", typ: RUNNER_JWT_TYPE, kid: key.kid }).sign(secret),
        reason: /^alg HS256 is not accepted$/,
      })),
      {
        forge: (nonce) =>
          new SignJWT(claims(runner, nonce)).setProtectedHeader({ alg: "RS256", typ: RUNNER_JWT_TYPE, kid: key.kid }).sign(rsa.privateKey),
        reason: /^alg RS256 is not accepted$/,
      },
    ]);
  });

  it("refuses and audits tokens that bring their own key (jwk, jku, x5u headers)", async () => {
    const { runner, key } = await registered("hdr");
    const attacker = await newKey();
    const attackerJwk = await exportJWK(attacker.privateKey).then(({ d: _d, ...pub }) => pub);
    const headers = { jwk: attackerJwk, jku: "https://attacker.invalid/keys.json", x5u: "https://attacker.invalid/cert.pem" };
    const attacks = Object.entries(headers).flatMap(([name, value]) =>
      // Signed by the attacker (pointing at the registered kid and at the attacker's key), then even by the real key.
      [attacker.privateKey, key.privateKey].map((signer) => ({
        forge: (nonce: string) =>
          new SignJWT(claims(runner, nonce))
            .setProtectedHeader({ alg: "EdDSA", typ: RUNNER_JWT_TYPE, kid: key.kid, [name]: value })
            .sign(signer),
        reason: new RegExp(`^token carries a "${name}" header`),
      })),
    );
    await expectAllRefusedAndAudited(runner, attacks);
  });

  it("refuses and audits unknown and path-like kids, and another runner's key", async () => {
    const { runner, key } = await registered("kid");
    const other = await registered("kid-other");
    const wellFormedUnknown = (await newKey()).kid;
    const kids: Array<[string, RegExp]> = [
      ["unknown-kid", NO_VALID_KID],
      ["../../runner_keys/x", NO_VALID_KID],
      [`${key.kid}' OR '1'='1`, NO_VALID_KID],
      [`${key.kid}/`, NO_VALID_KID],
      [`${key.kid}A`, NO_VALID_KID],
      [wellFormedUnknown, UNREGISTERED],
    ];
    await expectAllRefusedAndAudited(runner, [
      ...kids.map(([kid, reason]) => ({
        forge: (nonce: string) =>
          new SignJWT(claims(runner, nonce)).setProtectedHeader({ alg: "EdDSA", typ: RUNNER_JWT_TYPE, kid }).sign(key.privateKey),
        reason,
      })),
      // Runner B's registered key, signing as runner A (with A's name as subject, then B's): A's hub does not know B's key.
      { forge: (nonce) => helloToken(other.key, runner, nonce), reason: UNREGISTERED },
      { forge: (nonce) => helloToken(other.key, other.runner, nonce), reason: UNREGISTERED },
    ]);
  });

  it("refuses and audits missing exp, iat, jti or aud; exp a year away; a wrong typ", async () => {
    const { runner, key } = await registered("claims");
    const now = Math.floor(Date.now() / 1000);
    await expectAllRefusedAndAudited(runner, [
      ...["exp", "iat", "jti", "aud"].map((missing) => ({
        forge: (nonce: string) => {
          const payload = claims(runner, nonce);
          delete payload[missing];
          return new SignJWT(payload).setProtectedHeader({ alg: "EdDSA", typ: RUNNER_JWT_TYPE, kid: key.kid }).sign(key.privateKey);
        },
        reason: new RegExp(`missing required "${missing}" claim`),
      })),
      { forge: (nonce) => helloToken(key, runner, nonce, { exp: now + 365 * 24 * 3600 }), reason: /^token lifetime exceeds 60s$/ },
      ...["JWT", "runner-rotation+jwt", "drawbridge-capability+jwt"].map((typ) => ({
        forge: (nonce: string) => helloToken(key, runner, nonce, { typ }),
        reason: /unexpected "typ" JWT header value/,
      })),
    ]);
  });

  it("refuses and audits a replayed token and a replayed jti, even with a fresh nonce", async () => {
    const { runner, key } = await registered("replay");
    const first = await TestSocket.open(runner);
    const jti = crypto.randomUUID();
    const token = await helloToken(key, runner, first.nonce, { jti });
    first.tunnel.send({ type: "hello", version: 2, token });
    expect(await first.tunnel.next()).toMatchObject({ type: "welcome" });
    first.tunnel.socket.close(1000);
    await expectAllRefusedAndAudited(runner, [
      // The very same token on a new connection: it answers the old socket's nonce, not this one's.
      { forge: () => token, reason: /^token answers a different challenge$/ },
      // A new token for the new nonce that reuses the jti.
      { forge: (nonce) => helloToken(key, runner, nonce, { jti }), reason: /^jti replayed$/ },
    ]);
  });

  it("keeps the tokens themselves out of the runner's audit trail", async () => {
    const { runner, key } = await registered("audit");
    const leaked = await helloToken(key, runner, "not-the-nonce-of-this-socket");
    await expectRefusedHello(runner, () => leaked, /different challenge/);
    const status = await (await api("GET", `/api/runners/${runner}`)).text();
    expect(status).not.toContain(leaked.split(".")[2]);
    expect(status).not.toContain(leaked.split(".")[1]);
  });
});
