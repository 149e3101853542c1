import type { EdgeSettings } from "../config.js";
import { channelOfAccount, type ChannelClient } from "./channel-client.js";
import { discordClient } from "./discord/client.js";
import { slackClient } from "./slack/client.js";
import { telegramClient } from "./telegram/client.js";
import { whatsappClient } from "./whatsapp/client.js";

/** The platform client of a Gatekeeper's channel account; a new channel adds its line here. */
export function channelClient(env: Env, settings: EdgeSettings): ChannelClient {
  switch (channelOfAccount(settings.account)) {
    case "discord":
      return discordClient(env, settings);
    case "slack":
      return slackClient(env, settings);
    case "telegram":
      return telegramClient(env, settings);
    case "whatsapp":
      return whatsappClient(env, settings);
  }
}
