import type { DeploymentKind } from "../domain/deployment";

/** The workflow each kind of deployment runs, by its registered name (index.ts exports them). */
export const WORKFLOW_OF_KIND: Readonly<Record<DeploymentKind, string>> = {
  deploy: "deployStack",
  preview: "previewStack",
  destroy: "destroyStack",
};
