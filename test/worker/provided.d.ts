declare module "vitest" {
  export interface ProvidedContext {
    /** Root URL of the Bot API stand-in started by test/support/worker-global-setup.ts. */
    botApiRoot: string;
    /** Root URL of the model stand-in (test/support/model-standin.ts); API base `<root>/v1`. */
    modelStandInRoot: string;
    /** Root URL of the Slack Web API stand-in (test/support/slack-api-standin.ts). */
    slackApiRoot: string;
    /** Root URL of the Discord REST API stand-in (test/support/discord-api-standin.ts), ending /api/v10. */
    discordApiRoot: string;
    /** Root URL of the Cloudflare Access certs stand-in (test/support/jwks-standin.ts). */
    jwksRoot: string;
    /** Root URL of the WhatsApp Graph API stand-in (test/support/whatsapp-graph-standin.ts). */
    graphApiRoot: string;
  }
}
export {};
