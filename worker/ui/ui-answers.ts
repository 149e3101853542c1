import { z } from "zod";
import { AuditLine } from "../../shared/admin-api.js";

/** The Control UI's own answers (the rest are the admin API's, shared/admin-api.ts). */
export const ChannelsView = z.object({ channels: z.array(z.object({ name: z.string(), on: z.boolean() }).strict()) }).strict();
export type ChannelsView = z.infer<typeof ChannelsView>;

export const AuditPage = z
  .object({
    events: z.array(AuditLine),
    page: z.number().int(),
    pages: z.number().int(),
    total: z.number().int(),
    kinds: z.array(z.string()),
  })
  .strict();
export type AuditPage = z.infer<typeof AuditPage>;
