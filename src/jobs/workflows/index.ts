/**
 * Every workflow the service's Temporal worker runs, by the name it is started with. This module
 * and what it imports run inside Temporal's deterministic sandbox: no I/O, no clocks, no randomness
 * of their own — side effects are activities (src/jobs/deployments).
 */
export { deployStack } from "./deploy-workflow";
export { destroyStack } from "./destroy-workflow";
export { previewStack } from "./preview-workflow";
export { upgradeStacks } from "./upgrade-workflow";
