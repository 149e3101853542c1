import { describe, expect, it } from "vitest";
import { chatTextOf, registrationBody } from "../../shared/discord/commands.js";
import { DrawbridgeConfig } from "../../shared/config/drawbridge-config.js";
import { ChannelIdentity, isSenderIdOn, OwnerList } from "../../shared/identity.js";
import { sessionKey } from "../../shared/sessions/session-key.js";
import { SessionConfig } from "../../shared/sessions/session-config.js";

describe("Discord identities", () => {
  it("are discord:<snowflake>, 17 to 20 digits, never a name", () => {
    expect(ChannelIdentity.parse("discord:80351110224678912")).toEqual({
      channel: "discord",
      id: "80351110224678912",
      key: "discord:80351110224678912",
    });
    for (const bad of ["discord:1234", "discord:123456789012345678901", "discord:someone#1234", "discord:@someone", "discord:"]) {
      expect(ChannelIdentity.safeParse(bad).success).toBe(false);
    }
    expect(isSenderIdOn("discord", "80351110224678912")).toBe(true);
    expect(isSenderIdOn("discord", "123456789")).toBe(false);
  });

  it("DRAWBRIDGE_OWNER and the config file's owners take one Discord owner beside the others", () => {
    const owners = OwnerList.parse("telegram:123456789,discord:80351110224678912");
    expect(owners.map((owner) => owner.key)).toEqual(["telegram:123456789", "discord:80351110224678912"]);
    expect(OwnerList.safeParse("discord:80351110224678912,discord:80351110224678913").success).toBe(false);
    expect(DrawbridgeConfig.safeParse({ owners: ["discord:80351110224678912"] }).success).toBe(true);
  });

  it("get sessions of their own (also in a guild channel), and identityLinks can join them to another channel", () => {
    const config = SessionConfig.parse({ dmScope: "per-channel-peer" });
    const dm = { kind: "dm" } as const;
    const key = sessionKey(config, { channel: "discord", senderKey: "discord:80351110224678912", isOwner: false, chat: dm });
    expect(key).toContain("discord:80351110224678912");
    const group = sessionKey(config, {
      channel: "discord",
      senderKey: "discord:80351110224678912",
      isOwner: false,
      chat: { kind: "group", chatId: "1100000000000000001" },
    });
    expect(group).toBe("group:discord:1100000000000000001");
    expect(SessionConfig.safeParse({ identityLinks: { sheena: ["telegram:123456789", "discord:80351110224678912"] } }).success).toBe(true);
  });
});

describe("Discord slash commands", () => {
  it("turn back into the chat text Telegram would have seen; /ask is the text itself", () => {
    expect(chatTextOf("ask", new Map([["text", "what is up?"]]))).toBe("what is up?");
    expect(chatTextOf("run", new Map([["command", "echo hi > out.txt"]]))).toBe("/run echo hi > out.txt");
    expect(
      chatTextOf(
        "write",
        new Map([
          ["path", "a.txt"],
          ["content", "hello"],
        ]),
      ),
    ).toBe("/write a.txt hello");
    expect(chatTextOf("ls", new Map())).toBe("/ls");
    expect(chatTextOf("status", new Map())).toBe("/status");
    expect(chatTextOf("bogus", new Map([["x", "y"]]))).toBe("/bogus");
  });

  it("register as CHAT_INPUT commands with lower-case names and string options Discord accepts", () => {
    for (const command of registrationBody() as Array<{
      name: string;
      description: string;
      type: number;
      options: Array<{ type: number; name: string }>;
    }>) {
      expect(command.name).toMatch(/^[a-z]{1,32}$/);
      expect(command.description.length).toBeLessThanOrEqual(100);
      expect(command.type).toBe(1);
      for (const option of command.options)
        expect(option).toMatchObject({ type: 3, name: expect.stringMatching(/^[a-z]{1,32}$/) as unknown });
    }
  });
});
