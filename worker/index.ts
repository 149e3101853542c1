import { app } from "./app.js";

export { RunnerHub } from "./tunnel/runner-hub.js";

export default app satisfies ExportedHandler<Env>;
