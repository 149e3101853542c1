import type { HookConfig } from "../../shared/hooks/hook-config.js";
import type { HookVerdict } from "./hook-verdict.js";
import { verifyBearer } from "./verify-bearer.js";
import { verifyGithub } from "./verify-github.js";
import { verifyStandardWebhook } from "./verify-standard-webhooks.js";

/** The hook's own verify mode, over the raw bytes as they arrived. Throws HookSecretError for an unusable secret. */
export async function verifyDelivery(
  mode: HookConfig["verify"],
  secret: string,
  headers: Headers,
  body: Uint8Array,
  nowMs: number,
): Promise<HookVerdict> {
  switch (mode) {
    case "standard-webhooks":
      return await verifyStandardWebhook(secret, headers, body, nowMs);
    case "github":
      return await verifyGithub(secret, headers, body);
    case "bearer":
      return await verifyBearer(secret, headers);
  }
}
