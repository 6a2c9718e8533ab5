import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { toYaml } from "../../core/yaml";
import { parseServiceConfig, type ServiceConfig } from "./service-config";

/**
 * What `stackwright serve` runs with no configuration file: one small Pulumi YAML project,
 * `hello`, made of the engine's built-in Stash resources (so it needs no provider plugin and no
 * cloud), on two stacks with a file backend in the data directory. Each stack gets its own
 * random passphrase, written once to a file only the user can read.
 */
export const EMBEDDED_STACKS = ["organization/hello/dev", "organization/hello/staging"] as const;

const HELLO_PROJECT = {
  name: "hello",
  runtime: "yaml",
  description: "Stackwright's embedded example: built-in Stash resources, no provider plugin needed.",
  config: { greeting: { type: "string", default: "hello" } },
  resources: Object.fromEntries(
    ["network", "database", "service"].map((name) => [
      name,
      { type: "pulumi:index:Stash", properties: { input: `\${greeting} from ${name} on \${pulumi.stack}` } },
    ]),
  ),
  outputs: { service: "${service.output}" },
};

export function embeddedServiceConfig(dataDir: string, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const root = resolve(dataDir);
  const project = join(root, "workloads", "hello");
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, "Pulumi.yaml"), toYaml(HELLO_PROJECT));
  const secrets = join(root, "secrets");
  mkdirSync(secrets, { recursive: true, mode: 0o700 });
  mkdirSync(join(root, "state"), { recursive: true });
  const stacks: Record<string, unknown> = {};
  for (const name of EMBEDDED_STACKS) {
    const file = join(secrets, `${name.replaceAll("/", "-")}.passphrase`);
    if (!existsSync(file))
      writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600, flag: "wx" });
    stacks[name] = {
      workload: "hello",
      passphrase: { fromFile: file },
      config: { greeting: name.endsWith("dev") ? "hello" : "good day" },
    };
  }
  return parseServiceConfig({ dataDir: root, workloads: { hello: { project } }, stacks }, root, env);
}
