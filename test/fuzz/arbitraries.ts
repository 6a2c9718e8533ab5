import { readFileSync } from "node:fs";
import fc from "fast-check";
import { OPEN_COMPONENT_SCHEMA } from "../support/core-fixtures";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";

/** A secret value: it may go into a request's secret input or a backend URL, and must never come out. */
export const CANARY = "canary-7f3a9c";

/** A request, a schema and an environment for the two stages. */
export interface FuzzCase {
  readonly requestText: string;
  readonly schemaText: string;
  /** Everything but the file paths, which the runner fills in. */
  readonly env: Record<string, string | undefined>;
}

/** Text that means something to Pulumi YAML, to a YAML 1.1 reader, to JavaScript or to a shell. */
const NASTY = [
  "${adminPassword}",
  "$${x}",
  "$",
  "${",
  "Fn::ReadFile",
  "FN::INVOKE",
  "fN::unsecret",
  "fn::secret",
  "Fn::fileAsset",
  "<<",
  "1_000",
  "0_7",
  "+1_0",
  "1_",
  "y",
  "N",
  "on",
  "Off",
  "~",
  "null",
  "Null",
  "true",
  "2001-12-14",
  ".inf",
  "-.Inf",
  ".nan",
  "1:20",
  "0x1F",
  "0o17",
  "017",
  "1e3",
  "._",
  ".",
  "=",
  "500m",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "__proto__",
  "",
  " ",
  "\n",
  "#",
  "- x",
  "? x",
  "&a",
  "*a",
  "!tag",
  "%",
  "@",
  "`",
  "'",
  '"',
  "{}",
  "[]",
  "\u2028",
  "é",
  "a: b",
  "kratix.io/x",
  "team",
  "a/b",
  "-bad",
  "x".repeat(70),
];

export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
);

const scalar = fc.oneof(nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));

/** JSON-like values whose strings and keys are often nasty. */
export const valueArbitrary: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(nastyString, tie("value"), { maxKeys: 3 }),
  ),
})).value;

/** Mostly `arbitrary`, sometimes `other`. */
const mostly = <T>(arbitrary: fc.Arbitrary<T>, other: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 9, arbitrary }, { weight: 1, arbitrary: other });

/** Usually `usual`, sometimes `arbitrary`. */
const rarely = <T>(arbitrary: fc.Arbitrary<T>, usual: T) =>
  fc.oneof({ weight: 9, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary });

/** Rarely a key of the caller's: keeps most specs within the schema. */
const rareExtra = rarely<Record<string, unknown>>(
  fc.dictionary(nastyString, valueArbitrary, { maxKeys: 2 }),
  {},
);
/** Rarely the secret in the request, where it must be refused without being echoed. */
const rareSecret = rarely<string | undefined>(fc.constant(CANARY), undefined);

/** Specs for the sample component (sample:index:Database): mostly valid, with nasty text where it is free. */
export const specArbitrary: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        engine: mostly(fc.constantFrom("postgres", "mysql"), nastyString),
        size: mostly(fc.integer({ min: 0, max: 1000 }), scalar),
        replicas: mostly(
          fc.array(fc.record({ region: nastyString, size: fc.integer() }), { maxLength: 2 }),
          valueArbitrary,
        ),
        tags: mostly(fc.dictionary(nastyString, nastyString, { maxKeys: 3 }), valueArbitrary),
        settings: mostly(
          fc.record(
            {
              maintenanceWindow: nastyString,
              backup: fc.record({ enabled: fc.boolean(), retentionDays: fc.integer() }),
            },
            { requiredKeys: [] },
          ),
          valueArbitrary,
        ),
      },
      { requiredKeys: ["engine", "size"] },
    ),
    rareExtra,
    rareSecret,
  )
  .map(([known, extra, password]) => ({ ...extra, ...known, ...(password !== undefined && { password }) }));

/** Specs for a component with an any-value input `extra`, a map `tags` and a secret `adminPassword`. */
const openSpecArbitrary = fc
  .tuple(
    fc.record(
      { extra: valueArbitrary, tags: fc.dictionary(nastyString, nastyString, { maxKeys: 3 }) },
      { requiredKeys: [] },
    ),
    rareExtra,
    rareSecret,
  )
  .map(([known, extra, adminPassword]) => ({
    ...extra,
    ...known,
    ...(adminPassword !== undefined && { adminPassword }),
  }));

