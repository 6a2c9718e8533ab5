import type { Command } from "commander";
import { StackwrightInputError } from "../../core/errors";
import {
  ListPolicyAttachmentsResponseSchema,
  ListPolicyPacksResponseSchema,
  PolicyAttachmentSchema,
  PolicyEnforcement,
  PolicyPackSchema,
} from "../../jobs/api/gen/stackwright/platform/v1/policy_packs_pb";
import { POLICY_ENFORCEMENT_ENUM, POLICY_PACK_LANGUAGE_ENUM } from "../../jobs/api/proto-enums";
import { oneOf, readObjectFile, required } from "../flag-values";
import { timeText } from "../table";
import { type ApiFlags, apiAction, type PlatformCliIo } from "./command";
import { printJson, printTable } from "./output";
import { readProgramDirectory } from "./program-files";

interface PublishFlags extends ApiFlags {
  dir?: string;
  dependencies?: string;
}

interface TargetFlags extends ApiFlags {
  template?: string;
  tenant?: string;
}

interface AttachFlags extends TargetFlags {
  version?: string;
  enforcement?: string;
}

const ENFORCEMENTS = new Map(
  POLICY_ENFORCEMENT_ENUM.all.map((level) => [level, POLICY_ENFORCEMENT_ENUM.toProto(level)]),
);

