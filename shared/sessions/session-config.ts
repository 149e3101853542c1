import { z } from "zod";

/**
 * Which DMs share a session (and so a sandbox and workspace on the runner):
 * `main` — the owner's DMs on every channel (Telegram and the console) share "main"; every other
 * sender gets their own, never the owner's. `per-peer` — one session per person across channels.
 * `per-channel-peer` — one per channel and person. Groups always get one session each.
 */
export const DmScope = z.enum(["main", "per-peer", "per-channel-peer"]);
export type DmScope = z.infer<typeof DmScope>;

/** A person's name in identityLinks. Starts with a letter, so it never reads as a numeric id. */
export const LinkName = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, "link names are 1–32 of a-z, 0-9, _ and -, starting with a letter");

/** One of a person's ids, `<channel>:<id>` exactly as the gateway spells it (no leading zeros; Slack's U… ids). */
export const LinkedId = z
  .string()
  .regex(
    /^((telegram|console):(0|-?[1-9]\d{0,19})|slack:[UW][A-Z0-9]{2,31}|whatsapp:[1-9]\d{6,14}|discord:[1-9]\d{16,19})$/,
    'expected "<channel>:<numeric id>" (Slack: its U… user id), e.g. "telegram:123456789" or "slack:U0123ABCD"',
  );

export const SessionConfig = z
  .object({
    dmScope: DmScope.default("main").describe(
      '"main": the owner\'s DMs on every channel share one session, every other sender gets their own; "per-peer": one per person across channels; "per-channel-peer": one per channel and person.',
    ),
    /** Joins one person's ids, e.g. {"alice": ["telegram:123", "telegram:456"]}: their DMs share one session. */
    identityLinks: z
      .record(z.string(), z.array(LinkedId).min(1, "a link needs at least one id").max(32))
      .default({})
      .describe('Joins one person\'s ids, e.g. {"alice": ["telegram:123", "telegram:456"]}: their DMs share one session.'),
  })
  .strict()
  .superRefine((config, context) => {
    // An id in two links would make its session depend on lookup order; refuse it, naming both.
    const owner = new Map<string, string>();
    for (const [name, ids] of Object.entries(config.identityLinks)) {
      // Checked here rather than as the record's key schema, whose error would not say what is wrong.
      const named = LinkName.safeParse(name);
      if (!named.success)
        context.addIssue({ code: "custom", path: ["identityLinks", name], message: named.error.issues[0]?.message ?? "bad name" });
      for (const id of ids) {
        const first = owner.get(id);
        if (first !== undefined) {
          const message = first === name ? `${id} is listed twice` : `${id} is already linked to "${first}"; an id belongs to one person`;
          context.addIssue({ code: "custom", path: ["identityLinks", name], message });
        } else owner.set(id, name);
      }
    }
  });
export type SessionConfig = z.output<typeof SessionConfig>;
