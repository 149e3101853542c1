import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PairingRequest } from "../../shared/access/pairing-rows.js";
import { whatsappClient } from "../../worker/channels/whatsapp/client.js";
import { loadGatewayConfig } from "../../worker/config.js";
import { waId, WhatsAppHarness } from "./whatsapp-harness.js";

const request = (senderId: string): PairingRequest => ({
  account: "whatsapp:default",
  code: "ABCD2345",
  senderId,
  name: "Sheena",
  createdAt: 0,
  status: "pending",
  decidedAt: null,
  mode: "approve",
});

describe("the WhatsApp client outside its own number's Gatekeeper", () => {
  it("sends from WHATSAPP_PHONE_NUMBER_ID when the account names no number (an owner prompted for another channel's sender)", async () => {
    const owner = waId();
    const gate = new WhatsAppHarness(owner);
    const config = loadGatewayConfig(gate.env);
    const client = whatsappClient(gate.env, { ...config, account: "whatsapp:default" });
    expect(await client.sendPairingPrompt(owner, request(waId()), 60, "approve")).toBe(true);
    const [prompt] = await gate.sentTo(owner);
    expect(prompt?.phoneNumberId).toBe(gate.phoneNumberId);
  });

  it("makes no call at all when WhatsApp is off", async () => {
    const owner = waId();
    const gate = new WhatsAppHarness(owner, {}, { WHATSAPP_ACCESS_TOKEN: undefined });
    const client = whatsappClient(gate.env, { ...loadGatewayConfig(gate.env), account: "whatsapp:default" });
    expect(await client.deliver(owner, "hello")).toEqual({ kind: "failed", detail: "WhatsApp is not configured" });
    expect(await gate.sentTo(owner)).toEqual([]);
    expect(env.WHATSAPP_ACCESS_TOKEN).toBeDefined();
  });
});
