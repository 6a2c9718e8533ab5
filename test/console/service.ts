import type { JsonObject } from "@bufbuild/protobuf";
import { createPlatformClient, type PlatformClient } from "../../src/jobs/api/client";
import type { Role } from "../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import { type JobFixture, startJobFixture } from "../support/job-fixture";
import { TEST_TEMPLATE_INSTALLS } from "../support/platform-fixture";

/** A real service for a console test file: its URL, and a client with the operator's token. */
export interface ConsoleService {
  readonly fx: JobFixture;
  readonly url: string;
  readonly admin: PlatformClient;
}

export async function startConsoleService(serviceToken: string): Promise<ConsoleService> {
  const fx = await startJobFixture({
    stacks: {},
    settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS },
    server: { token: serviceToken },
  });
  const url = fx.server.url as string;
  return {
    fx,
    url,
    admin: createPlatformClient({ baseUrl: url, token: serviceToken, transport: "connect-json" }),
  };
}

/** A template's source of one Pulumi YAML file and its parameters' JSON Schema. */
export function yamlSource(pulumiYaml: string, parameters: JsonObject) {
  return { files: { "Pulumi.yaml": pulumiYaml }, dependencies: {}, parameters };
}

/** Creates `user` with `role` in `tenant` and issues them a token, which it returns. */
export async function userToken(
  admin: PlatformClient,
  tenant: string,
  user: string,
  role: Role,
): Promise<string> {
  await admin.governance.createUser({ name: user });
  await admin.governance.setMembership({ tenant, user, role });
  return (await admin.governance.issueToken({ user, name: "console" })).token;
}
