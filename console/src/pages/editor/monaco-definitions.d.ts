// Monaco ships no declarations for its languages' tokenizer modules; this one's shape is its own
// (Monarch's), read by monaco-setup.ts to colour TypeScript without TypeScript's language service.
declare module "monaco-editor/languages/definitions/typescript/typescript.js" {
  import type { languages } from "monaco-editor/editor/editor.api.js";
  export const conf: languages.LanguageConfiguration;
  export const language: languages.IMonarchLanguage;
}
