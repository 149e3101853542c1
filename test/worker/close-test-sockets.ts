import { afterAll } from "vitest";
import { closeTestSockets } from "./tunnel-harness.js";

// Runs with every Worker test file (setupFiles): a file's sockets never hold connections the next file needs.
afterAll(closeTestSockets);
