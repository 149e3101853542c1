import { Writable } from "node:stream";

/** Collects one output stream up to a byte cap; the rest is counted and dropped, never buffered. */
export class CappedSink extends Writable {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  truncated = false;

  constructor(private readonly capBytes: number) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const room = this.capBytes - this.kept;
    if (room > 0) {
      const piece = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(piece);
      this.kept += piece.byteLength;
    }
    if (chunk.byteLength > room) this.truncated = true;
    done();
  }

  text(): string {
    // A cut may split a multi-byte character; the decoder replaces the fragment instead of failing.
    return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(this.chunks));
  }
}
