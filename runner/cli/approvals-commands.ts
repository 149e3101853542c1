import type { AdminClient } from "./admin-client.js";
import type { Command } from "./command.js";
import { UsageError } from "./exit-codes.js";

const STATES = ["pending", "allowed", "denied", "expired", "all"];

/** `drawbridge approvals …`. */
export function approvalsCommands(client: () => Promise<AdminClient>): Command[] {
  return [
    {
      words: "approvals list",
      summary: "tool calls waiting for your approval",
      options: { state: { type: "string", help: "pending (default)|allowed|denied|expired|all" } },
      json: true,
      async run({ options, json, say }) {
        const state = typeof options.state === "string" ? options.state : "pending";
        if (!STATES.includes(state)) throw new UsageError(`--state must be one of ${STATES.join(", ")}`, "approvals list");
        const answer = await (await client()).approvalsList(state);
        if (json) return say(JSON.stringify(answer));
        if (answer.approvals.length === 0) say(state === "pending" ? "no approvals waiting" : `no ${state} approvals`);
        for (const approval of answer.approvals) {
          const until =
            approval.state === "pending"
              ? `expires ${approval.expiresAt}`
              : `${approval.state}${approval.decidedBy ? ` by ${approval.decidedBy}` : ""}`;
          say(`${approval.id}  ${approval.sender}  ${approval.label}  (${approval.reason})  ${until}`);
        }
      },
    },
    ...(["approve", "deny"] as const).map((verb): Command => ({
      words: `approvals ${verb}`,
      args: "<id>",
      summary: verb === "approve" ? "allow that call once (it runs now)" : "refuse it; nothing runs",
      async run({ positionals, say }) {
        const result = await (await client()).approvalDecide(positionals[0] ?? "", verb === "approve" ? "allow" : "deny");
        say(result.message);
        if (result.result) say(result.result);
      },
    })),
  ];
}
