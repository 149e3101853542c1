import { DISCORD_COMMANDS, registrationBody } from "../../shared/discord/commands.js";
import type { Command } from "./command.js";
import { UsageError } from "./exit-codes.js";

const DEFAULT_API_ROOT = "https://discord.com/api/v10";

/** Discord refused or could not be reached; the message names the status and Discord's own words, never the token. */
export class DiscordRegistrationError extends Error {
  override readonly name = "DiscordRegistrationError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type RegisterOptions = { applicationId: string; botToken: string; apiRoot?: string; guildId?: string };

/**
 * Registers Drawbridge's slash commands with one bulk overwrite: `PUT
 * <root>/applications/<app>/commands` (or a guild's, where they show up at once) with the whole
 * list, so running it again changes nothing and commands no longer in the list are removed.
 * Returns the names Discord answered with.
 */
export async function registerDiscordCommands(options: RegisterOptions, fetchFn: typeof fetch = fetch): Promise<string[]> {
  const root = (options.apiRoot?.trim() || DEFAULT_API_ROOT).replace(/\/+$/, "");
  const scope = options.guildId ? `/guilds/${options.guildId}` : "";
  let response: Response;
  try {
    response = await fetchFn(`${root}/applications/${options.applicationId}${scope}/commands`, {
      method: "PUT",
      headers: {
        authorization: `Bot ${options.botToken}`,
        "content-type": "application/json",
        "user-agent": "DiscordBot (drawbridge, 0.1.0)",
      },
      body: JSON.stringify(registrationBody()),
    });
  } catch (error) {
    throw new DiscordRegistrationError(`could not reach ${root}`, { cause: error });
  }
  const answer = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const said =
      typeof (answer as { message?: unknown } | null)?.message === "string" ? `: ${(answer as { message: string }).message}` : "";
    const hint = response.status === 401 ? " (check DISCORD_BOT_TOKEN)" : response.status === 404 ? " (check DISCORD_APPLICATION_ID)" : "";
    throw new DiscordRegistrationError(`Discord answered ${response.status}${said.slice(0, 200)}${hint}`);
  }
  if (!Array.isArray(answer)) throw new DiscordRegistrationError("Discord's answer was not a list of commands");
  return answer.map((command) => {
    const name = (command as { name?: unknown } | null)?.name;
    return typeof name === "string" ? name : "?";
  });
}

/** `drawbridge discord register-commands`: the env names as the Worker reads them, so one environment serves both. */
export function discordCommands(env: NodeJS.ProcessEnv = process.env, fetchFn: typeof fetch = fetch): Command[] {
  return [
    {
      words: "discord register-commands",
      summary: "register Drawbridge's slash commands (/ask, /run, …) with your Discord application",
      details: [
        "Reads DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN (and DISCORD_API_ROOT, default",
        `${DEFAULT_API_ROOT}) from the environment and replaces the application's commands with`,
        `these: ${DISCORD_COMMANDS.map((command) => `/${command.name}`).join(" ")}. Safe to run again.`,
        "Global commands can take a while to appear; --guild <id> registers them in one server at once.",
      ].join("\n"),
      options: { guild: { type: "string", help: "<id>  register in this guild (server) only, effective at once" } },
      json: true,
      async run({ options, json, say }) {
        const applicationId = env.DISCORD_APPLICATION_ID?.trim() ?? "";
        const botToken = env.DISCORD_BOT_TOKEN?.trim() ?? "";
        if (!/^\d{17,20}$/.test(applicationId)) {
          throw new UsageError(
            "set DISCORD_APPLICATION_ID to the application's id (General Information → Application ID)",
            "discord register-commands",
          );
        }
        if (!botToken) throw new UsageError("set DISCORD_BOT_TOKEN to the bot's token (Bot → Reset Token)", "discord register-commands");
        const guildId = typeof options.guild === "string" ? options.guild : undefined;
        if (guildId !== undefined && !/^\d{17,20}$/.test(guildId)) {
          throw new UsageError("--guild expects a server id (17–20 digits)", "discord register-commands");
        }
        const names = await registerDiscordCommands({ applicationId, botToken, apiRoot: env.DISCORD_API_ROOT, guildId }, fetchFn);
        if (json) say(JSON.stringify({ applicationId, guildId: guildId ?? null, commands: names }));
        else
          say(`registered ${names.length} commands${guildId ? ` in guild ${guildId}` : ""}: ${names.map((name) => `/${name}`).join(" ")}`);
      },
    },
  ];
}
