import { networkReason, type PolledUpdate } from "./bot-api-client.js";

/** How the local gateway took one update: 200 is the only answer that lets the offset move on. */
export type DeliveryOutcome = { accepted: true } | { accepted: false; problem: string };

/**
 * Posts one update to the gateway's webhook route exactly as Telegram would (same body, same secret
 * header), so the gateway's secret check, size limit and dedupe by update_id all apply unchanged.
 */
export async function deliverToGateway(
  gatewayUrl: string,
  webhookSecret: string,
  update: PolledUpdate,
  signal: AbortSignal,
): Promise<DeliveryOutcome> {
  try {
    const response = await fetch(`${gatewayUrl.replace(/\/+$/, "")}/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": webhookSecret },
      body: JSON.stringify(update),
      signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
    });
    await response.body?.cancel();
    if (response.status === 200) return { accepted: true };
    return { accepted: false, problem: `the gateway answered ${response.status}` };
  } catch (error) {
    return { accepted: false, problem: `could not reach the gateway at ${gatewayUrl} (${networkReason(error)})` };
  }
}
