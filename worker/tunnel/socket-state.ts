import { z } from "zod";

/**
 * What the hub remembers about each runner socket, in its hibernation attachment: where the
 * handshake stands and whose socket it is. Read through one parse, so a socket without a
 * readable state (not yet set, or from an older deploy) is null rather than a cast that lies.
 */
export const SocketState = z.discriminatedUnion("phase", [
  z.object({ phase: z.literal("challenged"), runner: z.string(), nonce: z.string(), openedAt: z.number() }).strict(),
  // `version`: the protocol the runner negotiated in its hello (absent on sockets from before v3: 2).
  z
    .object({ phase: z.literal("ready"), runner: z.string(), kid: z.string(), since: z.number(), version: z.number().int().optional() })
    .strict(),
  z.object({ phase: z.literal("closing"), runner: z.string() }).strict(),
]);
export type SocketState = z.infer<typeof SocketState>;

export function socketState(socket: WebSocket): SocketState | null {
  const parsed = SocketState.safeParse(socket.deserializeAttachment());
  return parsed.success ? parsed.data : null;
}

export function setSocketState(socket: WebSocket, state: SocketState): void {
  socket.serializeAttachment(state);
}
