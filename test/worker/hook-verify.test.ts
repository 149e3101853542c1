import { describe, expect, it } from "vitest";
import { HookSecretError } from "../../worker/hooks/hook-verdict.js";
import { verifyBearer } from "../../worker/hooks/verify-bearer.js";
import { verifyGithub } from "../../worker/hooks/verify-github.js";
import { verifyStandardWebhook } from "../../worker/hooks/verify-standard-webhooks.js";

const bytes = (text: string) => new TextEncoder().encode(text);

// The Standard Webhooks reference libraries' published test vector (libraries/javascript/src/webhook.test.ts, "sign function works").
const SPEC = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const AT_SPEC_TIME = SPEC.timestamp * 1000;

function specHeaders(overrides: Record<string, string | null> = {}): Headers {
  const headers = new Headers({ "webhook-id": SPEC.id, "webhook-timestamp": String(SPEC.timestamp), "webhook-signature": SPEC.signature });
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return headers;
}

describe("Standard Webhooks verification (acceptance 1)", () => {
  it("the spec's published vector verifies, with and without the whsec_ prefix, and its id is the dedupe key", async () => {
    expect(await verifyStandardWebhook(SPEC.secret, specHeaders(), bytes(SPEC.payload), AT_SPEC_TIME)).toEqual({
      ok: true,
      id: SPEC.id,
      event: null,
    });
    const unprefixed = await verifyStandardWebhook(SPEC.secret.replace("whsec_", ""), specHeaders(), bytes(SPEC.payload), AT_SPEC_TIME);
    expect(unprefixed.ok).toBe(true);
  });

  it("one valid signature among several (a sender rotating secrets) verifies, as in the spec's multi-signature test", async () => {
    const several = [
      "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
      "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
      SPEC.signature,
      "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
    ].join(" ");
    const verdict = await verifyStandardWebhook(
      SPEC.secret,
      specHeaders({ "webhook-signature": several }),
      bytes(SPEC.payload),
      AT_SPEC_TIME,
    );
    expect(verdict.ok).toBe(true);
  });

  it("a changed byte of the body, the id or the timestamp, another secret, a partial or garbage signature: refused as a bad signature", async () => {
    const cases: [string, Headers, string][] = [
      ["body", specHeaders(), '{"test": 2432232315}'],
      ["id", specHeaders({ "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJel" }), SPEC.payload],
      ["timestamp", specHeaders({ "webhook-timestamp": String(SPEC.timestamp + 1) }), SPEC.payload],
      ["partial", specHeaders({ "webhook-signature": SPEC.signature.slice(0, 8) }), SPEC.payload],
      ["empty", specHeaders({ "webhook-signature": "v1," }), SPEC.payload],
      ["garbage", specHeaders({ "webhook-signature": "v1,dawfeoifkpqwoekfpqoekf" }), SPEC.payload],
      ["v2 only", specHeaders({ "webhook-signature": SPEC.signature.replace("v1,", "v2,") }), SPEC.payload],
      ["timestamp word", specHeaders({ "webhook-timestamp": "hello" }), SPEC.payload],
    ];
    for (const [what, headers, body] of cases) {
      const verdict = await verifyStandardWebhook(SPEC.secret, headers, bytes(body), AT_SPEC_TIME);
      expect(verdict, what).toMatchObject({ ok: false, reason: "signature_bad" });
    }
    const otherSecret = await verifyStandardWebhook(
      "whsec_" + btoa("another secret entirely!"),
      specHeaders(),
      bytes(SPEC.payload),
      AT_SPEC_TIME,
    );
    expect(otherSecret).toMatchObject({ ok: false, reason: "signature_bad" });
  });

  it("a missing header is refused as missing; a genuine delivery more than 5 minutes old or ahead is refused as stale", async () => {
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const verdict = await verifyStandardWebhook(SPEC.secret, specHeaders({ [name]: null }), bytes(SPEC.payload), AT_SPEC_TIME);
      expect(verdict, name).toMatchObject({ ok: false, reason: "signature_missing" });
    }
    for (const offsetSeconds of [-301, 301]) {
      const verdict = await verifyStandardWebhook(SPEC.secret, specHeaders(), bytes(SPEC.payload), AT_SPEC_TIME + offsetSeconds * 1000);
      expect(verdict, String(offsetSeconds)).toMatchObject({ ok: false, reason: "timestamp_stale" });
    }
    for (const offsetSeconds of [-299, 299]) {
      const verdict = await verifyStandardWebhook(SPEC.secret, specHeaders(), bytes(SPEC.payload), AT_SPEC_TIME + offsetSeconds * 1000);
      expect(verdict.ok, String(offsetSeconds)).toBe(true);
    }
  });

  it("a secret that is not whsec_<base64> closes the hook instead of verifying against garbage", async () => {
    await expect(verifyStandardWebhook("whsec_not base64!", specHeaders(), bytes(SPEC.payload), AT_SPEC_TIME)).rejects.toBeInstanceOf(
      HookSecretError,
    );
  });
});

describe("GitHub verification (acceptance 1)", () => {
  // GitHub's documented example ("Validating webhook deliveries").
  const secret = "It's a Secret to Everybody";
  const payload = "Hello, World!";
  const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

  it("GitHub's documented example verifies; the delivery id and event come from the headers", async () => {
    const headers = new Headers({
      "x-hub-signature-256": signature,
      "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      "x-github-event": "push",
    });
    expect(await verifyGithub(secret, headers, bytes(payload))).toEqual({
      ok: true,
      id: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      event: "push",
    });
    const upper = new Headers({ "x-hub-signature-256": signature.toUpperCase().replace("SHA256=", "sha256=") });
    expect((await verifyGithub(secret, upper, bytes(payload))).ok).toBe(true);
  });

  it("another body, another secret, the SHA-1 header alone or a malformed one: refused", async () => {
    const withSignature = (value: string) => new Headers({ "x-hub-signature-256": value });
    expect(await verifyGithub(secret, withSignature(signature), bytes("Hello, World?"))).toMatchObject({
      ok: false,
      reason: "signature_bad",
    });
    expect(await verifyGithub("It's a secret to everybody", withSignature(signature), bytes(payload))).toMatchObject({
      ok: false,
      reason: "signature_bad",
    });
    expect(await verifyGithub(secret, withSignature("sha256=757107"), bytes(payload))).toMatchObject({
      ok: false,
      reason: "signature_bad",
    });
    const sha1Only = new Headers({ "x-hub-signature": "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59" });
    expect(await verifyGithub(secret, sha1Only, bytes(payload))).toMatchObject({ ok: false, reason: "signature_missing" });
  });
});

describe("bearer verification", () => {
  it("the right token passes; a wrong, empty or missing one does not", async () => {
    const token = "hook-bearer-4f1c0a9e";
    expect((await verifyBearer(token, new Headers({ authorization: `Bearer ${token}` }))).ok).toBe(true);
    expect(await verifyBearer(token, new Headers({ authorization: `Bearer ${token}x` }))).toMatchObject({ ok: false, reason: "token_bad" });
    expect(await verifyBearer(token, new Headers({ authorization: "Bearer " }))).toMatchObject({ ok: false, reason: "signature_missing" });
    expect(await verifyBearer(token, new Headers({ authorization: token }))).toMatchObject({ ok: false, reason: "signature_missing" });
    expect(await verifyBearer(token, new Headers())).toMatchObject({ ok: false, reason: "signature_missing" });
  });
});
