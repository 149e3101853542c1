import { Hono } from "hono";
import { z } from "zod";
import { CHANNEL_SECRETS } from "../channels/channel-secrets.js";
import { GatewayError } from "../http/gateway-error.js";
import { retryOnce } from "../objects/retry-once.js";
import { auditLogStub } from "../objects/stubs.js";
import type { AuditPage, ChannelsView } from "./ui-answers.js";

/** The audit page reads the newest events the log answers in one page of GET /api/audit. */
const AUDIT_WINDOW = 1000;

const AuditQuery = z
  .object({
    kind: z.string().max(64).default(""),
    actor: z.string().max(128).default(""),
    page: z.coerce.number().int().min(1).max(1000).default(1),
    size: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/** `GET /ui/api/channels` (on/off per channel) and `GET /ui/api/audit-page?kind&actor&page&size` (filtered, newest first). */
export const uiViewsRoute = new Hono<{ Bindings: Env }>()
  .get("/channels", (c) => {
    const set = (name: string) => {
      const value: unknown = (c.env as unknown as Record<string, unknown>)[name];
      return typeof value === "string" && value.trim() !== "";
    };
    const channels = Object.entries(CHANNEL_SECRETS).map(([name, secrets]) => ({ name, on: secrets.every(set) }));
    return c.json({ channels } satisfies ChannelsView);
  })
  .get("/audit-page", async (c) => {
    const query = AuditQuery.safeParse(c.req.query());
    if (!query.success) throw new GatewayError(400, "bad_request", "kind and actor are text filters; page and size whole numbers");
    const { kind, actor, page, size } = query.data;
    const events = await retryOnce(() => auditLogStub(c.env).recent(AUDIT_WINDOW));
    const kinds = [...new Set(events.map((event) => event.kind))].sort();
    const needle = actor.trim().toLowerCase();
    const matching = events.filter(
      (event) => (kind === "" || event.kind === kind) && (needle === "" || event.actor.toLowerCase().includes(needle)),
    );
    const pages = Math.max(1, Math.ceil(matching.length / size));
    const shown = matching.slice((page - 1) * size, page * size);
    return c.json({ events: shown, page, pages, total: matching.length, kinds } satisfies AuditPage);
  });
