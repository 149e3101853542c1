import { describe, expect, it } from "vitest";
import { redactText, redactValue } from "../../runner/audit/redact.js";

describe("audit redaction", () => {
  it.each([
    ["a Telegram bot token", "token 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw here", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"],
    ["a bearer token", "curl -H 'Authorization: Bearer abc123def456ghi789'", "abc123def456ghi789"],
    ["a *_TOKEN= assignment", "GATEWAY_TOKEN=9f8e7d6c5b4a echo", "9f8e7d6c5b4a"],
    ["a quoted *_SECRET assignment", 'TELEGRAM_WEBHOOK_SECRET="s p a c e d"', "s p a c e d"],
    ["an API_KEY: value", "api_key: sk-live-0123456789abcdefghij", "sk-live-0123456789abcdefghij"],
    [
      "a PEM block",
      "x -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY----- y",
      "b3BlbnNzaC1rZXktdjEAAAAA",
    ],
    ["an unterminated PEM block", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B", "MIIEvQIBADANBgkqhkiG9w0B"],
    [
      "the private part of a JWK",
      '{"kty":"OKP","crv":"Ed25519","x":"abc","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}',
      "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    ],
    ["a JWT", "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJob21lIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ", "eyJzdWIiOiJob21lIn0"],
    ["a GitHub token", "ghp_0123456789abcdefghijABCDEFGHIJ", "ghp_0123456789abcdefghijABCDEFGHIJ"],
  ])("removes %s", (_name, text, secret) => {
    const redacted = redactText(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain("[REDACTED]");
  });

  it("keeps ordinary text, and redacts values under secret-named keys", () => {
    expect(redactText("ls -la /workspace && echo done")).toBe("ls -la /workspace && echo done");
    expect(redactValue({ command: "echo hi", apiKey: "plain", nested: [{ authorization: "xyz" }] })).toEqual({
      command: "echo hi",
      apiKey: "[REDACTED]",
      nested: [{ authorization: "[REDACTED]" }],
    });
  });
});
