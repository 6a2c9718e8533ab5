import { createPlatformClient, type PlatformClient } from "../../src/jobs/api/client";
import { Role } from "../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import { type JobFixture, startJobFixture } from "./job-fixture";
import { TEST_TEMPLATE_INSTALLS } from "./platform-fixture";

/**
 * A service answering the platform API with `serviceToken`, its client, and a tenant with one
 * Tenant Admin: what the CLI tests drive the `stackwright` command against.
 */
export async function servedPlatform(
  serviceToken: string,
  member: { tenant: string; user: string },
): Promise<{ fx: JobFixture; api: PlatformClient; memberToken: string }> {
  const fx = await startJobFixture({
    stacks: {},
    settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS },
    server: { token: serviceToken },
  });
  const api = createPlatformClient({
    baseUrl: fx.server.url as string,
    token: serviceToken,
    transport: "connect-json",
  });
  await api.governance.createTenant({ name: member.tenant });
  await api.governance.createUser({ name: member.user });
  await api.governance.setMembership({ tenant: member.tenant, user: member.user, role: Role.TENANT_ADMIN });
  const { token } = await api.governance.issueToken({ user: member.user, name: "test" });
  return { fx, api, memberToken: token };
}
