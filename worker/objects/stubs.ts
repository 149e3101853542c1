/**
 * Every Durable Object stub the Worker makes, from `env` alone. Each is typed by its binding
 * (`Env` names the class), never by importing the class: a module that needs to call a Durable
 * Object must not depend on everything that object runs. This file imports nothing, so any layer
 * may use it without closing an import cycle.
 */

/**
 * One Gatekeeper per channel account. A Telegram account is its bot: the numeric id before
 * the ":" in the bot token (public, and stable when the token is rotated).
 */
export function telegramAccount(env: Env): string {
  const botId = /^(\d{1,20}):/.exec(env.TELEGRAM_BOT_TOKEN ?? "")?.[1];
  return `telegram:${botId ?? "default"}`;
}

export function gatekeeperStub(env: Env, account: string) {
  return env.GATEKEEPER.get(env.GATEKEEPER.idFromName(account));
}

/** The session's Durable Object, by session key (the same key that picks the sandbox on the runner). */
export function sessionStub(env: Env, session: string) {
  return env.SESSION.get(env.SESSION.idFromName(session));
}

/** The assistant of one session: its conversation history and the turn in progress. */
export function assistantStub(env: Env, session: string) {
  return env.ASSISTANT.get(env.ASSISTANT.idFromName(session));
}

/** The one directory of approvals across sessions. */
export function approvalIndexStub(env: Env) {
  return env.APPROVAL_INDEX.get(env.APPROVAL_INDEX.idFromName("approvals"));
}

/** The hub of one runner, by name. */
export function hubStub(env: Env, runner: string) {
  return env.RUNNER_HUB.get(env.RUNNER_HUB.idFromName(runner));
}

/** The hub instance that keeps the runner directory (kid → runner). Not a valid runner name, so no runner can claim it. */
export const DIRECTORY_OBJECT_NAME = "~directory";

export function directoryHubStub(env: Env) {
  return hubStub(env, DIRECTORY_OBJECT_NAME);
}

/** One per configured hook: its durable queue of verified deliveries, its rate and its refusal cap. */
export function hookInboxStub(env: Env, hook: string) {
  return env.HOOK_INBOX.get(env.HOOK_INBOX.idFromName(hook));
}

/** The edge's one audit log. */
export function auditLogStub(env: Env) {
  return env.AUDIT_LOG.get(env.AUDIT_LOG.idFromName("edge"));
}

/** The Control UI's sessions (worker/ui/ui-sessions.ts): one instance, so sign-out is seen everywhere at once. */
export function uiSessionsStub(env: Env) {
  return env.UI_SESSIONS.get(env.UI_SESSIONS.idFromName("ui"));
}

export type GatekeeperStub = ReturnType<typeof gatekeeperStub>;
export type SessionStub = ReturnType<typeof sessionStub>;
export type HubStub = ReturnType<typeof hubStub>;
