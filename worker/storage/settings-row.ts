import { z } from "zod";
import { AccessConfig } from "../../shared/access/access-config.js";
import { ChannelName } from "../../shared/identity.js";
import { RunnerName } from "../../shared/tunnel/protocol.js";
import type { GatewayConfig } from "../config.js";

const OwnerShape = z.object({ channel: ChannelName, id: z.string(), key: z.string() });

/** The gateway config as loadGatewayConfig returned it (owner already split), read back from storage. */
const StoredConfigShape = z.object({
  owner: OwnerShape,
  // Rows written before owners per channel: the one owner was all there was.
  owners: z.array(OwnerShape).optional(),
  defaultRunner: RunnerName,
  telegramApiRoot: z.string(),
  slackApiRoot: z.string().default("https://slack.com/api"),
  discordApiRoot: z.string().default("https://discord.com/api/v10"),
  whatsappApiRoot: z.string().default("https://graph.facebook.com/v26.0"),
  // Parsing the parsed config again gives it back unchanged: every default is already filled in.
  access: AccessConfig,
  // Rows written before the assistant existed have no model: none configured then.
  model: z
    .object({
      provider: z.enum(["openai", "anthropic", "workers-ai", "home"]),
      model: z.string(),
      id: z.string(),
      baseUrl: z.string().nullable(),
    })
    .nullable()
    .default(null),
});
function withOwners<T extends z.output<typeof StoredConfigShape>>(stored: T): T & { owners: GatewayConfig["owners"] } {
  return { ...stored, owners: stored.owners ?? [stored.owner] };
}
export const StoredGatewayConfig: z.ZodType<GatewayConfig> = StoredConfigShape.transform(withOwners);
/** What a Gatekeeper keeps: the config plus the channel account it serves. */
export const StoredEdgeSettings: z.ZodType<GatewayConfig & { account: string }> = StoredConfigShape.extend({
  account: z.string(),
}).transform(withOwners);

/**
 * The config the Worker last passed in, in a one-row `settings` table: an alarm has no request
 * to read it from. The Gatekeeper and every Session keep theirs this way (each ladder creates the
 * table). A row that no longer parses (written under an older schema) counts as none: the next
 * request writes a fresh one.
 */
export class SettingsRow<T> {
  constructor(
    private readonly sql: SqlStorage,
    private readonly schema: z.ZodType<T>,
  ) {}

  save(settings: T): void {
    this.sql.exec(
      "INSERT INTO settings (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
      JSON.stringify(settings),
    );
  }

  load(): T | null {
    const row = this.sql.exec<{ json: string }>("SELECT json FROM settings WHERE id = 1").toArray()[0];
    if (!row) return null;
    const parsed = this.schema.safeParse(JSON.parse(row.json));
    if (parsed.success) return parsed.data;
    console.error(JSON.stringify({ event: "settings.unreadable", issue: parsed.error.issues[0]?.message ?? "invalid" }));
    return null;
  }
}
