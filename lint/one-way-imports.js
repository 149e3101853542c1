// ESLint rules that keep the code's layers reading one way (see README "Layout"):
// - `import-cycle`: no file may reach itself through its imports, type-only imports included
//   (a type import still ties two modules' designs together, and it is how cycles hide);
// - `layer-boundary`: worker/ and runner/ never import each other; shared/ imports neither,
//   nor test/ or bench/, nor any `node:` module (it must run in workerd and Node alike);
//   product code never imports test/ or bench/.
// The import graph is read from disk with TypeScript's own import scanner, once per file per run.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import ts from "typescript";

const EXTENSIONS = [".ts", ".mts", ".tsx", ".js", ".mjs", ".cjs"];

/** path → { mtimeMs, imports: { specifier, target, pos }[] } */
const scanned = new Map();

function resolveRelative(fromFile, specifier) {
  if (!specifier.startsWith(".")) return null;
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.(m|c)?js$/, "");
  const candidates = [base, ...EXTENSIONS.map((ext) => stem + ext), ...EXTENSIONS.map((ext) => `${base}/index${ext}`)];
  return candidates.find((path) => existsSync(path) && statSync(path).isFile()) ?? null;
}

/** Every import of a file: static, type-only, re-exports and dynamic `import()`. */
function importsOf(file, text) {
  const mtimeMs = text === undefined ? statSync(file).mtimeMs : -1;
  const cached = scanned.get(file);
  if (cached && text === undefined && cached.mtimeMs === mtimeMs) return cached.imports;
  const source = text ?? readFileSync(file, "utf8");
  const info = ts.preProcessFile(source, true, true);
  const imports = info.importedFiles.map((ref) => ({ specifier: ref.fileName, target: resolveRelative(file, ref.fileName), pos: ref.pos }));
  if (text === undefined) scanned.set(file, { mtimeMs, imports });
  return imports;
}

/** The shortest chain of imports from `start` back to `file`, or null. */
function pathBack(file, start) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === file) {
      const chain = [];
      for (let at = current; at !== null; at = previous.get(at)) chain.unshift(at);
      return chain;
    }
    for (const { target } of importsOf(current)) {
      if (target && !previous.has(target)) {
        previous.set(target, current);
        queue.push(target);
      }
    }
  }
  return null;
}

function locOf(sourceCode, pos) {
  return sourceCode.getLocFromIndex(Math.max(0, pos));
}

function topFolder(root, file) {
  const rel = relative(root, file);
  return rel.startsWith("..") ? null : rel.split(sep)[0];
}

const importCycle = {
  meta: {
    type: "problem",
    docs: { description: "No import cycles, type-only imports included." },
    schema: [],
    messages: { cycle: "Import cycle: {{chain}}. Make the flow read one way (move the shared part down a layer, or pass an interface)." },
  },
  create(context) {
    return {
      Program() {
        const file = context.filename;
        const cwd = context.cwd;
        for (const { target, pos } of importsOf(file, context.sourceCode.text)) {
          if (!target) continue;
          const chain = target === file ? [file] : pathBack(file, target);
          if (!chain) continue;
          const names = [file, ...chain].map((path) => relative(cwd, path));
          context.report({ loc: locOf(context.sourceCode, pos), messageId: "cycle", data: { chain: names.join(" → ") } });
          return; // one report per file is enough to find the cycle
        }
      },
    };
  },
};

const FORBIDDEN = {
  worker: ["runner"],
  runner: ["worker"],
  shared: ["worker", "runner", "test", "bench"],
};
const PRODUCT = new Set(["worker", "runner", "shared"]);

const layerBoundary = {
  meta: {
    type: "problem",
    docs: { description: "worker/ and runner/ never import each other; shared/ imports neither (nor node: modules)." },
    schema: [],
    messages: {
      across: "{{from}}/ must not import {{to}}/ ({{specifier}}): {{why}}",
      nodeInShared: "shared/ must not import {{specifier}}: shared code runs in workerd and Node alike.",
    },
  },
  create(context) {
    return {
      Program() {
        const file = context.filename;
        const from = topFolder(context.cwd, file);
        if (!from) return;
        for (const { specifier, target, pos } of importsOf(file, context.sourceCode.text)) {
          const loc = locOf(context.sourceCode, pos);
          if (from === "shared" && specifier.startsWith("node:")) {
            context.report({ loc, messageId: "nodeInShared", data: { specifier } });
            continue;
          }
          if (!target) continue;
          const to = topFolder(context.cwd, target);
          if (!to || to === from) continue;
          const forbidden = (FORBIDDEN[from] ?? []).includes(to) || (PRODUCT.has(from) && (to === "test" || to === "bench"));
          if (!forbidden) continue;
          const why =
            from === "shared"
              ? "shared/ is the bottom layer both halves import"
              : PRODUCT.has(from) && !PRODUCT.has(to)
                ? "product code never depends on tests"
                : "the two halves share code only through shared/";
          context.report({ loc, messageId: "across", data: { from, to, specifier, why } });
        }
      },
    };
  },
};

export default { meta: { name: "drawbridge-one-way-imports" }, rules: { "import-cycle": importCycle, "layer-boundary": layerBoundary } };
