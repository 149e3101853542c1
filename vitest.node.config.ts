import { defineConfig } from "vitest/config";

// Runner, shared and end-to-end tests: Node, the real Docker engine, wrangler dev for the Worker.
export default defineConfig({
  test: {
    include: ["test/lint/**/*.test.ts", "test/shared/**/*.test.ts", "test/runner/**/*.test.ts", "test/e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Docker and workerd on two shared cores: files run one after another.
    fileParallelism: false,
  },
});