/** `stackwright policy-packs …`: CrossGuard packs, published and attached by a Provider Admin. */
export function registerPolicyPackCommands(program: Command, io: PlatformCliIo): void {
  const packs = program
    .command("policy-packs")
    .description(
      "Publish Pulumi policy packs (CrossGuard) and attach them to templates or tenants: every " +
        "preview and up of their stacks runs the pack's policies; a mandatory violation stops a " +
        "deploy before its approval, advisory ones are shown with the plan. Provider Admin only.",
    );

  apiAction<PublishFlags>(
    packs
      .command("publish")
      .argument("<name>", "the pack's name")
      .description(
        "Publish the pack in --dir as its next version: index.ts (TypeScript) or index.js " +
          "(JavaScript) builds a PolicyPack of @pulumi/policy, which the service provides.",
      )
      .option("--dir <directory>", "the pack's directory; required")
      .option("--dependencies <file>", "other npm packages it uses and their versions, a JSON or YAML object")
      .addHelpText(
        "after",
        "\nExample:\n  stackwright policy-packs publish no-public-buckets --dir ./policies",
      ),
    io,
    async ({ flags, args, api }) => {
      const files = readProgramDirectory("--dir", required("--dir", flags.dir));
      const dependencies: Record<string, string> = {};
      if (flags.dependencies !== undefined)
        for (const [name, version] of Object.entries(readObjectFile("--dependencies", flags.dependencies)))
          dependencies[name] = typeof version === "string" ? version : JSON.stringify(version);
      const language = Object.hasOwn(files, "index.ts") ? "typescript" : "javascript";
      const pack = await api().policies.publishPolicyPack({
        name: args[0] as string,
        language: POLICY_PACK_LANGUAGE_ENUM.toProto(language),
        files,
        dependencies,
      });
      if (flags.json) printJson(io, PolicyPackSchema, pack);
      else io.log(`policy pack ${pack.name} version ${pack.version} published (${language})`);
    },
  );

  apiAction<ApiFlags>(
    packs.command("list").description("Every policy pack's latest version."),
    io,
    async ({ flags, api }) => {
      const answer = await api().policies.listPolicyPacks({});
      if (flags.json) {
        printJson(io, ListPolicyPacksResponseSchema, answer);
        return;
      }
      printTable(
        io,
        ["NAME", "VERSION", "LANGUAGE", "PUBLISHED"],
        answer.packs.map((p) => [
          p.name,
          String(p.version),
          POLICY_PACK_LANGUAGE_ENUM.fromProto(p.language) ?? "?",
          timeText(p.createdAt),
        ]),
        "no policy packs",
      );
    },
  );

  apiAction<AttachFlags>(
    targetOptions(
      packs
        .command("attach")
        .argument("<pack>", "the policy pack's name")
        .description(
          "Attach a pack version to a template or a tenant, in place of the version attached there.",
        )
        .option("--version <n>", "the pack's version (default: its latest)")
        .option(
          "--enforcement <level>",
          `run every policy of the pack as ${[...ENFORCEMENTS.keys()].join(" or ")} (default: each at the level the pack gives it)`,
        ),
    ).addHelpText(
      "after",
      "\nExamples:\n  stackwright policy-packs attach no-public-buckets --tenant team-a\n" +
        "  stackwright policy-packs attach cost-hints --template web-app --enforcement advisory",
    ),
    io,
    async ({ flags, args, api }) => {
      const target = targetOf(flags);
      const version = flags.version === undefined ? 0 : versionOf(flags.version);
      const enforcement =
        flags.enforcement === undefined ? undefined : oneOf("--enforcement", flags.enforcement, ENFORCEMENTS);
      const attachment = await api().policies.attachPolicyPack({
        pack: args[0] as string,
        version,
        ...target,
        ...(enforcement !== undefined && { enforcement }),
      });
      if (flags.json) printJson(io, PolicyAttachmentSchema, attachment);
      else
        io.log(
          `policy pack ${attachment.pack} version ${attachment.packVersion} attached to ${targetText(flags)}` +
            `, ${enforcementText(attachment.enforcement)}`,
        );
    },
  );

  apiAction<TargetFlags>(
    targetOptions(
      packs
        .command("detach")
        .argument("<pack>", "the policy pack's name")
        .description(
          "Detach a pack from a template or a tenant: their next previews and ups run without it.",
        ),
    ),
    io,
    async ({ flags, args, api }) => {
      await api().policies.detachPolicyPack({ pack: args[0] as string, ...targetOf(flags) });
      if (!flags.json) io.log(`policy pack ${args[0]} detached from ${targetText(flags)}`);
      else io.log("{}");
    },
  );

  apiAction<TargetFlags>(
    packs
      .command("attachments")
      .description("Where packs are attached: of one template or tenant, or everywhere.")
      .option("--template <template>", "only this template's (name or id)")
      .option("--tenant <tenant>", "only this tenant's (name or id)"),
    io,
    async ({ flags, api }) => {
      if (flags.template !== undefined && flags.tenant !== undefined)
        throw StackwrightInputError.single("--template", "give --template or --tenant, not both");
      const answer = await api().policies.listPolicyAttachments({
        template: flags.template ?? "",
        tenant: flags.tenant ?? "",
      });
      if (flags.json) {
        printJson(io, ListPolicyAttachmentsResponseSchema, answer);
        return;
      }
      printTable(
        io,
        ["PACK", "VERSION", "ATTACHED TO", "ENFORCEMENT"],
        answer.attachments.map((a) => [
          a.pack,
          String(a.packVersion),
          a.templateId !== "" ? `template ${a.templateId}` : `tenant ${a.tenantId}`,
          enforcementText(a.enforcement),
        ]),
        "no policy packs attached",
      );
    },
  );
}

function targetOptions(command: Command): Command {
  return command
    .option("--template <template>", "the template (name or id); this or --tenant")
    .option("--tenant <tenant>", "the tenant (name or id); this or --template");
}

function targetOf(flags: TargetFlags): { template: string } | { tenant: string } {
  if ((flags.template === undefined) === (flags.tenant === undefined))
    throw StackwrightInputError.single("--template", "give either --template TEMPLATE or --tenant TENANT");
  return flags.template !== undefined
    ? { template: required("--template", flags.template) }
    : { tenant: required("--tenant", flags.tenant) };
}

function targetText(flags: TargetFlags): string {
  return flags.template !== undefined ? `template ${flags.template}` : `tenant ${flags.tenant}`;
}

function versionOf(raw: string): number {
  if (!/^[1-9]\d{0,8}$/.test(raw))
    throw StackwrightInputError.single("--version", "expected a version number, 1 or more");
  return Number(raw);
}

function enforcementText(level: PolicyEnforcement): string {
  return level === PolicyEnforcement.UNSPECIFIED
    ? "policies at the pack's own levels"
    : `every policy ${POLICY_ENFORCEMENT_ENUM.fromProto(level) ?? "?"}`;
}
