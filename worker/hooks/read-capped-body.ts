/** The most a hook delivery may carry; GitHub caps its own payloads at 25 MB, but what a turn can use is far less. */
export const MAX_HOOK_BODY_BYTES = 256 * 1024;

/**
 * The raw body, or null once it is longer than `cap`: a declared length over it is refused before
 * a byte is read, and a stream that runs past it is cancelled there, so a huge body costs no more
 * than the cap. Raw bytes, because the signature is over exactly what was sent.
 */
export async function readCappedBody(request: Request, cap: number): Promise<Uint8Array | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > cap) {
    await request.body?.cancel();
    return null;
  }
  if (request.body === null) return new Uint8Array();
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > cap) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return body;
}
