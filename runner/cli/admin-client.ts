import type { JWK } from "jose";
import type { z } from "zod";
import {
  AllowList,
  AllowRevoked,
  ApprovalDecided,
  ApprovalList,
  ConsoleReply,
  PairingList,
  PairingResult,
  RoleSet,
  RunnerKeyRevoked,
  RunnerRegistered,
  RunnerRotated,
  StatusList,
} from "../../shared/admin-api.js";
import { ErrorBody } from "../../shared/wire-error.js";

export class AdminApiError extends Error {
  override readonly name: string = "AdminApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Nothing answered at the gateway URL (connection refused, DNS, TLS): says which URL and how to get one. */
export class GatewayUnreachableError extends Error {
  override readonly name = "GatewayUnreachableError";
  constructor(
    readonly gatewayUrl: string,
    options: { cause: unknown },
  ) {
    const why = causeText(options.cause);
    super(
      `no gateway answered at ${gatewayUrl}${why ? ` (${why})` : ""}. Start the local stack with \`npm start\`, ` +
        "or point the CLI at a running gateway with DRAWBRIDGE_GATEWAY_URL=https://…",
      options,
    );
  }
}

/** The gateway answered 401: the token is wrong (or missing); says where this one came from. */
export class GatewayUnauthorizedError extends AdminApiError {
  override readonly name = "GatewayUnauthorizedError";
  constructor(gatewayUrl: string, tokenSource: string) {
    super(
      401,
      "unauthorized",
      `the gateway at ${gatewayUrl} refused the token (401 unauthorized). The token came from ${tokenSource}; ` +
        "it must equal the gateway's GATEWAY_TOKEN secret (for the local stack: GATEWAY_TOKEN in the state dir's local-secrets.json).",
    );
  }
}

function causeText(error: unknown): string {
  // fetch wraps the socket error ("ECONNREFUSED 127.0.0.1:9") in a bare "fetch failed".
  const inner = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (!(inner instanceof Error)) return "";
  const code = (inner as { code?: unknown }).code;
  return typeof code === "string" ? code : inner.message;
}

/** The CLI's thin client of the gateway's admin API (`/api/*`, bearer GATEWAY_TOKEN). */
export class AdminClient {
  constructor(
    readonly gatewayUrl: string,
    private readonly token: string,
    /** Where the token came from, for the 401 message (never the token itself). */
    readonly tokenSource = "GATEWAY_TOKEN",
  ) {}

  /** `GET /healthz` (no token): the gateway's version. */
  async health(): Promise<{ ok: boolean; version: string }> {
    const response = await this.send("GET", "/healthz");
    const json = (await response.json().catch(() => null)) as { ok?: unknown; version?: unknown } | null;
    return { ok: response.ok && json?.ok === true, version: typeof json?.version === "string" ? json.version : "?" };
  }

  registerRunner(name: string, publicKey: JWK): Promise<RunnerRegistered> {
    return this.request(RunnerRegistered, "POST", "/api/runners", { name, publicKey });
  }

  rotateRunnerKey(name: string, token: string): Promise<RunnerRotated> {
    return this.request(RunnerRotated, "POST", `/api/runners/${encodeURIComponent(name)}/rotate`, { token });
  }

  revokeRunnerKey(kid: string): Promise<RunnerKeyRevoked> {
    return this.request(RunnerKeyRevoked, "DELETE", `/api/runners/${encodeURIComponent(kid)}`);
  }

  status(): Promise<StatusList> {
    return this.request(StatusList, "GET", "/api/status");
  }

  pairingList(channel: string): Promise<PairingList> {
    return this.request(PairingList, "GET", `/api/pairing/${encodeURIComponent(channel)}`);
  }

  pairingDecide(channel: string, action: "approve" | "deny", code: string, role?: string): Promise<PairingResult> {
    return this.request(PairingResult, "POST", `/api/pairing/${encodeURIComponent(channel)}/${action}`, role ? { code, role } : { code });
  }

  allowList(channel: string): Promise<AllowList> {
    return this.request(AllowList, "GET", `/api/allow/${encodeURIComponent(channel)}`);
  }

  allowRevoke(channel: string, senderId: string): Promise<AllowRevoked> {
    return this.request(AllowRevoked, "DELETE", `/api/allow/${encodeURIComponent(channel)}/${encodeURIComponent(senderId)}`);
  }

  allowSetRole(channel: string, senderId: string, role: string): Promise<RoleSet> {
    return this.request(RoleSet, "PUT", `/api/allow/${encodeURIComponent(channel)}/${encodeURIComponent(senderId)}`, { role });
  }

  approvalsList(state: string): Promise<ApprovalList> {
    return this.request(ApprovalList, "GET", `/api/approvals?state=${encodeURIComponent(state)}`);
  }

  approvalDecide(id: string, decision: "allow" | "deny"): Promise<ApprovalDecided> {
    return this.request(ApprovalDecided, "POST", `/api/approvals/${encodeURIComponent(id)}`, { decision });
  }

  sendMessage(text: string): Promise<ConsoleReply> {
    return this.request(ConsoleReply, "POST", "/api/messages", { text });
  }

  private async request<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<z.output<S>> {
    const response = await this.send(method, path, body);
    const json: unknown = await response.json().catch(() => null);
    if (response.status === 401) throw new GatewayUnauthorizedError(this.gatewayUrl, this.tokenSource);
    if (!response.ok) {
      const error = ErrorBody.safeParse(json);
      throw error.success
        ? new AdminApiError(response.status, error.data.error.code, error.data.error.message)
        : new AdminApiError(response.status, "internal", `gateway answered ${response.status}`);
    }
    const answer = schema.safeParse(json);
    if (!answer.success) {
      // A gateway of another version, or something that is not the gateway: say so rather than misread it.
      const issue = answer.error.issues[0];
      throw new AdminApiError(
        response.status,
        "internal",
        `unexpected answer from the gateway at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
      );
    }
    return answer.data;
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(new URL(path, this.gatewayUrl), {
        method,
        headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new GatewayUnreachableError(this.gatewayUrl, { cause: error });
    }
  }
}
