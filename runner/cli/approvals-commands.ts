import type { AdminClient } from "./admin-client.js";

export const APPROVALS_USAGE = `  approvals list [--state s]             tool calls waiting for your approval (s: pending|allowed|denied|expired|all)
  approvals approve <id>                 allow that call once (it runs now)
  approvals deny <id>                    refuse it; nothing runs`;

type Say = (line: string) => void;

/** `drawbridge approvals …`; false if `args` is not one of them. */
export async function approvalsCommand(args: string[], client: () => Promise<AdminClient>, say: Say): Promise<boolean> {
  if (args[0] !== "approvals") return false;
  const [verb, id, ...rest] = args.slice(1);
  switch (verb) {
    case "list": {
      const state = id === "--state" ? rest[0] : id === undefined ? "pending" : undefined;
      if (!state) throw new Error("usage: drawbridge approvals list [--state pending|allowed|denied|expired|all]");
      const { approvals } = await (await client()).approvalsList(state);
      if (approvals.length === 0) say(state === "pending" ? "no approvals waiting" : `no ${state} approvals`);
      for (const approval of approvals) {
        const until =
          approval.state === "pending"
            ? `expires ${approval.expiresAt}`
            : `${approval.state}${approval.decidedBy ? ` by ${approval.decidedBy}` : ""}`;
        say(`${approval.id}  ${approval.sender}  ${approval.label}  (${approval.reason})  ${until}`);
      }
      return true;
    }
    case "approve":
    case "deny": {
      if (!id || rest.length > 0) throw new Error(`usage: drawbridge approvals ${verb} <id>`);
      const result = await (await client()).approvalDecide(id, verb === "approve" ? "allow" : "deny");
      say(result.message);
      if (result.result) say(result.result);
      return true;
    }
    default:
      return false;
  }
}
