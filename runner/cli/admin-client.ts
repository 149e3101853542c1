import type { JWK } from "jose";
import { ErrorBody } from "../../shared/wire-error.js";

export class AdminApiError extends Error {
  override readonly name = "AdminApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type PendingPairing = { code: string; senderId: string; name: string; ageSeconds: number; expiresInSeconds: number };
export type PairingResult = { ok: true; action: string; senderId: string; name: string; role: string | null; message: string };
export type AllowedSender = { senderId: string; role: string; name: string; source: string };
export type PendingApproval = {
  id: string;
  state: string;
  sender: string;
  label: string;
  reason: string;
  expiresAt: string;
  decidedBy: string | null;
};

/** The CLI's thin client of the gateway's admin API (`/api/*`, bearer GATEWAY_TOKEN). */
export class AdminClient {
  constructor(
    private readonly gatewayUrl: string,
    private readonly token: string,
  ) {}

  registerRunner(name: string, publicKey: JWK): Promise<{ runner: string; kid: string; gatewayKey: unknown }> {
    return this.request("POST", "/api/runners", { name, publicKey });
  }

  rotateRunnerKey(name: string, token: string): Promise<{ runner: string; kid: string; retired: string[]; gatewayKey: unknown }> {
    return this.request("POST", `/api/runners/${encodeURIComponent(name)}/rotate`, { token });
  }

  revokeRunnerKey(kid: string): Promise<{ runner: string; kid: string; closed: number; cancelled: number }> {
    return this.request("DELETE", `/api/runners/${encodeURIComponent(kid)}`);
  }

  status(): Promise<{ runners: Array<Record<string, unknown>> }> {
    return this.request("GET", "/api/status");
  }

  pairingList(channel: string): Promise<{ pending: PendingPairing[] }> {
    return this.request("GET", `/api/pairing/${encodeURIComponent(channel)}`);
  }

  pairingDecide(channel: string, action: "approve" | "deny", code: string, role?: string): Promise<PairingResult> {
    return this.request("POST", `/api/pairing/${encodeURIComponent(channel)}/${action}`, role ? { code, role } : { code });
  }

  allowList(channel: string): Promise<{ allowed: AllowedSender[] }> {
    return this.request("GET", `/api/allow/${encodeURIComponent(channel)}`);
  }

  allowRevoke(channel: string, senderId: string): Promise<{ senderId: string; stillInConfig: boolean }> {
    return this.request("DELETE", `/api/allow/${encodeURIComponent(channel)}/${encodeURIComponent(senderId)}`);
  }

  allowSetRole(channel: string, senderId: string, role: string): Promise<AllowedSender> {
    return this.request("PUT", `/api/allow/${encodeURIComponent(channel)}/${encodeURIComponent(senderId)}`, { role });
  }

  approvalsList(state: string): Promise<{ approvals: PendingApproval[] }> {
    return this.request("GET", `/api/approvals?state=${encodeURIComponent(state)}`);
  }

  approvalDecide(id: string, decision: "allow" | "deny"): Promise<{ message: string; result: string | null }> {
    return this.request("POST", `/api/approvals/${encodeURIComponent(id)}`, { decision });
  }

  sendMessage(text: string): Promise<{ reply: string | null }> {
    return this.request("POST", "/api/messages", { text });
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.gatewayUrl), {
      method,
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const error = ErrorBody.safeParse(json);
      throw error.success
        ? new AdminApiError(response.status, error.data.error.code, error.data.error.message)
        : new AdminApiError(response.status, "internal", `gateway answered ${response.status}`);
    }
    return json as T;
  }
}
