import { shownLabel } from "../../shared/display/untrusted-label.js";
import type { AdminClient } from "./admin-client.js";
import type { Command } from "./command.js";

const CHANNEL = {
  channel: {
    type: "string",
    help: "the channel: telegram (default), slack (the one Slack workspace seen), or slack:<team id> (see drawbridge status)",
  },
} as const;

/** `drawbridge pairing …` and `drawbridge allow …`. */
export function accessCommands(client: () => Promise<AdminClient>): Command[] {
  const channelOf = (options: Record<string, unknown>, positional?: string): string =>
    positional ?? (typeof options.channel === "string" ? options.channel : "telegram");
  return [
    {
      words: "pairing list",
      args: "[channel]",
      summary: "pending pairing requests (code, sender id, name, age)",
      options: CHANNEL,
      json: true,
      async run({ positionals, options, json, say }) {
        const answer = await (await client()).pairingList(channelOf(options, positionals[0]));
        if (json) return say(JSON.stringify(answer));
        if (answer.pending.length === 0) say("no pending pairing requests");
        for (const request of answer.pending) {
          say(
            `${request.code}  sender ${request.senderId}  “${shownLabel(request.name)}”  asked ${minutes(request.ageSeconds)} ago, expires in ${minutes(request.expiresInSeconds)}`,
          );
        }
      },
    },
    ...(["approve", "deny"] as const).map((verb): Command => ({
      words: `pairing ${verb}`,
      args: "<code>",
      summary: verb === "approve" ? "let the sender in" : "refuse the request",
      options:
        verb === "approve"
          ? { ...CHANNEL, role: { type: "string", help: "trusted|limited|blocked (default: the config's pairing.defaultRole)" } }
          : CHANNEL,
      async run({ positionals, options, say }) {
        const role = typeof options.role === "string" ? options.role : undefined;
        const result = await (await client()).pairingDecide(channelOf(options), verb, positionals[0] ?? "", role);
        say(result.message);
      },
    })),
    {
      words: "allow list",
      args: "[channel]",
      summary: "approved and blocked senders with their role",
      options: CHANNEL,
      json: true,
      async run({ positionals, options, json, say }) {
        const answer = await (await client()).allowList(channelOf(options, positionals[0]));
        if (json) return say(JSON.stringify(answer));
        if (answer.allowed.length === 0) say("no approved senders");
        for (const sender of answer.allowed)
          say(`${sender.senderId}  ${sender.role}  ${sender.source}${sender.name ? `  “${shownLabel(sender.name)}”` : ""}`);
      },
    },
    {
      words: "allow revoke",
      args: "<senderId>",
      summary: "remove an approval (config entries stay)",
      options: CHANNEL,
      async run({ positionals, options, say }) {
        const result = await (await client()).allowRevoke(channelOf(options), positionals[0] ?? "");
        say(
          `Revoked ${result.senderId}.${result.stillInConfig ? " They are still listed in DRAWBRIDGE_ACCESS; remove them there too." : ""}`,
        );
      },
    },
    {
      words: "allow role",
      args: "<senderId> <role>",
      summary: "set trusted|limited|blocked (numeric ids only)",
      options: CHANNEL,
      async run({ positionals, options, say }) {
        const result = await (await client()).allowSetRole(channelOf(options), positionals[0] ?? "", positionals[1] ?? "");
        say(`${result.senderId} is now ${result.role}.`);
      },
    },
  ];
}

export function minutes(seconds: number): string {
  return seconds < 120 ? `${Math.max(0, seconds)} s` : `${Math.round(seconds / 60)} min`;
}
