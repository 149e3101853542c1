import js from "@eslint/js";
import tseslint from "typescript-eslint";
import oneWayImports from "./lint/one-way-imports.js";

export default tseslint.config(
  { ignores: ["node_modules", ".wrangler", ".drawbridge", "worker-configuration.d.ts", "test-results", "coverage", "dist"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // Layers read one way: see lint/one-way-imports.js.
    files: ["worker/**/*.ts", "runner/**/*.ts", "shared/**/*.ts", "test/**/*.ts", "bench/**/*.ts"],
    plugins: { drawbridge: oneWayImports },
    rules: { "drawbridge/import-cycle": "error", "drawbridge/layer-boundary": "error" },
  },
  {
    files: ["**/*.mjs", "runner/bin/*.js", "lint/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", setTimeout: "readonly" } },
  },
);
