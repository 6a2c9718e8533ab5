import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Command } from "commander";
import {
  type AuditEntry,
  QueryAuditLogResponseSchema,
} from "../../jobs/api/gen/stackwright/platform/v1/platform_pb";
import { isoTime, positiveInteger } from "../flag-values";
import { timeText } from "../table";
import { type ApiFlags, apiAction, type PlatformCliIo } from "./command";
import { nameOr, tenantNames } from "./names";
import { printJson, printTable } from "./output";

interface AuditFlags extends ApiFlags {
  tenant?: string;
  since?: string;
  until?: string;
  limit: string;
}

const DEFAULT_LIMIT = 100;
/** The most entries the service answers at once. */
const MAX_PAGE = 500;

/** `stackwright audit`: who changed what, oldest first. */
export function registerAuditCommand(program: Command, io: PlatformCliIo): void {
  apiAction<AuditFlags>(
    program
      .command("audit")
      .description(
        "Show the audit log, oldest first: every change to tenants, users, tokens, templates, " +
          "constraints and stacks. A Provider Admin reads all of it; a Tenant Admin their tenant's.",
      )
      .option("--tenant <tenant>", "only this tenant's entries (name or id); a Tenant Admin must give it")
      .option("--since <time>", "entries at or after this ISO 8601 time, e.g. 2025-01-31T12:00:00Z")
      .option("--until <time>", "entries before this ISO 8601 time")
      .option("--limit <n>", "at most this many entries", String(DEFAULT_LIMIT)),
    io,
    async ({ flags, api }) => {
      const limit = positiveInteger("--limit", flags.limit);
      const from = flags.since === undefined ? undefined : timestampFromMs(isoTime("--since", flags.since));
      const to = flags.until === undefined ? undefined : timestampFromMs(isoTime("--until", flags.until));
      const client = api();
      const entries: AuditEntry[] = [];
      let pageToken = "";
      do {
        const page = await client.governance.queryAuditLog({
          tenant: flags.tenant ?? "",
          from,
          to,
          pageSize: Math.min(limit - entries.length, MAX_PAGE),
          pageToken,
        });
        entries.push(...page.entries);
        pageToken = page.nextPageToken;
      } while (pageToken !== "" && entries.length < limit);
      if (flags.json) {
        printJson(io, QueryAuditLogResponseSchema, create(QueryAuditLogResponseSchema, { entries }));
        return;
      }
      const tenants = await tenantNames(client);
      printTable(
        io,
        ["SEQ", "AT", "ACTOR", "TENANT", "ACTION", "TARGET"],
        entries.map((e) => [
          String(e.seq),
          timeText(e.at),
          e.actor,
          e.tenantId === "" ? "-" : nameOr(tenants, e.tenantId),
          e.action,
          e.target,
        ]),
        "no entries",
      );
    },
  );
}
