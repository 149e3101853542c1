import { resolveRole } from "../../shared/access/decide-access.js";
import type { GrantableRole, Role } from "../../shared/access/roles.js";
import { accountOwnerId, type Gate } from "./gate.js";

export type PendingView = { code: string; senderId: string; name: string; ageSeconds: number; expiresInSeconds: number };
export type AllowedView = { senderId: string; role: Role; name: string; source: "pairing" | "admin" | "config" };

/** Live pairing requests, oldest first. */
export function listPending(gate: Gate): PendingView[] {
  const now = gate.now();
  const ttlMs = gate.settings.access.pairing.codeTtlMinutes * 60_000;
  return gate.pairing.live(gate.settings.account).map((request) => ({
    code: request.code,
    senderId: request.senderId,
    name: request.name,
    ageSeconds: Math.floor((now - request.createdAt) / 1000),
    expiresInSeconds: Math.ceil((request.createdAt + ttlMs - now) / 1000),
  }));
}

/** Approved (and blocked) senders with the role that is in effect, config entries included. */
export function listAllowed(gate: Gate): AllowedView[] {
  const { access } = gate.settings;
  const views = new Map<string, AllowedView>();
  const effective = (senderId: string, stored: Role | null) =>
    resolveRole(senderId, "", access, stored, access.allowFrom.includes(senderId)) ?? access.pairing.defaultRole;
  for (const senderId of [...access.allowFrom.filter((entry) => entry !== "*"), ...Object.keys(access.roles)]) {
    views.set(senderId, { senderId, role: effective(senderId, null), name: "", source: "config" });
  }
  for (const sender of gate.allowed.list()) {
    views.set(sender.senderId, {
      senderId: sender.senderId,
      role: effective(sender.senderId, sender.role),
      name: sender.name,
      source: sender.via,
    });
  }
  return [...views.values()];
}

/** Removes an approval. Entries that come from the config can only be changed in the config. */
export async function revokeSender(gate: Gate, senderId: string, actor: string): Promise<{ removed: boolean; inConfig: boolean }> {
  const removed = gate.allowed.remove(senderId);
  if (removed) await gate.audit("allow.revoked", actor, { sender: senderId });
  const { access } = gate.settings;
  return { removed, inConfig: access.allowFrom.includes(senderId) || senderId in access.roles };
}

/** Sets (or adds with) a role; `blocked` silences the sender. The owner's role is not settable. */
export async function setSenderRole(gate: Gate, senderId: string, role: GrantableRole, actor: string): Promise<AllowedView | null> {
  const ownerId = accountOwnerId(gate.settings);
  if (senderId === ownerId) return null;
  gate.allowed.put(senderId, role, "", "admin", gate.now());
  await gate.audit("role.changed", actor, { sender: senderId, role });
  return listAllowed(gate).find((view) => view.senderId === senderId) ?? null;
}