const typeSpec: fc.Arbitrary<unknown> = fc.letrec<{ spec: unknown }>((tie) => ({
  spec: fc.oneof(
    { depthSize: "small" },
    fc.record(
      {
        type: fc.constantFrom(
          "string",
          "integer",
          "number",
          "boolean",
          "object",
          "array",
          undefined,
          null,
          5,
          "weird",
        ),
      },
      { requiredKeys: [] },
    ),
    fc.record({
      $ref: fc.constantFrom(
        "#/types/t:index:T",
        "#/types/t:index:E",
        "#/types/%E0%A4%A",
        "#/types/constructor",
        "pulumi.json#/Any",
        "#/types/t:index:Missing",
      ),
    }),
    fc.record({ type: fc.constant("array"), items: tie("spec") }),
    fc.record({ type: fc.constant("object"), additionalProperties: tie("spec") }),
    fc.constantFrom(null, 5, "x", []),
  ),
})).spec;

const propertyName = fc.oneof(
  fc.constantFrom("size", "name", "auth", "db", "constructor", "__proto__", "${x}", "Fn::X"),
  fc.string({ maxLength: 6 }),
);
const properties = fc.dictionary(
  propertyName,
  fc
    .tuple(typeSpec, fc.option(fc.boolean(), { nil: undefined }))
    .map(([spec, secret]) =>
      typeof spec === "object" && spec !== null && !Array.isArray(spec) && secret !== undefined
        ? { ...spec, secret }
        : spec,
    ),
  { maxKeys: 4 },
);

/** Package schemas, often malformed the ways the issue found (requiredInputs: 5, a null resource…). */
const generatedSchema = fc
  .record({
    name: fc.constantFrom("t", "acme", "t${x}", 5),
    version: fc.constantFrom("1.0.0", undefined, 5, "1.0${x}"),
    token: fc.constantFrom("t:index:C", "t:index:${x}", "t:index:C D"),
    inputProperties: fc.oneof(properties, fc.constantFrom(null, "abc")),
    requiredInputs: fc.oneof(fc.array(propertyName, { maxLength: 3 }), fc.constantFrom(5, null, undefined)),
    outputs: fc.oneof(
      fc.dictionary(
        fc.constantFrom("out", "x}${adminPassword", "a-b", "ok_1"),
        fc.constant({ type: "string" }),
        { maxKeys: 2 },
      ),
      fc.constantFrom("abc", undefined),
    ),
    objectType: fc.oneof(
      fc.record(
        {
          type: fc.constant("object"),
          properties,
          required: fc.oneof(fc.array(propertyName, { maxLength: 2 }), fc.constant(5)),
        },
        { requiredKeys: ["type"] },
      ),
      fc.constantFrom(null, 5),
    ),
    enumType: fc.oneof(
      fc.record({
        type: fc.constantFrom("string", "integer", "boolean", null),
        enum: fc.oneof(
          fc.array(fc.record({ value: fc.oneof(nastyString, fc.integer(), fc.constant(null)) }), {
            maxLength: 3,
          }),
          fc.constantFrom([null], 5, []),
        ),
      }),
      fc.constant(null),
    ),
    extraResource: fc.constantFrom(undefined, null, { isComponent: false }),
  })
  .map((g) =>
    JSON.stringify({
      name: g.name,
      ...(g.version !== undefined && { version: g.version }),
      resources: {
        [g.token]: {
          isComponent: true,
          inputProperties: g.inputProperties,
          ...(g.requiredInputs !== undefined && { requiredInputs: g.requiredInputs }),
          ...(g.outputs !== undefined && { properties: g.outputs }),
        },
        ...(g.extraResource !== undefined && { "t:index:Other": g.extraResource }),
      },
      types: { "t:index:T": g.objectType, "t:index:E": g.enumType },
    }),
  );

