import { createHash } from "node:crypto";
import { canonicalJson } from "../../catalog/canonical-json";

/**
 * What an approval is bound to: the template version's content hash, the stack's plain parameters
 * and the saved plan's text. Secret parameters are left out on purpose — a hash shown to approvers
 * must not let anyone test guesses of a secret — and the plan carries them encrypted anyway.
 */
export function planHash(binding: {
  readonly contentHash: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly plan: string;
}): string {
  const digest = createHash("sha256")
    .update(canonicalJson({ version: binding.contentHash, parameters: binding.parameters }))
    .update("\u0000")
    .update(binding.plan)
    .digest("hex");
  return `sha256:${digest}`;
}
