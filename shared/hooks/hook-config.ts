import { z } from "zod";
import { Profile } from "../policy/tool-policy-config.js";

/** A hook's name as it appears in `POST /hooks/<name>` and in its secret's name `HOOK_<NAME>_SECRET`. */
export const HookName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "lower-case letters, digits and '-', at most 40, e.g. \"deploys\"");
export type HookName = z.infer<typeof HookName>;

/** The secret's Worker name for a hook: upper-cased, `-` → `_` (`deploys-eu` → `HOOK_DEPLOYS_EU_SECRET`). */
export function hookSecretName(name: HookName): string {
  return `HOOK_${name.toUpperCase().replaceAll("-", "_")}_SECRET`;
}

/**
 * One signed inbound hook. `standard-webhooks` and `github` are signed by the sender; `bearer` is a
 * shared token for senders that cannot sign (accepted, but reported as the weaker choice).
 */
export const HookConfig = z
  .object({
    verify: z
      .enum(["standard-webhooks", "github", "bearer"])
      .describe(
        'How a delivery is checked with HOOK_<NAME>_SECRET: "standard-webhooks" or "github" signatures, or "bearer" (a shared token, the weaker choice).',
      ),
    /** `turn`: an assistant turn in the hook's own session `hook:<name>`; `notify`: a short summary, no model. */
    action: z
      .enum(["turn", "notify"])
      .default("turn")
      .describe('"turn": an assistant turn in the hook\'s own session hook:<name>; "notify": a short summary to the chat, no model.'),
    /** Put before the (untrusted, clipped) payload in the turn's message. */
    prompt: z.string().max(4000).optional().describe("Put before the (untrusted, clipped) payload in the turn's message."),
    /** The hook turn's tools; `minimal` (no runner tools) unless widened here, which is audited. */
    tools: Profile.default("minimal").describe(
      'The hook turn\'s tool profile; "minimal" (no runner tools) unless widened here, which is audited.',
    ),
    /** Where the result goes: a channel identity ("telegram:123"); default the owner's chat. */
    chat: z.string().max(64).optional().describe('Where the result goes, a channel identity ("telegram:123"); omitted: the owner\'s chat.'),
    /** Deliveries accepted per minute for this hook. */
    perMinute: z.number().int().min(1).max(600).default(30).describe("Deliveries accepted per minute for this hook."),
  })
  .strict();
export type HookConfig = z.output<typeof HookConfig>;

/** `DRAWBRIDGE_HOOKS` / the config file's `hooks`: name → hook. */
export const HooksConfig = z.record(HookName, HookConfig).default({});
export type HooksConfig = z.output<typeof HooksConfig>;
