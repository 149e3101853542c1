import { ISOLATED_WORKER_TESTS, workersConfig } from "./vitest.workers.config.js";

// The Worker tests that must not share a runtime with the rest (see ISOLATED_WORKER_TESTS).
export default workersConfig(ISOLATED_WORKER_TESTS);
