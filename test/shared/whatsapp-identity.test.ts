import { describe, expect, it } from "vitest";
import { DrawbridgeConfig } from "../../shared/config/drawbridge-config.js";
import { ChannelIdentity, isSenderIdOn, OwnerList } from "../../shared/identity.js";
import { sessionKey } from "../../shared/sessions/session-key.js";
import { SessionConfig } from "../../shared/sessions/session-config.js";

describe("WhatsApp identities", () => {
  it("are whatsapp:<wa_id>: E.164 digits without +, no leading zero, 7 to 15 digits", () => {
    expect(ChannelIdentity.parse("whatsapp:15551234567")).toEqual({ channel: "whatsapp", id: "15551234567", key: "whatsapp:15551234567" });
    for (const bad of [
      "whatsapp:+15551234567",
      "whatsapp:015551234567",
      "whatsapp:1555123456789012",
      "whatsapp:123456",
      "whatsapp:Sheena",
    ]) {
      expect(ChannelIdentity.safeParse(bad).success).toBe(false);
    }
    expect(isSenderIdOn("whatsapp", "15551234567")).toBe(true);
    expect(isSenderIdOn("whatsapp", "1555-123-4567")).toBe(false);
  });

  it("DRAWBRIDGE_OWNER and the config file's owners take one WhatsApp owner beside the others", () => {
    const owners = OwnerList.parse("telegram:123456789,whatsapp:15551234567");
    expect(owners.map((owner) => owner.key)).toEqual(["telegram:123456789", "whatsapp:15551234567"]);
    expect(OwnerList.safeParse("whatsapp:15551234567,whatsapp:15557654321").success).toBe(false);
    const parsed = DrawbridgeConfig.safeParse({ owners: ["whatsapp:15551234567"] });
    expect(parsed.success).toBe(true);
  });

  it("get sessions of their own, apart from a Telegram id with the same digits", () => {
    const config = SessionConfig.parse({ dmScope: "per-peer" });
    const dm = { kind: "dm" } as const;
    const whatsapp = sessionKey(config, { channel: "whatsapp", senderKey: "whatsapp:15551234567", isOwner: false, chat: dm });
    const telegram = sessionKey(config, { channel: "telegram", senderKey: "telegram:15551234567", isOwner: false, chat: dm });
    expect(whatsapp).not.toBe(telegram);
    expect(SessionConfig.safeParse({ identityLinks: { sheena: ["telegram:123456789", "whatsapp:15551234567"] } }).success).toBe(true);
  });
});
