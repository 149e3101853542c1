import { Hono } from "hono";
import { z } from "zod";
import { ApprovalId, ApprovalState } from "../approvals/approval.js";
import { approvalIndex } from "../approvals/approval-stubs.js";
import { decideApproval } from "../approvals/decide-approval.js";
import { loadGatewayConfig } from "../config.js";
import { GatewayError } from "../http/gateway-error.js";
import { jsonBody } from "../http/json-body.js";

const ListQuery = z
  .object({
    state: z.union([ApprovalState, z.literal("all")]).default("pending"),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** DESIGN.md spells the single-use grant "allow-once"; "allow" means the same. */
const DecisionBody = z.object({ decision: z.enum(["allow", "allow-once", "deny"]) }).strict();

/** `GET /api/approvals?state=…&limit=…`, `POST /api/approvals/:id {"decision":"allow"|"deny"}`. */
export const approvalsRoute = new Hono<{ Bindings: Env }>()
  .get("/", async (c) => {
    const query = ListQuery.safeParse(c.req.query());
    if (!query.success) {
      throw new GatewayError(
        400,
        "bad_request",
        "state must be pending, allowed, denied, expired or all; limit a whole number from 1 to 500",
      );
    }
    return c.json({ approvals: await approvalIndex.list(c.env, query.data.state, query.data.limit) });
  })
  .post("/:id", jsonBody(DecisionBody, '{"decision":"allow"|"deny"}'), async (c) => {
    const id = ApprovalId.safeParse(c.req.param("id"));
    if (!id.success) throw new GatewayError(400, "bad_request", "approval ids are 24 hex characters (see GET /api/approvals)");
    const { decision } = c.req.valid("json");
    const result = await decideApproval(c.env, loadGatewayConfig(c.env), id.data, decision === "deny" ? "deny" : "allow", "admin");
    switch (result.kind) {
      case "unknown":
        throw new GatewayError(404, "not_found", result.message);
      case "already":
        throw new GatewayError(409, "conflict", result.message);
      case "decided":
        return c.json({ ok: true, approval: result.approval, message: result.message, result: result.result });
    }
  });
