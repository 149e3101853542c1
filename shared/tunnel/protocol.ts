import { z } from "zod";
import { WireError } from "../wire-error.js";
import { SessionKey, ToolOutcome, ToolRequest } from "../tools/tool-call.js";

/**
 * Versions of the tunnel protocol this build speaks. The gateway offers its versions in the
 * challenge; the runner names one of them in its hello. v2 added sequence numbers, acks,
 * per-call capabilities, cancel and heartbeats; v1 runners are refused with a message.
 */
export const PROTOCOL_VERSIONS = [2] as const;
export const PROTOCOL_VERSION = 2;

/** Audience and JWT type of the token a runner signs to prove it holds its key. */
export const TUNNEL_AUDIENCE = "drawbridge/tunnel";
export const RUNNER_JWT_TYPE = "runner+jwt";
/** JWT type of a key rotation request: the runner's current key vouches for its next one. */
export const ROTATION_JWT_TYPE = "runner-rotation+jwt";
/** A runner token may live at most this long; the gateway also refuses older `iat`s. */
export const RUNNER_TOKEN_MAX_AGE_SECONDS = 60;
/** Frames above this size close the socket. Tool output is capped well below it. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * Heartbeat frames. The gateway answers the ping with the pong through the runtime's
 * auto-response, without waking a hibernating Durable Object, so both are fixed strings.
 */
export const PING_TEXT = '{"type":"ping"}';
export const PONG_TEXT = '{"type":"pong"}';

/** WebSocket close codes the gateway uses (4000–4999 are application-defined). */
export const CloseCode = {
  normal: 1000,
  policy: 1008,
  tooLarge: 1009,
  unauthorized: 4401,
  revoked: 4403,
  authTimeout: 4408,
  protocolVersion: 4426,
  replaced: 4409,
} as const;

export const RunnerName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "runner names use a-z, 0-9 and -");
export type RunnerName = z.infer<typeof RunnerName>;

export const CallId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/);

/** Sequence number of a data frame; each direction counts on its own, from 1. */
export const Seq = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** gateway → runner: prove you hold your key by signing this nonce. */
export const Challenge = z
  .object({
    type: z.literal("challenge"),
    versions: z.array(z.number().int().positive()).min(1),
    nonce: z.string().min(16).max(128),
  })
  .strict();

/** runner → gateway: the signed answer to the challenge, in the protocol version the runner picked. */
export const Hello = z
  .object({
    type: z.literal("hello"),
    version: z.number().int().positive(),
    token: z.string().min(1).max(4096),
  })
  .strict();

/**
 * gateway → runner: authenticated. `resume` says where each direction stands: the last call seq
 * the runner acknowledged (the gateway re-sends everything after it) and the last result seq the
 * gateway stored (the runner re-sends its unacknowledged results).
 */
export const Welcome = z
  .object({
    type: z.literal("welcome"),
    version: z.number().int().positive(),
    runner: RunnerName,
    resume: z.object({ callSeq: z.number().int().nonnegative(), resultSeq: z.number().int().nonnegative() }).strict(),
  })
  .strict();

/**
 * gateway → runner: run one tool for one session. `capability` is the gateway's signature over
 * runner, call id, tool and a digest of session, request and timeout; the runner refuses a call
 * without a valid one (it stays optional here so an unsigned call is refused and reported, not
 * dropped with the socket).
 */
export const Call = z
  .object({
    type: z.literal("call"),
    seq: Seq,
    id: CallId,
    session: SessionKey,
    request: ToolRequest,
    timeoutMs: z.number().int().positive().max(600_000),
    capability: z.string().min(1).max(4096).optional(),
  })
  .strict();

/**
 * gateway → runner: the sender gave up on this call (timeout or cancel); do not start it, and
 * stop it if it is running (an exec is killed and reported `cancelled`).
 * Advisory and unsequenced: the sender has already been answered, so a lost cancel costs nothing
 * but a run whose result the gateway ignores.
 */
export const Cancel = z.object({ type: z.literal("cancel"), id: CallId }).strict();

/** runner → gateway: what a call produced (or why it could not or would not run). */
export const Result = z.object({ type: z.literal("result"), seq: Seq, id: CallId, outcome: ToolOutcome }).strict();

/** either side: every frame of the other side's stream up to `seq` is durably recorded. */
export const Ack = z.object({ type: z.literal("ack"), seq: z.number().int().nonnegative() }).strict();

/** runner → gateway heartbeat (answered without waking the hub) and its answer. */
export const Ping = z.object({ type: z.literal("ping") }).strict();
export const Pong = z.object({ type: z.literal("pong") }).strict();

/** either side: a refusal, sent just before closing or in answer to a bad frame. */
export const Refusal = z.object({ type: z.literal("error"), error: WireError }).strict();

export const TunnelFrame = z.discriminatedUnion("type", [Challenge, Hello, Welcome, Call, Cancel, Result, Ack, Ping, Pong, Refusal]);
export type TunnelFrame = z.infer<typeof TunnelFrame>;
export type Challenge = z.infer<typeof Challenge>;
export type Hello = z.infer<typeof Hello>;
export type Welcome = z.infer<typeof Welcome>;
export type Call = z.infer<typeof Call>;
export type Cancel = z.infer<typeof Cancel>;
export type Result = z.infer<typeof Result>;
export type Ack = z.infer<typeof Ack>;
export type Refusal = z.infer<typeof Refusal>;

/** Every frame type, for the golden-fixture check. */
export const FRAME_TYPES = TunnelFrame.options.map((option) => option.shape.type.value).sort();
