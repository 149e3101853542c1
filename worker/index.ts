import { app } from "./app.js";

export { ApprovalIndex } from "./approvals/approval-index.js";
export { Session } from "./approvals/session.js";
export { Assistant } from "./assistant/assistant.js";
export { AuditLog } from "./audit/audit-log.js";
export { Gatekeeper } from "./gatekeeper/gatekeeper.js";
export { HookInbox } from "./hooks/hook-inbox.js";
export { RunnerHub } from "./tunnel/runner-hub.js";
export { UiSessions } from "./ui/ui-sessions.js";

export default app satisfies ExportedHandler<Env>;
