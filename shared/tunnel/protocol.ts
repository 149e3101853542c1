import { z } from "zod";
import { WireError } from "../wire-error.js";
import { SessionKey, ToolOutcome, ToolRequest } from "../tools/tool-call.js";

/** Versions of the tunnel protocol this build speaks. The hello names one of them. */
export const PROTOCOL_VERSIONS = [1] as const;
export const PROTOCOL_VERSION = 1;

/** Audience and JWT type of the token a runner signs to prove it holds its key. */
export const TUNNEL_AUDIENCE = "drawbridge/tunnel";
export const RUNNER_JWT_TYPE = "runner+jwt";
/** A runner token may live at most this long; the gateway also refuses older `iat`s. */
export const RUNNER_TOKEN_MAX_AGE_SECONDS = 60;
/** Frames above this size close the socket. Tool output is capped well below it. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** WebSocket close codes the gateway uses (4000–4999 are application-defined). */
export const CloseCode = {
  normal: 1000,
  policy: 1008,
  tooLarge: 1009,
  unauthorized: 4401,
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
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

/** gateway → runner: prove you hold your key by signing this nonce. */
export const Challenge = z
  .object({
    type: z.literal("challenge"),
    versions: z.array(z.number().int().positive()).min(1),
    nonce: z.string().min(16).max(128),
  })
  .strict();

/** runner → gateway: the signed answer to the challenge. */
export const Hello = z
  .object({
    type: z.literal("hello"),
    version: z.number().int().positive(),
    token: z.string().min(1).max(4096),
  })
  .strict();

/** gateway → runner: authenticated; calls may follow. */
export const Welcome = z.object({ type: z.literal("welcome"), version: z.number().int().positive(), runner: RunnerName }).strict();

/** gateway → runner: run one tool for one session. */
export const Call = z
  .object({
    type: z.literal("call"),
    id: CallId,
    session: SessionKey,
    request: ToolRequest,
    timeoutMs: z.number().int().positive().max(600_000),
  })
  .strict();

/** runner → gateway: what a call produced (or why it could not run). */
export const Result = z.object({ type: z.literal("result"), id: CallId, outcome: ToolOutcome }).strict();

/** either side: a refusal, sent just before closing or in answer to a bad frame. */
export const Refusal = z.object({ type: z.literal("error"), error: WireError }).strict();

export const TunnelFrame = z.discriminatedUnion("type", [Challenge, Hello, Welcome, Call, Result, Refusal]);
export type TunnelFrame = z.infer<typeof TunnelFrame>;
export type Challenge = z.infer<typeof Challenge>;
export type Hello = z.infer<typeof Hello>;
export type Welcome = z.infer<typeof Welcome>;
export type Call = z.infer<typeof Call>;
export type Result = z.infer<typeof Result>;
export type Refusal = z.infer<typeof Refusal>;
