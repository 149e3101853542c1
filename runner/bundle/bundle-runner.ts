import { build, type Plugin } from "esbuild";
import { join } from "node:path";

const runnerDir = join(import.meta.dirname, "..");

/**
 * Node flags for the runner process. A 1 MiB young generation keeps an idle runner's footprint
 * small; the runner's allocations are small and short-lived (frames, journal lines). Its own
 * JavaScript is glue between sockets, crypto and the disk, so it runs without V8's optimizing
 * compiler (`--no-opt`: 3.6 MiB less of the node binary touched, no compiler memory kept after a
 * burst) and with heap settings that favour size: after 1,000 calls 57–65 MiB instead of 74–76,
 * at the same CPU time per burst (docs/performance.md, P6).
 */
export const RUNNER_NODE_FLAGS = ["--max-semi-space-size=1", "--no-opt", "--optimize-for-size"];

// An ES module bundle of CommonJS dependencies: give them the `require` and `__dirname` they expect.
const COMMONJS_SHIMS = [
  'import { createRequire as __drawbridgeRequire } from "node:module";',
  'import { fileURLToPath as __drawbridgePath } from "node:url";',
  'import { dirname as __drawbridgeDirname } from "node:path";',
  "const require = __drawbridgeRequire(import.meta.url);",
  "const __filename = __drawbridgePath(import.meta.url);",
  "const __dirname = __drawbridgeDirname(__filename);",
].join("\n");

/**
 * Dependencies that load code only rare paths need, when they load: docker-modem requires ssh2
 * (used only for an ssh:// DOCKER_HOST), dockerode its BuildKit session (gRPC and protobuf, used
 * only by `version: "2"` builds) and BuildKit progress decoder (protobufjs, for a followProgress
 * the runner never calls). Those requires get stand-ins that load the real module from this
 * project's node_modules when called. zod's every-locale namespace gets English only (see
 * zod-locales-english.js). What is not in the bundle is neither parsed nor kept in memory.
 */
const LAZY: Array<{ filter: RegExp; importer: RegExp; standIn: string }> = [
  { filter: /^ssh2$/, importer: /docker-modem[\\/]lib[\\/]ssh\.js$/, standIn: join(runnerDir, "bundle", "ssh2-lazy.cjs") },
  {
    filter: /^\.\/session$/,
    importer: /dockerode[\\/]lib[\\/]docker\.js$/,
    standIn: join(runnerDir, "bundle", "dockerode-session-lazy.cjs"),
  },
  {
    filter: /^\.\/buildkit$/,
    importer: /dockerode[\\/]lib[\\/]docker\.js$/,
    standIn: join(runnerDir, "bundle", "dockerode-buildkit-lazy.cjs"),
  },
  {
    filter: /^\.\.\/locales\/index\.js$/,
    importer: /zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/,
    standIn: join(runnerDir, "bundle", "zod-locales-english.js"),
  },
];
const lazyRequires: Plugin = {
  name: "lazy-requires",
  setup(bundler) {
    for (const { filter, importer, standIn } of LAZY) {
      bundler.onResolve({ filter }, (args) => (importer.test(args.importer) ? { path: standIn } : undefined));
    }
  },
};

/**
 * Bundles the runner (TypeScript and its dependencies) into one JavaScript file: the runner
 * then runs on plain Node, without a TypeScript loader in the process, and loads only what the
 * runner uses. About a second; the file is self-contained, so it runs from anywhere.
 */
export async function bundleRunner(outfile: string): Promise<string> {
  await build({
    entryPoints: [join(runnerDir, "bundle", "runner-entry.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    banner: { js: COMMONJS_SHIMS },
    // No comments or indentation, names kept (stack traces still name functions). V8 keeps the
    // whole source in memory, as one byte per character only if all of it is ASCII: comments
    // are where non-ASCII text survives esbuild's escaping (`charset: "ascii"`).
    minifyWhitespace: true,
    charset: "ascii",
    // Optional native add-ons of ssh2: it falls back to JavaScript without them.
    external: ["cpu-features", "*.node"],
    plugins: [lazyRequires],
    define: { __DRAWBRIDGE_ROOT__: JSON.stringify(join(runnerDir, "..")) },
    logLevel: "warning",
  });
  return outfile;
}

// `npm run build`: dist/runner.mjs for `npm run runner`.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  await bundleRunner(process.argv[2] ?? join(runnerDir, "..", "dist", "runner.mjs"));
}
