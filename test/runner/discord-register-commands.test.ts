import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DISCORD_COMMANDS } from "../../shared/discord/commands.js";
import { discordCommands, DiscordRegistrationError, registerDiscordCommands } from "../../runner/cli/discord-command.js";
import { findCommand, parseCommandLine } from "../../runner/cli/command.js";
import { UsageError } from "../../runner/cli/exit-codes.js";
import { DiscordApiStandIn } from "../support/discord-api-standin.js";

const standIn = new DiscordApiStandIn();
let root = "";
beforeAll(async () => {
  root = await standIn.start();
});
afterAll(async () => {
  await standIn.stop();
});

async function runCli(env: NodeJS.ProcessEnv, argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  const found = findCommand(discordCommands(env), argv);
  if (!found) throw new Error("no such command");
  const input = parseCommandLine(found.command, found.rest);
  if (!input) throw new Error("help asked for");
  await found.command.run({ ...input, say: (line) => lines.push(line) });
  return lines;
}

describe("drawbridge discord register-commands", () => {
  it("bulk-overwrites the application's commands with the bot token; running it twice leaves the same list", async () => {
    const env = { DISCORD_APPLICATION_ID: "123456789012345678", DISCORD_BOT_TOKEN: "test-bot-token", DISCORD_API_ROOT: root };
    const [line] = await runCli(env, ["discord", "register-commands"]);
    expect(line).toBe(`registered ${DISCORD_COMMANDS.length} commands: ${DISCORD_COMMANDS.map((c) => `/${c.name}`).join(" ")}`);
    const first = standIn.commands.get("123456789012345678");
    const [json] = await runCli(env, ["discord", "register-commands", "--json"]);
    expect(JSON.parse(json ?? "")).toMatchObject({
      applicationId: "123456789012345678",
      guildId: null,
      commands: DISCORD_COMMANDS.map((c) => c.name),
    });
    expect(standIn.commands.get("123456789012345678")).toEqual(first);

    const puts = standIn.calls.filter((call) => call.method === "PUT");
    expect(puts.map((call) => call.path)).toEqual([
      "/applications/123456789012345678/commands",
      "/applications/123456789012345678/commands",
    ]);
    expect(puts[0]?.auth).toBe("Bot test-bot-token");
    // Each command is a CHAT_INPUT command; /run takes its command line as one required string option.
    const run = (puts[0]?.body as Array<{ name: string; type: number; options: unknown[] }>).find((command) => command.name === "run");
    expect(run).toMatchObject({ type: 1, options: [{ type: 3, name: "command", required: true }] });
  });

  it("--guild registers in one server; a bad id, a missing token or app id is a usage error naming the variable", async () => {
    const env = { DISCORD_APPLICATION_ID: "223456789012345678", DISCORD_BOT_TOKEN: "t", DISCORD_API_ROOT: root };
    await runCli(env, ["discord", "register-commands", "--guild", "323456789012345678"]);
    expect(standIn.calls.at(-1)?.path).toBe("/applications/223456789012345678/guilds/323456789012345678/commands");
    await expect(runCli(env, ["discord", "register-commands", "--guild", "abc"])).rejects.toBeInstanceOf(UsageError);
    await expect(runCli({ ...env, DISCORD_BOT_TOKEN: "" }, ["discord", "register-commands"])).rejects.toThrow(/DISCORD_BOT_TOKEN/);
    await expect(runCli({ ...env, DISCORD_APPLICATION_ID: undefined }, ["discord", "register-commands"])).rejects.toThrow(
      /DISCORD_APPLICATION_ID/,
    );
  });

  it("Discord's refusal is an error naming the status, never the token", async () => {
    const refusing: typeof fetch = () =>
      Promise.resolve(new Response(JSON.stringify({ message: "401: Unauthorized", code: 0 }), { status: 401 }));
    const attempt = registerDiscordCommands({ applicationId: "123456789012345678", botToken: "secret-bot-token", apiRoot: root }, refusing);
    await expect(attempt).rejects.toBeInstanceOf(DiscordRegistrationError);
    await expect(attempt).rejects.toThrow(/401: Unauthorized \(check DISCORD_BOT_TOKEN\)/);
    await attempt.catch((error: unknown) => expect(String(error)).not.toContain("secret-bot-token"));
  });
});
