import { ProgramStack } from "stackwright";
import { loadSettings } from "./settings";

// Validates before anything is created: a bad stack configuration creates nothing.
const settings = loadSettings();

// One ProgramStack per service instance, named for the environment (dev-orders-1, prod-orders-3):
// Kubernetes objects of different environments can never collide, even in one namespace.
const programStacks = Array.from({ length: settings.programStackCount }, (_, index) => {
  const name = `${settings.environment}-orders-${index + 1}`;
  return new ProgramStack(name, {
    componentSchemaPath: settings.componentSchemaPath,
    componentToken: settings.componentToken,
    inputs: { engine: "postgres", size: settings.databaseSize, password: settings.databasePassword },
    namespace: settings.namespace,
    backend: settings.backend,
    stack: `acme/orders-${index + 1}/${settings.environment}`,
    // stackwright:accessToken (this stack's encrypted config) supplies PULUMI_ACCESS_TOKEN.
    credentials: { AWS_SECRET_ACCESS_KEY: settings.awsSecretAccessKey },
    destroyOnFinalize: settings.destroyOnFinalize,
  });
});

export const environment = settings.environment;
export const namespace = settings.namespace;
export const stackNames = programStacks.map((programStack) => programStack.stackName);
