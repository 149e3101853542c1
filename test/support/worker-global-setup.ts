import type { TestProject } from "vitest/node";
import { BotApiStandIn } from "./bot-api-standin.js";
import { DiscordApiStandIn } from "./discord-api-standin.js";
import { JwksStandIn } from "./jwks-standin.js";
import { ModelStandIn } from "./model-standin.js";
import { SlackApiStandIn } from "./slack-api-standin.js";
import { GraphApiStandIn } from "./whatsapp-graph-standin.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Root URL of the Bot API stand-in; `GET <root>/__standin/calls` lists what was sent. */
    botApiRoot: string;
    /** Root URL of the model stand-in (API base `<root>/v1`); drive it with ModelStandInControl. */
    modelStandInRoot: string;
    /** Root URL of the Slack Web API stand-in; `GET <root>/__standin/calls` lists what was sent. */
    slackApiRoot: string;
    /** Root URL of the Discord REST API stand-in (`…/api/v10`); `GET <root>/__standin/calls` lists what was sent. */
    discordApiRoot: string;
    /** Root URL of the Cloudflare Access certs stand-in: `<root>/<set>/cdn-cgi/access/certs`. */
    jwksRoot: string;
    /** Root URL of the WhatsApp Graph API stand-in; `GET <root>/__standin/calls` lists what was sent. */
    graphApiRoot: string;
  }
}

/** Starts one Bot API stand-in and one model stand-in for the Worker suite (workerd cannot listen on a port itself). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const standIn = new BotApiStandIn();
  const modelStandIn = new ModelStandIn();
  project.provide("botApiRoot", await standIn.start());
  project.provide("modelStandInRoot", await modelStandIn.start());
  const slackStandIn = new SlackApiStandIn();
  project.provide("slackApiRoot", await slackStandIn.start());
  const graphStandIn = new GraphApiStandIn();
  project.provide("graphApiRoot", await graphStandIn.start());
  const discordStandIn = new DiscordApiStandIn();
  project.provide("discordApiRoot", await discordStandIn.start());
  const jwksStandIn = new JwksStandIn();
  project.provide("jwksRoot", await jwksStandIn.start());
  return async () => {
    await Promise.all([
      standIn.stop(),
      modelStandIn.stop(),
      slackStandIn.stop(),
      jwksStandIn.stop(),
      discordStandIn.stop(),
      graphStandIn.stop(),
    ]);
  };
}
