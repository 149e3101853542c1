/**
 * A token bucket per socket: a runner may burst (a thousand results after a reconnect is
 * normal) but not stream frames without end. Heartbeats never reach it (auto-response).
 */
export class FloodGuard {
  private readonly buckets = new WeakMap<WebSocket, { tokens: number; at: number }>();

  constructor(
    private readonly burst = 4000,
    private readonly perSecond = 1000,
  ) {}

  /** Takes one token; false when the socket has sent more than the bucket allows. */
  allow(socket: WebSocket, now = Date.now()): boolean {
    const bucket = this.buckets.get(socket) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(socket, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
