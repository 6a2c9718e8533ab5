import type { Command } from "commander";
import { ListUsersResponseSchema, UserSchema } from "../../jobs/api/gen/stackwright/platform/v1/platform_pb";
import { timeText } from "../table";
import { type ApiFlags, apiAction, type PlatformCliIo } from "./command";
import { printJson, printTable } from "./output";

/** `stackwright users …`: the platform's users (Provider Admin). */
export function registerUserCommands(program: Command, io: PlatformCliIo): void {
  const users = program.command("users").description("Create and list users (Provider Admin).");

  apiAction<ApiFlags>(users.command("list").description("List users."), io, async ({ flags, api }) => {
    const answer = await api().governance.listUsers({});
    if (flags.json) printJson(io, ListUsersResponseSchema, answer);
    else
      printTable(
        io,
        ["NAME", "PROVIDER ADMIN", "ID", "CREATED"],
        answer.users.map((u) => [u.name, u.providerAdmin ? "yes" : "no", u.id, timeText(u.createdAt)]),
        "no users",
      );
  });

  apiAction<ApiFlags & { providerAdmin: boolean }>(
    users
      .command("create")
      .description(
        "Create a user; give them roles with `tenants add-member` and a token with `tokens issue`.",
      )
      .argument("<name>", "the user's name: lower-case letters, digits and '-'")
      .option("--provider-admin", "Provider Admin: every permission in every tenant", false),
    io,
    async ({ flags, args, api }) => {
      const user = await api().governance.createUser({
        name: args[0] as string,
        providerAdmin: flags.providerAdmin,
      });
      if (flags.json) printJson(io, UserSchema, user);
      else io.log(`user ${user.name} created (${user.id})${user.providerAdmin ? ", Provider Admin" : ""}`);
    },
  );
}
