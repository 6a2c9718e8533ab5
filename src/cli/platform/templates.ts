import { create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import type { Command } from "commander";
import {
  DeleteTemplateResponseSchema,
  DeprecateVersionResponseSchema,
  ListTemplatesResponseSchema,
  type Template,
  type TemplateSource,
  TemplateVersionSchema,
  type TemplateView,
  TemplateViewSchema,
} from "../../jobs/api/gen/stackwright/platform/v1/platform_pb";
import { positiveInteger, readObjectFile, required } from "../flag-values";
import { timeText } from "../table";
import { type ApiFlags, apiAction, type PlatformCliIo } from "./command";
import { LANGUAGES, VERSION_STATES } from "./enum-words";
import { nameOr, tenantNames } from "./names";
import { jsonText, printFields, printJson, printTable } from "./output";
import { allPages, MAX_PAGE_SIZE } from "./pages";
import { readProgramDirectory } from "./program-files";

interface TenantFlags extends ApiFlags {
  tenant?: string;
}

interface SourceFlags extends ApiFlags {
  dir?: string;
  parameters?: string;
  dependencies?: string;
}

interface CreateFlags extends SourceFlags {
  language?: string;
  ownerTenant?: string;
  displayName?: string;
  description?: string;
  system: boolean;
}

/** A version is a uint32. */
const MAX_VERSION = 2 ** 32 - 1;

/** `stackwright templates …`: the catalogue's templates and their versions. */
export function registerTemplateCommands(program: Command, io: PlatformCliIo): void {
  const templates = program
    .command("templates")
    .description("Create, version, publish and inspect the catalogue's Pulumi templates.");

  apiAction<TenantFlags>(
    templates
      .command("list")
      .description("List the templates a tenant sees, by name.")
      .option("--tenant <tenant>", "the tenant (name or id); required"),
    io,
    async ({ flags, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const client = api();
      const all = await allPages(async (pageToken) => {
        const page = await client.catalog.listTemplates({ tenant, pageSize: MAX_PAGE_SIZE, pageToken });
        return { items: page.templates, nextPageToken: page.nextPageToken };
      });
      if (flags.json) {
        printJson(io, ListTemplatesResponseSchema, create(ListTemplatesResponseSchema, { templates: all }));
        return;
      }
      const owners = await tenantNames(client);
      printTable(
        io,
        ["NAME", "LANGUAGE", "OWNER", "DISPLAY NAME"],
        all.map((t) => [
          t.name,
          LANGUAGES.text(t.language),
          ownerText(t, owners),
          t.system ? `${t.displayName} (system)` : t.displayName,
        ]),
        "no templates",
      );
    },
  );

  apiAction<TenantFlags>(
    templates
      .command("get")
      .description(
        "Show a template as a tenant sees it: its versions and the parameters the tenant may give " +
          "its newest published version, under the tenant's constraint.",
      )
      .argument("<name>", "the template's name or id")
      .option("--tenant <tenant>", "the tenant (name or id); required"),
    io,
    async ({ flags, args, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const client = api();
      const view = await client.catalog.getTemplate({ template: args[0] as string, tenant });
      if (flags.json) printJson(io, TemplateViewSchema, view);
      else describeTemplate(io, view, await tenantNames(client));
    },
  );

  apiAction<CreateFlags>(
    sourceOptions(
      templates
        .command("create")
        .description("Create a template with its first draft, read from a program directory.")
        .argument("<name>", "the template's name: lower-case letters, digits and '-'")
        .option("--language <language>", `the program's language: ${LANGUAGES.words.join(", ")}; required`),
    )
      .option(
        "--owner-tenant <tenant>",
        "the tenant that owns it (default: the provider's own, for every tenant)",
      )
      .option("--display-name <text>", "the name shown to users (default: the name)")
      .option("--description <text>", "what it makes")
      .option("--system", "a template the platform relies on: only a Provider Admin may change it", false)
      .addHelpText(
        "after",
        "\nExample:\n  stackwright templates create greeter --language yaml --dir ./greeter --parameters ./greeter/parameters.json",
      ),
    io,
    async ({ flags, args, api }) => {
      const name = args[0] as string;
      const language = LANGUAGES.parse("--language", required("--language", flags.language));
      const source = readSource(flags);
      const view = await api().catalog.createTemplate({
        name,
        language,
        source,
        ownerTenant: flags.ownerTenant ?? "",
        displayName: flags.displayName ?? "",
        description: flags.description ?? "",
        system: flags.system,
      });
      if (flags.json) {
        printJson(io, TemplateViewSchema, view);
        return;
      }
      const draft = view.versions.at(-1)?.version ?? 1;
      io.log(`template ${name} created, draft version ${draft}`);
      io.log(`publish it with: stackwright templates publish ${name}`);
    },
  );

  apiAction<SourceFlags>(
    sourceOptions(
      templates
        .command("draft")
        .description(
          "Save a template's draft from a program directory: a new version after the newest, or " +
            "the draft there is, replaced. The draft is exactly what the flags give: give " +
            "--parameters and --dependencies again when the template has them.",
        )
        .argument("<name>", "the template's name or id"),
    ),
    io,
    async ({ flags, args, api }) => {
      const source = readSource(flags);
      const version = await api().catalog.saveDraft({ template: args[0] as string, source });
      if (flags.json) printJson(io, TemplateVersionSchema, version);
      else io.log(`template ${args[0]}: draft version ${version.version} saved`);
    },
  );

  apiAction<ApiFlags>(
    templates
      .command("publish")
      .description("Publish a template's draft: checked once more, then frozen under its content hash.")
      .argument("<name>", "the template's name or id"),
    io,
    async ({ flags, args, api }) => {
      const version = await api().catalog.publishTemplate({ template: args[0] as string });
      if (flags.json) printJson(io, TemplateVersionSchema, version);
      else io.log(`template ${args[0]}: version ${version.version} published (${version.contentHash})`);
    },
  );

  apiAction<ApiFlags & { version?: string }>(
    templates
      .command("deprecate")
      .description("Deprecate a published version: new stacks cannot use it; stacks pinned to it keep it.")
      .argument("<name>", "the template's name or id")
      .option("--version <n>", "the published version; required"),
    io,
    async ({ flags, args, api }) => {
      const version = positiveInteger("--version", required("--version", flags.version), MAX_VERSION);
      const answer = await api().catalog.deprecateVersion({ template: args[0] as string, version });
      if (flags.json) printJson(io, DeprecateVersionResponseSchema, answer);
      else io.log(`template ${args[0]}: version ${version} deprecated`);
    },
  );

  apiAction<ApiFlags>(
    templates
      .command("delete")
      .description("Delete a template: its name is free again; stacks pinned to it keep their version.")
      .argument("<name>", "the template's name or id"),
    io,
    async ({ flags, args, api }) => {
      const answer = await api().catalog.deleteTemplate({ template: args[0] as string });
      if (flags.json) printJson(io, DeleteTemplateResponseSchema, answer);
      else io.log(`template ${args[0]} deleted`);
    },
  );
}

function sourceOptions(command: Command): Command {
  return command
    .option("--dir <directory>", "the program's directory, Pulumi.yaml included; required")
    .option(
      "--parameters <file>",
      "the parameters' JSON Schema (JSON or YAML): an object whose properties become stack " +
        "configuration; writeOnly marks a secret (default: none)",
    )
    .option(
      "--dependencies <file>",
      "npm (TypeScript) or PyPI (Python) packages and their versions, a JSON or YAML object (default: none)",
    );
}

/** The source the flags name, read whole before anything is sent. */
function readSource(flags: SourceFlags): Omit<TemplateSource, "$typeName"> {
  const files = readProgramDirectory("--dir", required("--dir", flags.dir));
  const parameters =
    flags.parameters === undefined
      ? { type: "object", properties: {} }
      : (readObjectFile("--parameters", flags.parameters) as JsonObject);
  const dependencies: Record<string, string> = {};
  if (flags.dependencies !== undefined)
    for (const [name, version] of Object.entries(readObjectFile("--dependencies", flags.dependencies))) {
      // The service checks names and versions; a version is text in the API.
      dependencies[name] = typeof version === "string" ? version : JSON.stringify(version);
    }
  return { files, dependencies, parameters };
}

function ownerText(template: Template, tenants: ReadonlyMap<string, string>): string {
  return template.ownerTenantId === "" ? "provider" : nameOr(tenants, template.ownerTenantId);
}

function describeTemplate(io: PlatformCliIo, view: TemplateView, tenants: ReadonlyMap<string, string>): void {
  const t = view.template;
  if (t === undefined) throw new Error("the service answered GetTemplate without the template");
  printFields(io, [
    ["name", t.name],
    ["id", t.id],
    ["display name", t.displayName],
    ["description", t.description || "-"],
    ["language", LANGUAGES.text(t.language)],
    ["owner", ownerText(t, tenants)],
    ["system", t.system ? "yes" : "no"],
    ["created", `${timeText(t.createdAt)} by ${t.createdBy}`],
    ["latest published", view.latestPublished === 0 ? "none" : String(view.latestPublished)],
    ["max instances", view.maxInstances === 0 ? "no limit" : String(view.maxInstances)],
  ]);
  io.log("versions:");
  printTable(
    io,
    ["  VERSION", "STATE", "CREATED", "PUBLISHED", "CONTENT HASH"],
    view.versions.map((v) => [
      `  ${v.version}`,
      VERSION_STATES.text(v.state),
      timeText(v.createdAt),
      timeText(v.publishedAt),
      v.contentHash || "-",
    ]),
    "  none",
  );
  if (view.effectiveParameters === undefined) {
    io.log("parameters: none published yet");
    return;
  }
  io.log("parameters (for this tenant):");
  printTable(
    io,
    ["  NAME", "TYPE", "REQUIRED", "SECRET", "DEFAULT", "RULES"],
    parameterRows(view.effectiveParameters),
    "  none",
  );
}

/** Keywords shown in their own columns; every other one is a rule. */
const SHOWN_APART = new Set(["type", "default", "writeOnly", "title", "description"]);

function parameterRows(schema: JsonObject): string[][] {
  const properties = asObject(schema.properties);
  const requiredNames = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(properties).map(([name, raw]) => {
    const property = asObject(raw);
    const rules = Object.entries(property)
      .filter(([keyword]) => !SHOWN_APART.has(keyword))
      .map(([keyword, value]) => `${keyword} ${jsonText(value)}`);
    return [
      `  ${name}`,
      typeof property.type === "string" ? property.type : "-",
      requiredNames.has(name) ? "yes" : "no",
      property.writeOnly === true ? "yes" : "no",
      property.writeOnly === true ? "-" : jsonText(property.default),
      rules.join(", ") || "-",
    ];
  });
}

function asObject(value: JsonValue | undefined): JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
}
