// Signs deliveries the way each sender does, for the hook tests (WebCrypto, as in workerd).

const encoder = new TextEncoder();

async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, data));
}

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** A fresh `whsec_<base64>` secret, as a Standard Webhooks sender hands one out. */
export function newStandardSecret(): string {
  return `whsec_${base64(crypto.getRandomValues(new Uint8Array(24)))}`;
}

/** The three Standard Webhooks headers for this delivery; `at` in Unix seconds. */
export async function standardHeaders(secret: string, id: string, at: number, body: string): Promise<Record<string, string>> {
  const key = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (ch) => ch.charCodeAt(0));
  const signature = base64(await hmac(key, encoder.encode(`${id}.${at}.${body}`)));
  return { "webhook-id": id, "webhook-timestamp": String(at), "webhook-signature": `v1,${signature}` };
}

/** GitHub's `X-Hub-Signature-256` value for this body. */
export async function githubSignature(secret: string, body: string): Promise<string> {
  const bytes = await hmac(encoder.encode(secret), encoder.encode(body));
  return `sha256=${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
