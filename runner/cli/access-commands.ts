import type { AdminClient } from "./admin-client.js";

export const ACCESS_USAGE = `  pairing list [channel]                 pending pairing requests (code, sender id, name, age)
  pairing approve <code> [--role r]      let the sender in (role trusted|limited|blocked; default from config)
  pairing deny <code>                    refuse the request
  allow list [channel]                   approved and blocked senders with their role
  allow revoke <senderId>                remove an approval (config entries stay)
  allow role <senderId> <role>           set trusted|limited|blocked (numeric ids only)
  (channel defaults to telegram; --channel <name> selects another)`;

type Say = (line: string) => void;

/** `drawbridge pairing …` and `drawbridge allow …`; false if `args` is none of them. */
export async function accessCommand(args: string[], client: () => Promise<AdminClient>, say: Say): Promise<boolean> {
  const { positional, channel, role } = parseFlags(args);
  const [group, verb, first, second] = positional;
  const key = `${group ?? ""} ${verb ?? ""}`;
  switch (key) {
    case "pairing list": {
      const { pending } = await (await client()).pairingList(first ?? channel);
      if (pending.length === 0) say("no pending pairing requests");
      for (const request of pending) {
        say(
          `${request.code}  sender ${request.senderId}  ${request.name}  asked ${minutes(request.ageSeconds)} ago, expires in ${minutes(request.expiresInSeconds)}`,
        );
      }
      return true;
    }
    case "pairing approve":
    case "pairing deny": {
      if (!first) throw new Error(`usage: drawbridge pairing ${verb} <code>`);
      const result = await (await client()).pairingDecide(channel, verb === "approve" ? "approve" : "deny", first, role);
      say(result.message);
      return true;
    }
    case "allow list": {
      const { allowed } = await (await client()).allowList(first ?? channel);
      if (allowed.length === 0) say("no approved senders");
      for (const sender of allowed) say(`${sender.senderId}  ${sender.role}  ${sender.source}${sender.name ? `  ${sender.name}` : ""}`);
      return true;
    }
    case "allow revoke": {
      if (!first) throw new Error("usage: drawbridge allow revoke <senderId>");
      const result = await (await client()).allowRevoke(channel, first);
      say(
        `Revoked ${result.senderId}.${result.stillInConfig ? " They are still listed in DRAWBRIDGE_ACCESS; remove them there too." : ""}`,
      );
      return true;
    }
    case "allow role": {
      if (!first || !second) throw new Error("usage: drawbridge allow role <senderId> <trusted|limited|blocked>");
      const result = await (await client()).allowSetRole(channel, first, second);
      say(`${result.senderId} is now ${result.role}.`);
      return true;
    }
    default:
      return false;
  }
}

function parseFlags(args: string[]): { positional: string[]; channel: string; role: string | undefined } {
  const positional: string[] = [];
  let channel = "telegram";
  let role: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--channel" || arg === "--role") {
      const value = args[++i];
      if (!value) throw new Error(`${arg} needs a value`);
      if (arg === "--channel") channel = value;
      else role = value;
    } else positional.push(arg);
  }
  return { positional, channel, role };
}

function minutes(seconds: number): string {
  return seconds < 120 ? `${Math.max(0, seconds)} s` : `${Math.round(seconds / 60)} min`;
}
