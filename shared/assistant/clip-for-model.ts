/** UTF-8 bytes of one code point; a lone surrogate is sent as U+FFFD, three bytes. */
function utf8Bytes(cp: number): number {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

function withThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * At most `maxBytes` UTF-8 bytes of `text`, cut on a code point boundary (never inside a
 * surrogate pair or a multi-byte character), followed when anything was cut by a visible line
 * saying how many bytes were left out. The marker line comes on top of `maxBytes`.
 */
export function clipForModel(text: string, maxBytes: number): { text: string; clipped: boolean } {
  const budget = Math.max(0, Math.floor(maxBytes));
  let used = 0;
  let cut = -1;
  let keptBytes = 0;
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i) ?? 0;
    const bytes = utf8Bytes(cp);
    if (cut < 0 && used + bytes > budget) {
      cut = i;
      keptBytes = used;
    }
    used += bytes;
    i += cp > 0xffff ? 2 : 1;
  }
  if (cut < 0) return { text, clipped: false };
  return { text: `${text.slice(0, cut)}\n[… clipped: ${withThousands(used - keptBytes)} more bytes not shown]`, clipped: true };
}
