import type { Command } from "commander";
import {
  ListMembershipsResponseSchema,
  ListTenantsResponseSchema,
  MembershipSchema,
  RemoveMembershipResponseSchema,
  TenantSchema,
} from "../../jobs/api/gen/stackwright/platform/v1/platform_pb";
import { required } from "../flag-values";
import { timeText } from "../table";
import { type ApiFlags, apiAction, type PlatformCliIo } from "./command";
import { ROLES } from "./enum-words";
import { nameOr, userNames } from "./names";
import { printJson, printTable } from "./output";

/** `stackwright tenants …`: tenants and who holds which role in them. */
export function registerTenantCommands(program: Command, io: PlatformCliIo): void {
  const tenants = program
    .command("tenants")
    .description("Create and list tenants, and manage their members' roles.");

  apiAction<ApiFlags>(
    tenants.command("list").description("List tenants: every one for a Provider Admin, else your own."),
    io,
    async ({ flags, api }) => {
      const answer = await api().governance.listTenants({});
      if (flags.json) printJson(io, ListTenantsResponseSchema, answer);
      else
        printTable(
          io,
          ["NAME", "DISPLAY NAME", "ID", "CREATED"],
          answer.tenants.map((t) => [t.name, t.displayName, t.id, timeText(t.createdAt)]),
          "no tenants",
        );
    },
  );

  apiAction<ApiFlags & { displayName?: string }>(
    tenants
      .command("create")
      .description("Create a tenant (Provider Admin).")
      .argument("<name>", "the tenant's name: lower-case letters, digits and '-'")
      .option("--display-name <text>", "the name shown to users"),
    io,
    async ({ flags, args, api }) => {
      const tenant = await api().governance.createTenant({
        name: args[0] as string,
        displayName: flags.displayName ?? "",
      });
      if (flags.json) printJson(io, TenantSchema, tenant);
      else io.log(`tenant ${tenant.name} created (${tenant.id})`);
    },
  );

  apiAction<ApiFlags>(
    tenants
      .command("members")
      .description(
        "List a tenant's members and their roles (users by name for a Provider Admin, else by id).",
      )
      .argument("<tenant>", "the tenant (name or id)"),
    io,
    async ({ flags, args, api }) => {
      const client = api();
      const answer = await client.governance.listMemberships({ tenant: args[0] as string });
      if (flags.json) {
        printJson(io, ListMembershipsResponseSchema, answer);
        return;
      }
      const users = await userNames(client);
      printTable(
        io,
        ["USER", "ROLE", "SINCE"],
        answer.memberships.map((m) => [nameOr(users, m.userId), ROLES.text(m.role), timeText(m.createdAt)]),
        "no members",
      );
    },
  );

  apiAction<ApiFlags & { role?: string }>(
    tenants
      .command("add-member")
      .description(
        "Give a user a role in a tenant, replacing the one they hold (Provider Admin, or the tenant's Tenant Admin).",
      )
      .argument("<tenant>", "the tenant (name or id)")
      .argument("<user>", "the user (name or id)")
      .option("--role <role>", `one of ${ROLES.words.join(", ")}; required`),
    io,
    async ({ flags, args, api }) => {
      const role = ROLES.parse("--role", required("--role", flags.role));
      const [tenant, user] = args as [string, string];
      const membership = await api().governance.setMembership({ tenant, user, role });
      if (flags.json) printJson(io, MembershipSchema, membership);
      else io.log(`${user} is ${ROLES.text(membership.role)} in ${tenant}`);
    },
  );

  apiAction<ApiFlags>(
    tenants
      .command("remove-member")
      .description("Take a user's role in a tenant away.")
      .argument("<tenant>", "the tenant (name or id)")
      .argument("<user>", "the user (name or id)"),
    io,
    async ({ flags, args, api }) => {
      const [tenant, user] = args as [string, string];
      const answer = await api().governance.removeMembership({ tenant, user });
      if (flags.json) printJson(io, RemoveMembershipResponseSchema, answer);
      else io.log(`${user} removed from ${tenant}`);
    },
  );
}
