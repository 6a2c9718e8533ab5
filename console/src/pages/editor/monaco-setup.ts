// Monaco, with only what the template editor uses: the editor, TypeScript's language service
// (in a worker), and the tokenizers of the catalogue's languages. Loaded lazily, with the editor's
// page: nothing of it is in the first page's script.
import * as monaco from "monaco-editor/editor/editor.api.js";
// TypeScript's mode, which brings the editor's contributions (find, suggestions, code lenses…) and
// the services they need, first: Monaco knows only the services registered before its first use
// (the languages registered below), and an editor made later would lack them.
import "monaco-editor/languages/features/typescript/tsMode.js";
import EditorWorker from "monaco-editor/editor/editor.worker.js?worker";
import TypeScriptWorker from "monaco-editor/language/typescript/ts.worker.js?worker";
import "monaco-editor/languages/definitions/python/register.js";
import "monaco-editor/languages/definitions/typescript/register.js";
import "monaco-editor/languages/definitions/yaml/register.js";
import { conf, language } from "monaco-editor/languages/definitions/typescript/typescript.js";
import {
  ModuleKind,
  ModuleResolutionKind,
  ScriptTarget,
  typescriptDefaults,
} from "monaco-editor/languages/features/typescript/register.js";
import { NODE_DECLARATIONS } from "./node-declarations";
import { PULUMI_DECLARATIONS } from "./pulumi-declarations";

// TypeScript's mode proper, a chunk of its own (Monaco imports it when the first TypeScript model
// is made): asked for now, so that it is in by then, not one more round trip later.
import("monaco-editor/languages/features/typescript/tsMode.js").catch(() => {
  // Asked for again by Monaco, which reports a failure.
});

// The workers are built by Vite as files of the console's own (/assets/…): no CDN, no blob.
// TypeScript's starts with the first TypeScript model. Started earlier (when the page opens), its
// 7 MiB of script compiled beside the editor's own chunk and put the code on screen later, not the
// first check earlier, on a machine of two cores.
self.MonacoEnvironment = {
  getWorker: (_id, label) =>
    label === "typescript" || label === "javascript" ? new TypeScriptWorker() : new EditorWorker(),
};

// As the service checks a template (src/jobs/workspace/template-code-check/typescript-check.ts):
// strict, CommonJS modules resolved the Node way, so that `@pulumi/pulumi` is the SDK's declarations.
typescriptDefaults.setCompilerOptions({
  strict: true,
  noEmit: true,
  target: ScriptTarget.ESNext,
  lib: ["es2022"],
  module: ModuleKind.CommonJS,
  moduleResolution: ModuleResolutionKind.NodeJs,
  esModuleInterop: true,
  skipLibCheck: true,
  allowNonTsExtensions: true,
});
// Every model is known to the worker at once, so that one file's imports of another resolve.
typescriptDefaults.setEagerModelSync(true);
for (const [path, text] of Object.entries(PULUMI_DECLARATIONS))
  typescriptDefaults.addExtraLib(text, `file:///node_modules/@pulumi/pulumi/${path}`);
for (const [path, text] of Object.entries(NODE_DECLARATIONS))
  typescriptDefaults.addExtraLib(text, `file:///node_modules/@types/node/${path}`);

/**
 * TypeScript's colours without its language service: for text only read (a version's file in a
 * diff, a schema's JSON), which TypeScript's worker would otherwise take into the program it checks
 * and mark.
 */
const TYPESCRIPT_TEXT = "typescript-text";
monaco.languages.register({ id: TYPESCRIPT_TEXT });
monaco.languages.setMonarchTokensProvider(TYPESCRIPT_TEXT, language);
monaco.languages.setLanguageConfiguration(TYPESCRIPT_TEXT, conf);

const EXTENSIONS: Record<string, string> = { ts: "typescript", py: "python", yaml: "yaml", yml: "yaml" };

function extensionOf(path: string): string {
  const name = path.split("/").pop() ?? "";
  return name.includes(".") ? (name.split(".").pop() ?? "") : "";
}

/** The language a template's file is edited in, by its extension; plain text when none fits. */
export function languageOf(path: string): string {
  return EXTENSIONS[extensionOf(path)] ?? "plaintext";
}

/** The language a file only read is shown in: the same colours, nothing checked. */
export function readOnlyLanguageOf(path: string): string {
  const extension = extensionOf(path);
  if (extension === "ts" || extension === "json") return TYPESCRIPT_TEXT;
  return languageOf(path);
}

export { monaco };
