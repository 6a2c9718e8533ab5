import * as pulumi from "@pulumi/pulumi";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** What differs between environments unless a stack file overrides it. */
interface Profile {
  readonly programStackCount: number;
  readonly databaseSize: number;
  readonly destroyOnFinalize: boolean;
}

const PROFILES: Record<Environment, Profile> = {
  dev: { programStackCount: 1, databaseSize: 10, destroyOnFinalize: true },
  staging: { programStackCount: 2, databaseSize: 20, destroyOnFinalize: true },
  // Never let deleting a Stack object destroy production resources.
  prod: { programStackCount: 3, databaseSize: 100, destroyOnFinalize: false },
};

const MAX_PROGRAM_STACKS = 10;

export interface PlatformSettings extends Profile {
  readonly environment: Environment;
  readonly namespace: string;
  readonly backend: string;
  readonly componentSchemaPath: string;
  readonly componentToken: string;
  readonly databasePassword: pulumi.Output<string>;
  readonly awsSecretAccessKey: pulumi.Output<string>;
}

/**
 * This stack's settings: project defaults (Pulumi.yaml), then the environment's profile, then the
 * stack file (Pulumi.<stack>.yaml). Every problem is reported at once, each naming the key and
 * the command that fixes it; production is refused until it is confirmed.
 */
export function loadSettings(stackName: string = pulumi.getStack()): PlatformSettings {
  const config = new pulumi.Config("platform");
  const problems: string[] = [];
  const required = (key: string, example: string): string => {
    const value = config.get(key);
    if (value === undefined || value.trim() === "")
      problems.push(
        `platform:${key}: is required; set it with: pulumi config set platform:${key} ${example}`,
      );
    return value ?? "";
  };
  const requiredSecret = (key: string): pulumi.Output<string> => {
    const value = config.getSecret(key);
    if (value === undefined)
      problems.push(
        `platform:${key}: is required; set it, encrypted, with: pulumi config set --secret platform:${key} (value on standard input)`,
      );
    return value ?? pulumi.secret("");
  };

  const environment = required("environment", "<dev|staging|prod>");
  const known = (ENVIRONMENTS as readonly string[]).includes(environment);
  if (environment !== "" && !known)
    problems.push(
      `platform:environment: unknown environment '${environment}'; set it to one of ${ENVIRONMENTS.join(", ")}`,
    );
  if (known && environment !== stackName)
    problems.push(
      `platform:environment: is '${environment}' but the selected stack is '${stackName}'; select the stack you mean: pulumi stack select ${environment}`,
    );
  const profile = PROFILES[known ? (environment as Environment) : "dev"];
  const namespace = required("namespace", `orders-${stackName}`);
  const backend = required("backend", "s3://<state-bucket>");
  const programStackCount = wholeNumber(config.get("programStackCount"), profile.programStackCount, problems);
  const databasePassword = requiredSecret("databasePassword");
  const awsSecretAccessKey = requiredSecret("awsSecretAccessKey");
  if (environment === "prod" && config.get("confirmProduction") !== "true")
    problems.push(
      "platform:confirmProduction: prod is refused until you confirm it: pulumi config set platform:confirmProduction true --stack prod",
    );
  if (problems.length > 0) throw new pulumi.RunError(`invalid stack configuration:\n${problems.join("\n")}`);

  return {
    ...profile,
    programStackCount,
    environment: environment as Environment,
    namespace,
    backend,
    componentSchemaPath: config.require("componentSchemaPath"),
    componentToken: config.require("componentToken"),
    databasePassword,
    awsSecretAccessKey,
  };
}

function wholeNumber(text: string | undefined, fallback: number, problems: string[]): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > MAX_PROGRAM_STACKS) {
    problems.push(
      `platform:programStackCount: must be a whole number from 1 to ${MAX_PROGRAM_STACKS}, got '${text}'`,
    );
    return fallback;
  }
  return value;
}
