import { z } from "zod";
import { WireError } from "../wire-error.js";
import { SessionKey, ToolOutcome, ToolRequest } from "../tools/tool-call.js";

/**
 * Versions of the tunnel protocol this build speaks. The gateway offers its versions in the
 * challenge; the runner names the newest one both speak in its hello, and the welcome confirms it.
 * v2 added sequence numbers, acks, per-call capabilities, cancel and heartbeats; v1 runners are
 * refused with a message. v3 adds the model relay (model_request / model_response): a v2 runner
 * would close the socket on a frame it cannot parse, so the gateway never sends it one.
 * v4 adds batches: `results` (many results in one frame, acknowledged by one ack) and `calls`
 * (many calls in one frame); each side sends them only to a peer that picked v4.
 */
export const PROTOCOL_VERSIONS = [2, 3, 4] as const;
/** The newest version this build speaks. */
export const PROTOCOL_VERSION = 4;
/** The first version whose runners relay model requests. */
export const MODEL_RELAY_VERSION = 3;
/** The first version that sends and accepts `results` and `calls` batches. */
export const BATCH_VERSION = 4;
/** At most this many calls or results in one batch frame (and the frame cap still holds). */
export const MAX_BATCH = 500;

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

/**
 * gateway → runner (v4): calls that go out together (a reconnect's drain, a burst), in seq order,
 * each as its own `call` frame would carry it (and signed on its own).
 */
export const Calls = z.object({ type: z.literal("calls"), calls: z.array(Call).min(1).max(MAX_BATCH) }).strict();

/** runner → gateway: what a call produced (or why it could not or would not run). */
export const Result = z.object({ type: z.literal("result"), seq: Seq, id: CallId, outcome: ToolOutcome }).strict();

/**
 * runner → gateway (v4): results that became durable in the journal together, in rseq order.
 * The gateway stores them in one transaction and answers one ack for the highest seq.
 */
export const Results = z.object({ type: z.literal("results"), results: z.array(Result).min(1).max(MAX_BATCH) }).strict();

/** either side: every frame of the other side's stream up to `seq` is durably recorded. */
export const Ack = z.object({ type: z.literal("ack"), seq: z.number().int().nonnegative() }).strict();

/** runner → gateway heartbeat (answered without waking the hub) and its answer. */
export const Ping = z.object({ type: z.literal("ping") }).strict();
export const Pong = z.object({ type: z.literal("pong") }).strict();

/**
 * The model relay paths, relative to the runner's model base URL (which ends in `/v1`): an
 * OpenAI-compatible server's chat completions and model list, and nothing else on that server.
 */
export const ModelPath = z.enum(["/chat/completions", "/models"]);
export type ModelPath = z.infer<typeof ModelPath>;

/**
 * A model request or answer body is JSON text inside one frame, so the frame cap bounds it: the
 * sender measures the encoded frame (escaping grows it) and refuses one above MAX_FRAME_BYTES.
 */
const ModelBody = z.string().max(MAX_FRAME_BYTES);

/**
 * gateway → runner (v3): send this request to the model server on the runner's loopback. Not
 * sequenced or journaled: it changes nothing on the home box, and a lost one is answered by the
 * gateway's timeout (the turn is interactive, so it is never queued for an offline runner).
 */
export const ModelRequest = z
  .object({
    type: z.literal("model_request"),
    id: CallId,
    method: z.enum(["POST", "GET"]),
    path: ModelPath,
    body: ModelBody,
    timeoutMs: z.number().int().positive().max(600_000),
  })
  .strict();

/** What the model server answered (any HTTP status), or why the runner could not ask it. */
export const ModelReply = z.discriminatedUnion("ok", [
  z
    .object({
      ok: z.literal(true),
      status: z.number().int().min(100).max(599),
      contentType: z.string().max(256),
      body: ModelBody,
    })
    .strict(),
  z.object({ ok: z.literal(false), error: WireError }).strict(),
]);
export type ModelReply = z.infer<typeof ModelReply>;

/** runner → gateway (v3): the answer to the model_request with the same id. */
export const ModelResponse = z.object({ type: z.literal("model_response"), id: CallId, reply: ModelReply }).strict();

/** either side: a refusal, sent just before closing or in answer to a bad frame. */
export const Refusal = z.object({ type: z.literal("error"), error: WireError }).strict();

export const TunnelFrame = z.discriminatedUnion("type", [
  Challenge,
  Hello,
  Welcome,
  Call,
  Calls,
  Cancel,
  Result,
  Results,
  Ack,
  Ping,
  Pong,
  ModelRequest,
  ModelResponse,
  Refusal,
]);
export type TunnelFrame = z.infer<typeof TunnelFrame>;
export type Challenge = z.infer<typeof Challenge>;
export type Hello = z.infer<typeof Hello>;
export type Welcome = z.infer<typeof Welcome>;
export type Call = z.infer<typeof Call>;
export type Cancel = z.infer<typeof Cancel>;
export type Result = z.infer<typeof Result>;
export type Calls = z.infer<typeof Calls>;
export type Results = z.infer<typeof Results>;
export type Ack = z.infer<typeof Ack>;
export type Refusal = z.infer<typeof Refusal>;
export type ModelRequest = z.infer<typeof ModelRequest>;
export type ModelResponse = z.infer<typeof ModelResponse>;

/** Whether an encoded frame fits the tunnel's cap (UTF-8 bytes, as the receiver measures it). */
export function frameFits(text: string): boolean {
  return text.length * 3 <= MAX_FRAME_BYTES || new TextEncoder().encode(text).byteLength <= MAX_FRAME_BYTES;
}

/** Every frame type, for the golden-fixture check. */
export const FRAME_TYPES = TunnelFrame.options.map((option) => option.shape.type.value).sort();
