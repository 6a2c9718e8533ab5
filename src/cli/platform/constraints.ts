import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { Command } from "commander";
import {
  ConstraintSchema,
  ListConstraintsResponseSchema,
  RemoveConstraintResponseSchema,
} from "../../jobs/api/gen/stackwright/platform/v1/platform_pb";
import { readObjectFile, required } from "../flag-values";
import { timeText } from "../table";
import { type ApiFlags, apiAction, type PlatformCliIo } from "./command";
import { nameOr, templateNames } from "./names";
import { jsonText, printJson, printTable } from "./output";

interface ConstraintFlags extends ApiFlags {
  tenant?: string;
  template?: string;
  file?: string;
}

/** `stackwright constraints …`: what each tenant may do with each template. */
export function registerConstraintCommands(program: Command, io: PlatformCliIo): void {
  const constraints = program
    .command("constraints")
    .description(
      "Set, remove and list a tenant's constraints on templates: whether it may deploy one, how " +
        "many stacks of it, and narrower limits on its parameters.",
    );

  apiAction<ConstraintFlags>(
    constraints
      .command("list")
      .description("List a tenant's constraints.")
      .option("--tenant <tenant>", "the tenant (name or id); required"),
    io,
    async ({ flags, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const client = api();
      const answer = await client.governance.listConstraints({ tenant });
      if (flags.json) {
        printJson(io, ListConstraintsResponseSchema, answer);
        return;
      }
      // A tenant sees only the templates it may deploy: an `allowed: false` one keeps its id.
      const templates = await templateNames(client, tenant);
      printTable(
        io,
        ["TEMPLATE", "ALLOWED", "MAX INSTANCES", "PARAMETERS", "UPDATED", "BY"],
        answer.constraints.map((c) => {
          const constraint = c.constraint ?? {};
          return [
            nameOr(templates, c.templateId),
            constraint.allowed === false ? "no" : "yes",
            typeof constraint.maxInstances === "number" ? String(constraint.maxInstances) : "no limit",
            parameterLimits(constraint.parameters),
            timeText(c.updatedAt),
            c.updatedBy,
          ];
        }),
        "no constraints",
      );
    },
  );

  apiAction<ConstraintFlags>(
    constraints
      .command("set")
      .description("Set a tenant's constraint on a template, replacing the one there is.")
      .option("--template <template>", "the template (name or id); required")
      .option("--tenant <tenant>", "the tenant (name or id); required")
      .option(
        "--file <file>",
        "the constraint, JSON or YAML: {allowed, maxInstances, parameters: {name: {minimum, " +
          "maximum, allowedValues, pattern}}}; required",
      )
      .addHelpText(
        "after",
        "\nExample constraint.yaml:\n  maxInstances: 3\n  parameters:\n    region: { allowedValues: [eu-west-1] }",
      ),
    io,
    async ({ flags, api }) => {
      const template = required("--template", flags.template);
      const tenant = required("--tenant", flags.tenant);
      const constraint = readObjectFile("--file", required("--file", flags.file)) as JsonObject;
      const answer = await api().governance.setConstraint({ template, tenant, constraint });
      if (flags.json) printJson(io, ConstraintSchema, answer);
      else io.log(`constraint on ${template} set for tenant ${tenant}`);
    },
  );

  apiAction<ConstraintFlags>(
    constraints
      .command("remove")
      .description("Remove a tenant's constraint on a template: the template's own limits apply again.")
      .option("--template <template>", "the template (name or id); required")
      .option("--tenant <tenant>", "the tenant (name or id); required"),
    io,
    async ({ flags, api }) => {
      const template = required("--template", flags.template);
      const tenant = required("--tenant", flags.tenant);
      const answer = await api().governance.removeConstraint({ template, tenant });
      if (flags.json) printJson(io, RemoveConstraintResponseSchema, answer);
      else io.log(`constraint on ${template} removed for tenant ${tenant}`);
    },
  );
}

/** `region: allowedValues ["eu-west-1"]; size: minimum 1, maximum 4`, or `-`. */
function parameterLimits(parameters: JsonValue | undefined): string {
  if (parameters === null || typeof parameters !== "object" || Array.isArray(parameters)) return "-";
  const text = Object.entries(parameters)
    .map(([name, limits]) => {
      const rules =
        limits !== null && typeof limits === "object" && !Array.isArray(limits)
          ? Object.entries(limits).map(([rule, value]) => `${rule} ${jsonText(value)}`)
          : [jsonText(limits)];
      return `${name}: ${rules.join(", ")}`;
    })
    .join("; ");
  return text || "-";
}
