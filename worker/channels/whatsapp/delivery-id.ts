const encoder = new TextEncoder();

/**
 * The inbox dedupes by a number; WhatsApp's message ids are strings (`wamid.HBgL…`). The first
 * 48 bits of their SHA-256 stand in: within one number's day of messages a collision is about as
 * likely as guessing a 48-bit key. A tap is a message too, with an id of its own.
 */
export async function messageDeliveryId(messageId: string): Promise<number> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(`whatsapp:${messageId}`)));
  let value = 0;
  for (const byte of digest.subarray(0, 6)) value = value * 256 + byte;
  return value;
}
