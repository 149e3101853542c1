import { MAX_FRAME_BYTES, TunnelFrame } from "./protocol.js";
import type { WireError } from "../wire-error.js";

export type FrameParse = { ok: true; frame: TunnelFrame } | { ok: false; error: WireError };

/**
 * The one place a tunnel frame is parsed, on either side of the socket.
 * Binary frames, oversized frames, bad JSON and unknown shapes are all refused.
 */
export function parseFrame(data: string | ArrayBuffer | Uint8Array): FrameParse {
  if (typeof data !== "string") {
    return { ok: false, error: { code: "frame_invalid", message: "binary frames are not part of the protocol" } };
  }
  // UTF-8 needs at most 3 bytes per UTF-16 unit, so only frames near the cap are encoded to measure.
  const mayBeTooLarge = data.length * 3 > MAX_FRAME_BYTES;
  if (data.length > MAX_FRAME_BYTES || (mayBeTooLarge && new TextEncoder().encode(data).byteLength > MAX_FRAME_BYTES)) {
    return { ok: false, error: { code: "payload_too_large", message: `frames are limited to ${MAX_FRAME_BYTES} bytes` } };
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, error: { code: "frame_invalid", message: "frame is not valid JSON" } };
  }
  const parsed = TunnelFrame.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? ` at ${first.path.join(".")}` : "";
    return { ok: false, error: { code: "frame_invalid", message: `frame rejected${where}: ${first?.message ?? "invalid"}` } };
  }
  return { ok: true, frame: parsed.data };
}

export function encodeFrame(frame: TunnelFrame): string {
  return JSON.stringify(frame);
}
