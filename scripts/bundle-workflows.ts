/**
 * npm run build's last step: the deployment workflows bundled once for Temporal's workers
 * (src/jobs/deployments/workflow-bundle.ts), so that `serve` starts without running webpack.
 */
import { writeWorkflowBundle } from "../src/jobs/deployments/workflow-bundle";

writeWorkflowBundle().then(
  () => undefined,
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
