// Monaco ships no declarations for its languages' modules. The TypeScript tokenizer's shape is
// Monarch's, read by monaco-setup.ts to colour TypeScript without TypeScript's language service;
// TypeScript's mode is only imported ahead of Monaco's own import of it.
declare module "monaco-editor/languages/features/typescript/tsMode.js";

declare module "monaco-editor/languages/definitions/typescript/typescript.js" {
  import type { languages } from "monaco-editor/editor/editor.api.js";
  export const conf: languages.LanguageConfiguration;
  export const language: languages.IMonarchLanguage;
}
