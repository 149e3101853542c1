const encoder = new TextEncoder();

/**
 * The inbox dedupes by a number; Slack's ids are strings (`Ev0123ABCD`, a tap's trigger_id). The
 * first 48 bits of their SHA-256 stand in: within one workspace's day of events a collision is
 * about as likely as guessing a 48-bit key, and the kind prefix keeps events and taps apart.
 */
export async function deliveryIdOf(kind: "event" | "tap", id: string): Promise<number> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(`${kind}:${id}`)));
  let value = 0;
  for (const byte of digest.subarray(0, 6)) value = value * 256 + byte;
  return value;
}