/** YAML only a YAML document can say: aliases, deep nesting, non-JSON numbers, merge keys. */
function aliasChain(length: number): string {
  const lines = ["a0: &a0 [x]"];
  for (let i = 1; i < length; i++) lines.push(`a${i}: &a${i} [*a${i - 1}]`);
  return `${lines.join("\n")}\nspec: {extra: *a${length - 1}}\n`;
}
function amplification(levels: number): string {
  const lines = ['a0: &a0 ["lololololololololololololololol"]'];
  for (let i = 1; i < levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  return `${lines.join("\n")}\nspec: {extra: *a${levels - 1}}\n`;
}
const RAW_SPECS = [
  aliasChain(100),
  aliasChain(2000),
  amplification(4),
  amplification(9),
  "spec: {extra: [.inf, .nan, -.inf]}\n",
  "spec: {extra: {<<: {a: 1}, b: 1_000, c: 0_7, d: y, e: 2001-12-14}}\n",
  "base: &base {extra: x}\nspec: {<<: *base}\n",
  `spec: {extra: ${"[".repeat(80)}1${"]".repeat(80)}}\n`,
  `spec: {extra: ${"[".repeat(5000)}1${"]".repeat(5000)}}\n`,
  "spec: {extra: !!binary aGVsbG8=}\n",
  "spec: {a: 1, a: 2}\n",
  "spec: [1, 2]\n",
  "spec: {extra: {'Fn::ReadFile': /etc/hostname}}\n",
];

/** Mostly what Kubernetes accepts, sometimes not. */
const metadata = fc.record(
  {
    name: mostly(fc.constantFrom("orders", "Orders DB", "ünïcode", "x".repeat(80)), nastyString),
    namespace: mostly(
      fc.constantFrom("team-a", "default"),
      fc.oneof(fc.constantFrom("n".repeat(64), "Team", "-x"), nastyString),
    ),
    labels: fc.dictionary(
      mostly(
        fc.constantFrom("team", "app.kubernetes.io/name", "kratix.io/x"),
        fc.oneof(fc.constantFrom("-bad", "Acme.io/a"), nastyString),
      ),
      mostly(
        fc.constantFrom("a", "", "1_000", "y", "true"),
        fc.oneof(fc.constant("v".repeat(64)), nastyString),
      ),
      { maxKeys: 3 },
    ),
    annotations: fc.dictionary(
      mostly(
        fc.constantFrom("owner", "example.com/note", "kubectl.kubernetes.io/last-applied-configuration"),
        nastyString,
      ),
      nastyString,
      { maxKeys: 3 },
    ),
  },
  { requiredKeys: ["name"] },
);

function requestText(meta: unknown, spec: unknown, raw: string | undefined): string {
  const head = `apiVersion: x/v1\nkind: Database\nmetadata: ${JSON.stringify(meta)}\n`;
  return raw === undefined ? `${head}spec: ${JSON.stringify(spec)}\n` : head + raw;
}

/** Mostly an environment the Stack stage accepts; sometimes not, sometimes with a credential. */
const stackEnv = fc.record({
  PULUMI_STACK_BACKEND: mostly(
    fc.constantFrom(
      "https://api.pulumi.com",
      "s3://bucket",
      "S3://bucket",
      "file:///state",
      "postgres://db/state",
    ),
    fc.constantFrom(
      `postgres://u:${CANARY}@db/state`,
      `s3://${CANARY}@bucket`,
      `https://api.pulumi.com?token=${CANARY}`,
      `postgres://u:${CANARY}@db:port/state`,
      "ftp://x",
      "not a url",
      "FILL-IN: x",
      undefined,
    ),
  ),
  PULUMI_STACK_NAME: mostly(
    fc.constantFrom("dev", "organization/dev"),
    fc.oneof(
      fc.constantFrom("acme/dev", "a/b/c/d", "-a/b/c", "organization/x/dev", "acme/db/dev", "", "FILL-IN: x"),
      fc
        .array(fc.constantFrom("dev", "acme", "organization", "x.y", "a_b", "-x", "${x}"), {
          minLength: 1,
          maxLength: 3,
        })
        .map((parts) => parts.join("/")),
    ),
  ),
  PULUMI_STACK_DESTROY_ON_FINALIZE: mostly(fc.constantFrom(undefined, "true", "false"), fc.constant("yes")),
  PULUMI_STACK_SERVICE_ACCOUNT_NAME: mostly(fc.constantFrom(undefined, "pulumi"), fc.constant("Bad_Name")),
});

const sampleSchemaText = readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8");

/** One case: a schema of one of three kinds, a request for it (or raw YAML), an environment. */
export const arbitraryCase: fc.Arbitrary<FuzzCase> = fc
  .oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        schemaText: fc.constant(sampleSchemaText),
        token: mostly(
          fc.constant<string | undefined>("sample:index:Database"),
          fc.constantFrom("sample:index:Queue", undefined),
        ),
        spec: specArbitrary,
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        schemaText: fc.constant(JSON.stringify(OPEN_COMPONENT_SCHEMA)),
        token: fc.constant(undefined),
        spec: openSpecArbitrary,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        schemaText: generatedSchema,
        token: fc.constant(undefined),
        spec: valueArbitrary,
      }),
    },
  )
  .chain(({ schemaText, token, spec }) =>
    fc
      .tuple(metadata, rarely<string | undefined>(fc.constantFrom(...RAW_SPECS), undefined), stackEnv)
      .map(([meta, raw, env]) => ({
        requestText: requestText(meta, spec, raw),
        schemaText,
        env: { ...env, PULUMI_COMPONENT_TOKEN: token },
      })),
  );
