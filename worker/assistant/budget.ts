import type { Budget } from "../../shared/assistant/assistant-config.js";
import type { Role } from "../../shared/access/roles.js";
import type { GatewayConfig } from "../config.js";

/** A role's daily allowance; a blocked sender has none. */
export function budgetOf(config: GatewayConfig, role: Role): Budget {
  if (role === "blocked") return { steps: 0, tokens: 0 };
  return config.access.assistant.budgets[role];
}
