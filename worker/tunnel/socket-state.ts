import { z } from "zod";

/**
 * What the hub remembers about each runner socket, in its hibernation attachment: where the
 * handshake stands and whose socket it is (challenged → ready → closing → closed). Read through one parse, so a socket without a
 * readable state (not yet set, or from an older deploy) is null rather than a cast that lies.
 */
export const SocketState = z.discriminatedUnion("phase", [
  z.object({ phase: z.literal("challenged"), runner: z.string(), nonce: z.string(), openedAt: z.number() }).strict(),
  // `version`: the protocol the runner negotiated in its hello (absent on sockets from before v3: 2).
  z
    .object({ phase: z.literal("ready"), runner: z.string(), kid: z.string(), since: z.number(), version: z.number().int().optional() })
    .strict(),
  // `closeBy`: when the peer should have answered the close; past it the socket counts as gone (absent on older attachments: already past).
  z.object({ phase: z.literal("closing"), runner: z.string(), closeBy: z.number().optional() }).strict(),
  // Sent a close it never answered: the runtime may still list it, but nothing is kept, counted or sent for it.
  z.object({ phase: z.literal("closed") }).strict(),
]);
export type SocketState = z.infer<typeof SocketState>;

/** How long a socket that was sent a close may take to answer it before the hub treats it as gone. */
export const CLOSE_GRACE_MS = 5_000;

export function socketState(socket: WebSocket): SocketState | null {
  const parsed = SocketState.safeParse(socket.deserializeAttachment());
  return parsed.success ? parsed.data : null;
}

export function setSocketState(socket: WebSocket, state: SocketState): void {
  socket.serializeAttachment(state);
}
