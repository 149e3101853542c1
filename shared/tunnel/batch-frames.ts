import { encodeFrame } from "./parse-frame.js";
import { frameFits, MAX_BATCH, type Call, type Result } from "./protocol.js";

/**
 * Encodes calls or results that go out together as few frames as the tunnel allows: v4 batches
 * (`calls` / `results`) of at most MAX_BATCH that fit the frame cap, split in halves when one
 * does not; a lone item goes as its own frame. `batches: false` (a peer before v4) sends one
 * frame each. Order is kept.
 */
export function encodeCalls(calls: Call[], batches: boolean): string[] {
  return encodeAll(calls, batches, (items) => encodeFrame({ type: "calls", calls: items }));
}

export function encodeResults(results: Result[], batches: boolean): string[] {
  return encodeAll(results, batches, (items) => encodeFrame({ type: "results", results: items }));
}

function encodeAll<T extends Call | Result>(items: T[], batches: boolean, batch: (items: T[]) => string): string[] {
  if (!batches) return items.map((item) => encodeFrame(item));
  const frames: string[] = [];
  for (let from = 0; from < items.length; from += MAX_BATCH) split(items.slice(from, from + MAX_BATCH), batch, frames);
  return frames;
}

function split<T extends Call | Result>(items: T[], batch: (items: T[]) => string, frames: string[]): void {
  const [only] = items;
  if (items.length === 1 && only) {
    frames.push(encodeFrame(only));
    return;
  }
  const text = batch(items);
  if (frameFits(text)) {
    frames.push(text);
    return;
  }
  const half = Math.ceil(items.length / 2);
  split(items.slice(0, half), batch, frames);
  split(items.slice(half), batch, frames);
}
