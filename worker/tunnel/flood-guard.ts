/**
 * A token bucket per socket. What a runner may legitimately send is bounded by what it was
 * sent: each call earns credit for its result and ack; a modest burst and a slow refill cover
 * results re-sent after a reconnect. Anything beyond that is a flood. Heartbeats never reach
 * it (the runtime answers them).
 */
export class FloodGuard {
  private readonly buckets = new WeakMap<WebSocket, { tokens: number; at: number }>();

  constructor(
    private readonly burst = 3000,
    private readonly perSecond = 50,
    private readonly perCall = 2,
  ) {}

  /** Takes one token; false when the socket has sent more than the bucket allows. */
  allow(socket: WebSocket, now = Date.now()): boolean {
    const bucket = this.bucket(socket, now);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** The hub sent a call on this socket: its answer is not a flood. */
  credit(socket: WebSocket, now = Date.now()): void {
    this.bucket(socket, now).tokens += this.perCall;
  }

  private bucket(socket: WebSocket, now: number): { tokens: number; at: number } {
    const bucket = this.buckets.get(socket) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.max(bucket.tokens, Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond));
    bucket.at = now;
    this.buckets.set(socket, bucket);
    return bucket;
  }
}
