import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { beforeEach, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { buildProgram, buildStack, prepareComponent } from "../../src/core/manifests";
import { parsePackageSchema } from "../../src/core/package-schema";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";
import { PkoCrdValidator } from "../support/pko-crds";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * Unit tests with Pulumi's mocks: the component's children, their names, parentage and contents,
 * and the secretness of credentials. The mocks are installed before the component is loaded.
 */
const registered: Registered[] = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  "project",
  "dev",
  false,
);
// Loaded after setMocks, as Pulumi's mocks require.
const { ProgramStack } =
  require("../../src/components/program-stack") as typeof import("../../src/components/program-stack");

const crds = new PkoCrdValidator();
const PASSWORD = "program-stack-canary-pw-7d1e";
const TOKEN = "pul-0123456789abcdef0123456789abcdef01234567";
const resolvedValue = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));
const settle = () => new Promise((r) => setTimeout(r, 50));

function setConfig(values: Record<string, string>, secretKeys: string[] = []): void {
  pulumi.runtime.setAllConfig(values, secretKeys);
}

const database = (extra: Partial<import("../../src/components/schema-types").ProgramStackArgs> = {}) => ({
  componentSchemaPath: SAMPLE_COMPONENT_SCHEMA,
  componentToken: "sample:index:Database",
  inputs: { engine: "postgres", size: 20, password: pulumi.secret(PASSWORD) },
  namespace: "team-a",
  backend: "s3://state-bucket",
  stack: "organization/dev",
  ...extra,
});

