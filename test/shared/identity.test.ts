import { describe, expect, it } from "vitest";
import { ChannelIdentity, OwnerList } from "../../shared/identity.js";

describe("channel identities", () => {
  it.each(["telegram:123456789", "console:1", "slack:U0123ABCD", "slack:W0123ABCD"])("accepts %s", (value) => {
    expect(ChannelIdentity.safeParse(value).success).toBe(true);
  });

  // Telegram ids stay strictly numeric and Slack ids Slack-shaped: a display name never passes as an id.
  it.each([
    "telegram:U0123ABCD",
    "telegram:@alice",
    "slack:123456789",
    "slack:u0123abcd",
    "slack:C0123ABCD",
    "slack:U",
    "discord:1",
    "U0123",
  ])("refuses %s", (value) => {
    expect(ChannelIdentity.safeParse(value).success).toBe(false);
  });
});

describe("DRAWBRIDGE_OWNER (one owner per channel)", () => {
  it("keeps a single value working", () => {
    expect(OwnerList.parse("telegram:123")).toEqual([{ channel: "telegram", id: "123", key: "telegram:123" }]);
  });

  it("reads a comma-separated list across channels, spaces allowed", () => {
    expect(OwnerList.parse("telegram:123, slack:U0123ABCD").map((owner) => owner.key)).toEqual(["telegram:123", "slack:U0123ABCD"]);
  });

  it("refuses two owners on one channel, an empty entry and a bad id, saying what is wrong", () => {
    const two = OwnerList.safeParse("telegram:1,telegram:2");
    expect(two.success).toBe(false);
    expect(two.error?.issues[0]?.message).toContain("one per channel");
    expect(OwnerList.safeParse("telegram:1,").success).toBe(false);
    expect(OwnerList.safeParse("telegram:1,slack:alice").error?.issues[0]?.message).toContain("<channel>:<id>");
    expect(OwnerList.safeParse("").success).toBe(false);
  });
});
