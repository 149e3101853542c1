import type { ESLint } from "eslint";

/** The local ESLint plugin with the rules `import-cycle` and `layer-boundary` (see one-way-imports.js). */
declare const plugin: ESLint.Plugin;
export default plugin;