describe("ProgramStack (mocks)", () => {
  beforeEach(() => {
    registered.length = 0;
    setConfig({});
    delete process.env.STACKWRIGHT_ACCESS_TOKEN;
  });

  it("creates a Secret, a Program and a Stack, named from the component, parented to it", async () => {
    const ps = new ProgramStack("orders", database());
    const [urn, programUrn, stackUrn, secretUrn] = await Promise.all(
      [ps.urn, ps.program.urn, ps.stack.urn, ps.secret.urn].map(resolvedValue),
    );
    await settle();
    const children = registered.filter((r) => r.type !== "stackwright:index:ProgramStack");
    assert.deepEqual(children.map((r) => [r.type, r.name]).sort(), [
      ["kubernetes:core/v1:Secret", "orders-secret"],
      ["kubernetes:pulumi.com/v1:Program", "orders-program"],
      ["kubernetes:pulumi.com/v1:Stack", "orders-stack"],
    ]);
    assert.match(urn as string, /::stackwright:index:ProgramStack::orders$/);
    for (const child of [programUrn, stackUrn, secretUrn])
      assert.match(
        child as string,
        /::stackwright:index:ProgramStack\$kubernetes:/,
        "not parented to the component",
      );
  });

  it("emits the same Program and Stack as the stages for the same request, valid against the PKO CRDs", async () => {
    const ps = new ProgramStack("orders", database());
    await Promise.all([ps.programName, ps.stackName, ps.secretName].map(resolvedValue));
    await settle();
    const prepared = prepareComponent(
      parsePackageSchema(readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), "schema"),
      "sample:index:Database",
    );
    const request = {
      kind: "Database",
      name: "orders",
      namespace: "team-a",
      labels: {},
      annotations: {},
      spec: { engine: "postgres", size: 20 },
    };
    const program = registered.find((r) => r.type.endsWith(":Program"))?.inputs;
    const stack = registered.find((r) => r.type.endsWith(":Stack"))?.inputs;
    const expectedProgram = buildProgram(prepared, request);
    assert.deepEqual(program, expectedProgram);
    const expectedStack = buildStack(prepared, request, {
      backend: "s3://state-bucket",
      stackName: "organization/dev",
    });
    assert.deepEqual(stack, expectedStack);
    for (const object of [program, stack]) assert.deepEqual(crds.problems(object as never), []);
    assert.equal(await resolvedValue(ps.programName), expectedProgram.metadata.name);
    assert.equal(await resolvedValue(ps.secretName), `${expectedProgram.metadata.name}-secrets`);
  });

  it("keeps secret inputs and credentials in the Secret only, and secret", async () => {
    const ps = new ProgramStack(
      "orders",
      database({ credentials: { AWS_SECRET_ACCESS_KEY: pulumi.secret("aws-canary-secret-5b2c") } }),
    );
    await resolvedValue(ps.stackName);
    await settle();
    const secret = registered.find((r) => r.type === "kubernetes:core/v1:Secret")?.inputs as {
      stringData: Record<string, unknown>;
      metadata: { name: string; namespace: string };
    };
    // The engine receives the data as a secret: Pulumi's secret envelope around the values.
    assert.equal(
      secret.stringData[specialSigKey],
      specialSecretSig,
      "the Secret's data is sent in plaintext",
    );
    assert.deepEqual(secret.stringData.value, {
      password: PASSWORD,
      AWS_SECRET_ACCESS_KEY: "aws-canary-secret-5b2c",
    });
    assert.equal(secret.metadata.namespace, "team-a");
    const manifests = JSON.stringify(registered.filter((r) => r.type !== "kubernetes:core/v1:Secret"));
    assert.ok(!manifests.includes(PASSWORD) && !manifests.includes("aws-canary-secret-5b2c"));
    const stack = registered.find((r) => r.type.endsWith(":Stack"))?.inputs as {
      spec: Record<string, unknown>;
    };
    assert.deepEqual(stack.spec.envRefs, {
      AWS_SECRET_ACCESS_KEY: {
        type: "Secret",
        secret: { name: secret.metadata.name, key: "AWS_SECRET_ACCESS_KEY" },
      },
    });
  });

  it("takes credentials given as one secret Output of the whole map", async () => {
    // Regression: the Output itself was read as the map, so its methods (toString, …) were taken
    // for variable names and the construction failed.
    const ps = new ProgramStack(
      "orders",
      database({ credentials: pulumi.secret({ AWS_SECRET_ACCESS_KEY: "aws-canary-secret-5b2c" }) }),
    );
    await resolvedValue(ps.stackName);
    await settle();
    const secret = registered.find((r) => r.type === "kubernetes:core/v1:Secret")?.inputs as {
      stringData: { value: Record<string, unknown> };
    };
    assert.deepEqual(secret.stringData.value, {
      password: PASSWORD,
      AWS_SECRET_ACCESS_KEY: "aws-canary-secret-5b2c",
    });
    const stack = registered.find((r) => r.type.endsWith(":Stack"))?.inputs as {
      spec: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(stack.spec.envRefs as object), ["AWS_SECRET_ACCESS_KEY"]);
  });

  it("refuses bad input at construction, even when secret inputs and credentials are Outputs", () => {
    assert.throws(
      () =>
        new ProgramStack(
          "orders",
          database({
            inputs: { engine: "postgres", size: "ten", password: pulumi.secret(PASSWORD) },
            credentials: { AWS_SECRET_ACCESS_KEY: pulumi.secret("aws-canary-secret-5b2c") },
          }),
        ),
      /^StackwrightInputError: spec\.size: expected integer, got string "ten"$/,
    );
  });

  it("takes PULUMI_ACCESS_TOKEN from stackwright:accessToken before STACKWRIGHT_ACCESS_TOKEN", async () => {
    process.env.STACKWRIGHT_ACCESS_TOKEN = "env-token-000000000000000000000000";
    setConfig({ "stackwright:accessToken": TOKEN }, ["stackwright:accessToken"]);
    let ps = new ProgramStack("orders", database());
    await resolvedValue(ps.stackName);
    await settle();
    const dataOf = () => {
      const secret = registered.filter((r) => r.type === "kubernetes:core/v1:Secret").at(-1);
      assert.ok(secret, "a Secret is registered");
      return (secret.inputs as { stringData: { value: Record<string, string> } }).stringData.value;
    };
    assert.equal(dataOf().PULUMI_ACCESS_TOKEN, TOKEN, "config wins");
    setConfig({});
    ps = new ProgramStack("orders2", database());
    await resolvedValue(ps.stackName);
    await settle();
    assert.equal(
      dataOf().PULUMI_ACCESS_TOKEN,
      "env-token-000000000000000000000000",
      "the environment is the fallback",
    );
  });
});
