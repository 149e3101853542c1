import { MAX_REPLY_CHARS } from "./format-reply.js";

/**
 * Splits a long answer into messages Telegram takes (4,096 characters each), in order: at a
 * paragraph break if one is in the second half of the chunk, else at a line break, else at a
 * space, else hard — never inside a surrogate pair. Nothing is dropped; every piece is sent.
 */
export function splitReply(text: string, limit = MAX_REPLY_CHARS): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const cut = [window.lastIndexOf("\n\n"), window.lastIndexOf("\n"), window.lastIndexOf(" ")].find((at) => at >= limit / 2) ?? limit;
    let end = cut > 0 ? cut : limit;
    const code = rest.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end -= 1; // keep a surrogate pair together
    parts.push(rest.slice(0, end).trimEnd());
    rest = rest.slice(end).replace(/^\n+/, "");
  }
  if (rest.trim() || parts.length === 0) parts.push(rest);
  return parts.filter((part, index) => part.length > 0 || index === 0);
}
