import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { Command } from "commander";
import {
  type ApiToken,
  IssueTokenResponseSchema,
  ListTokensResponseSchema,
  RevokeTokenResponseSchema,
} from "../../jobs/api/gen/stackwright/platform/v1/platform_pb";
import { positiveInteger, required } from "../flag-values";
import { timeText } from "../table";
import { type ApiFlags, apiAction, type PlatformCliIo } from "./command";
import { nameOr, userNames } from "./names";
import { printJson, printTable } from "./output";

interface IssueFlags extends ApiFlags {
  name?: string;
  user?: string;
  expiresInDays?: string;
}

/** The service's bounds on a token's life, in days. */
const MAX_TOKEN_DAYS = 366;

/** `stackwright tokens …`: users' API tokens. */
export function registerTokenCommands(program: Command, io: PlatformCliIo): void {
  const tokens = program.command("tokens").description("Issue, list and revoke users' API tokens.");

  apiAction<IssueFlags>(
    tokens
      .command("issue")
      .description(
        "Issue an API token and print it, alone, on stdout: it is shown this once and can never be " +
          "read again. The note saying so goes to stderr, so `$(stackwright tokens issue …)` captures " +
          "the token only.",
      )
      .option("--name <name>", "what the token is for, to tell it apart; required")
      .option(
        "--user <user>",
        "the user (name or id) it is for; only a Provider Admin names another (default: you)",
      )
      .option("--expires-in-days <days>", `1 to ${MAX_TOKEN_DAYS} (default: 90)`)
      .addHelpText(
        "after",
        "\nExample:\n  export STACKWRIGHT_API_TOKEN=$(stackwright tokens issue --name ci --user alice)",
      ),
    io,
    async ({ flags, api }) => {
      const name = required("--name", flags.name);
      const expiresInDays =
        flags.expiresInDays === undefined
          ? 0
          : positiveInteger("--expires-in-days", flags.expiresInDays, MAX_TOKEN_DAYS);
      const answer = await api().governance.issueToken({ name, user: flags.user ?? "", expiresInDays });
      if (flags.json) printJson(io, IssueTokenResponseSchema, answer);
      else io.log(answer.token);
      const info = answer.info;
      io.err(
        `stackwright: token ${info?.id ?? ""} issued, expires ${timeText(info?.expiresAt)}; it is shown only ` +
          "this once: keep it now (revoke it with `stackwright tokens revoke`)",
      );
    },
  );

  apiAction<ApiFlags & { user?: string }>(
    tokens
      .command("list")
      .description("List a user's tokens, never their text.")
      .option("--user <user>", "the user (name or id); only a Provider Admin names another (default: you)"),
    io,
    async ({ flags, api }) => {
      const client = api();
      const answer = await client.governance.listTokens({ user: flags.user ?? "" });
      if (flags.json) {
        printJson(io, ListTokensResponseSchema, answer);
        return;
      }
      const users = await userNames(client);
      printTable(
        io,
        ["ID", "NAME", "USER", "STATE", "CREATED", "EXPIRES"],
        answer.tokens.map((t) => [
          t.id,
          t.name,
          nameOr(users, t.userId),
          tokenState(t),
          timeText(t.createdAt),
          timeText(t.expiresAt),
        ]),
        "no tokens",
      );
    },
  );

  apiAction<ApiFlags>(
    tokens
      .command("revoke")
      .description("Revoke a token: it is refused from now on.")
      .argument("<id>", "the token's id, as `tokens list` shows it"),
    io,
    async ({ flags, args, api }) => {
      const answer = await api().governance.revokeToken({ id: args[0] as string });
      if (flags.json) printJson(io, RevokeTokenResponseSchema, answer);
      else io.log(`token ${args[0]} revoked`);
    },
  );
}

function tokenState(token: ApiToken): string {
  if (token.revokedAt !== undefined) return `revoked ${timeText(token.revokedAt)}`;
  if (token.expiresAt !== undefined && timestampMs(token.expiresAt) <= Date.now()) return "expired";
  return "active";
}
