import { Client, Connection, WorkflowExecutionAlreadyStartedError } from "@temporalio/client";
import { DefaultLogger, NativeConnection, Runtime, Worker } from "@temporalio/worker";
import {
  DECISION_SIGNAL,
  type DecisionSignal,
  type DeploymentActivities,
  type DeploymentInput,
  type DeploymentWorkflows,
} from "../domain/deployment";
import type { UpgradeActivities, UpgradeWorkflows } from "../domain/upgrade";
import type { TemporalEndpoint } from "../temporal/endpoint";
import { WORKFLOW_OF_KIND } from "../workflows/workflow-names";
import { upgradeWorkflowsOn } from "./upgrade-workflows";
import { workflowBundle } from "./workflow-bundle";

/** The workflow id of a deployment: one workflow per deployment, whoever starts it. */
export const workflowIdOf = (deploymentId: string) => `stackwright-deployment-${deploymentId}`;

let runtimeInstalled = false;
/**
 * The SDK's runtime, installed once per process before the first worker, logging warnings and
 * errors only: its routine state changes are not the service's output.
 */
function installRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger("WARN") });
  } catch {
    // Installed already by the embedding process (a test harness): its choice stands.
  }
}

export interface TemporalDeployments extends DeploymentWorkflows, UpgradeWorkflows {
  close(): Promise<void>;
}

/**
 * The deployment workflows on Temporal: a worker polling `taskQueue` with the activities given,
 * and the client that starts workflows and signals them.
 */
export async function startTemporalDeployments(options: {
  readonly endpoint: TemporalEndpoint;
  readonly taskQueue: string;
  readonly activities: DeploymentActivities & UpgradeActivities;
  /** Run the worker here (default true); without it this process only starts and signals. */
  readonly worker?: boolean;
}): Promise<TemporalDeployments> {
  const { endpoint, taskQueue } = options;
  const tls = endpoint.tls === undefined ? {} : { tls: endpoint.tls };
  const connection = await Connection.connect({ address: endpoint.address, ...tls });
  const client = new Client({ connection, namespace: endpoint.namespace });
  let stopWorker = async () => {};
  try {
    if (options.worker !== false) {
      installRuntime();
      const nativeConnection = await NativeConnection.connect({ address: endpoint.address, ...tls });
      const worker = await Worker.create({
        connection: nativeConnection,
        namespace: endpoint.namespace,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities: { ...options.activities },
      });
      const running = worker.run();
      stopWorker = async () => {
        worker.shutdown();
        await running.catch(() => undefined);
        await nativeConnection.close();
      };
    }
  } catch (error) {
    await connection.close();
    throw error;
  }
  return {
    ...upgradeWorkflowsOn(client, taskQueue),
    async start(input: DeploymentInput) {
      try {
        await client.workflow.start(WORKFLOW_OF_KIND[input.kind], {
          taskQueue,
          workflowId: workflowIdOf(input.deploymentId),
          args: [input],
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },
    async signalDecision(deploymentId: string, decision: DecisionSignal) {
      await client.workflow.getHandle(workflowIdOf(deploymentId)).signal(DECISION_SIGNAL, decision);
    },
    async close() {
      await stopWorker();
      await connection.close();
    },
  };
}
