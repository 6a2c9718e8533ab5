/**
 * What the editor's TypeScript knows of Node, where a template's program runs, so that it does not
 * mark `process`, `Buffer` or `setTimeout`, which the service's check (with all of @types/node)
 * accepts. All of @types/node is 2.4 MB of declarations, which put TypeScript's first check of the
 * code shown some 0.8 s later; so the editor has the files that declare Node's globals, and every
 * other built-in module (`fs`, `node:path`, …) as an untyped module: imported, never marked, its
 * use checked by the service on save.
 */
const files = import.meta.glob<string>(
  [
    "../../../../node_modules/@types/node/{globals,globals.typedarray,buffer.buffer,buffer,process,timers,console,events}.d.ts",
    "../../../../node_modules/@types/node/{web-globals,compatibility}/*.d.ts",
  ],
  { eager: true, query: "?raw", import: "default" },
);

const PREFIX = "node_modules/@types/node/";

/** The modules the files above declare, with their types. */
const TYPED_MODULES = new Set(["buffer", "console", "events", "process", "timers"]);

/** Node's built-in modules without their types, each as `any`. */
const untypedModules = NODE_BUILTIN_MODULES.filter((name) => !TYPED_MODULES.has(name))
  // Some are only ever named with the scheme (node:test, node:sqlite).
  .flatMap((name) => (name.startsWith("node:") ? [name] : [name, `node:${name}`]))
  .map((name) => `declare module ${JSON.stringify(name)};`)
  .join("\n");

export const NODE_DECLARATIONS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    Object.entries(files).map(([path, text]) => [path.slice(path.indexOf(PREFIX) + PREFIX.length), text]),
  ),
  "untyped-modules.d.ts": untypedModules,
};
