import * as k8s from "@pulumi/kubernetes";
import { ProgramStack } from "stackwright";
import { loadSettings } from "./settings";

// Validates before anything is created: a bad stack configuration creates nothing.
const settings = loadSettings();

// The environment's own namespace: deleting the stack deletes everything in it.
const environmentNamespace = new k8s.core.v1.Namespace(settings.namespace, {
  metadata: {
    name: settings.namespace,
    labels: { "platform.example.com/environment": settings.environment },
  },
});

// One ProgramStack per service instance, named for the environment (dev-orders-1, prod-orders-3):
// Kubernetes objects of different environments can never collide, even in one namespace.
const programStacks = Array.from({ length: settings.programStackCount }, (_, index) => {
  const name = `${settings.environment}-orders-${index + 1}`;
  return new ProgramStack(name, {
    componentSchemaPath: settings.componentSchemaPath,
    componentToken: settings.componentToken,
    inputs: { engine: "postgres", size: settings.databaseSize, password: settings.databasePassword },
    // From the Namespace, so that the objects are created only once it exists.
    namespace: environmentNamespace.metadata.name,
    backend: settings.backend,
    // The operator names the Pulumi project after the Program, so the stack is named by the
    // environment alone: organization/<program-name>/dev on the state backend.
    stack: settings.environment,
    // stackwright:accessToken (this stack's encrypted config) supplies PULUMI_ACCESS_TOKEN.
    credentials: { AWS_SECRET_ACCESS_KEY: settings.awsSecretAccessKey },
    destroyOnFinalize: settings.destroyOnFinalize,
  });
});

export const environment = settings.environment;
export const namespace = settings.namespace;
export const stackNames = programStacks.map((programStack) => programStack.stackName);
