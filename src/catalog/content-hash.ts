import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json";

/**
 * A published template version's address: the SHA-256 of everything that makes it what it is —
 * language, files, dependencies, parameter schema — in canonical JSON, so equal content always
 * has the same hash, whatever order its keys came in.
 */
export function templateContentHash(content: {
  readonly language: string;
  readonly files: Readonly<Record<string, string>>;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly parameters: unknown;
}): string {
  const { language, files, dependencies, parameters } = content;
  return `sha256:${createHash("sha256").update(canonicalJson({ language, files, dependencies, parameters })).digest("hex")}`;
}
