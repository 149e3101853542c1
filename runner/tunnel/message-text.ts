import type { RawData } from "ws";

/** A ws text message as a string, whichever shape ws delivered it in (Buffer, ArrayBuffer or fragments). */
export function messageText(data: RawData): string {
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  return bytes.toString("utf8");
}
