import js from "@eslint/js";
import tseslint from "typescript-eslint";
import oneWayImports from "./lint/one-way-imports.js";

export default tseslint.config(
  { ignores: ["node_modules", ".wrangler", ".drawbridge", "worker-configuration.d.ts", "test-results", "coverage", "dist"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    // Type-aware rules: every linted .ts file belongs to one of the two programs (shared/ and test/fixtures to both).
    languageOptions: {
      parserOptions: {
        project: ["./tsconfig.worker.json", "./tsconfig.node.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `void p` alone is not handling p: in Node an unhandled rejection ends the runner. Fire-and-forget ends in .catch.
      "@typescript-eslint/no-floating-promises": ["error", { ignoreVoid: false }],
      // A switch over a union names every member or has a default; a default that means "the rest" is fine.
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
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
    // vitest's asymmetric matchers (expect.any, expect.stringMatching, …) are typed `any`: in tests, putting
    // one in an object literal or returning it is how they are used. Member access, calls and arguments on
    // `any` stay errors there too, and product code gets every unsafe-* rule.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off", "@typescript-eslint/no-unsafe-return": "off" },
  },
  {
    // Plain JS (this file, lint/, bin/, scripts) is in no tsconfig: lint it without types.
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ["**/*.mjs", "runner/bin/*.js", "lint/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", setTimeout: "readonly" } },
  },
);
