import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";

/**
 * The provider's dispatch, with Pulumi's mocks: the engine's inputs reach the class the registry
 * names for the token, as its arguments, and its outputs come back as the construct result's
 * state. The mocks are installed before the components are loaded.
 */
pulumi.runtime.setMocks(
  {
    newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
    call: (args) => args.inputs,
  },
  "project",
  "dev",
  false,
);
// Loaded after setMocks, as Pulumi's mocks require.
const { COMPONENTS } = require("../../provider/registry") as typeof import("../../provider/registry");
const { constructComponent, PROGRAM_STACK_TOKEN, ProgramStackBase } =
  require("../../src/components/schema-types") as typeof import("../../src/components/schema-types");
type ProgramStackArgs = import("../../src/components/schema-types").ProgramStackArgs;

const resolved = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));
const DATABASE = {
  componentSchemaPath: SAMPLE_COMPONENT_SCHEMA,
  componentToken: "sample:index:Database",
  inputs: { engine: "postgres", size: 5 },
  backend: "s3://state",
  stack: "organization/dev",
};

describe("constructComponent with the provider's registry", () => {
  it("builds a ProgramStack for its token and returns its URN and its three outputs", async () => {
    const result = constructComponent(COMPONENTS, PROGRAM_STACK_TOKEN, "orders", DATABASE, {});
    assert.ok(result, "no component for the ProgramStack token");
    assert.match(
      await resolved(result.urn as pulumi.Output<string>),
      /::stackwright:index:ProgramStack::orders$/,
    );
    const state = result.state as Record<string, pulumi.Output<string>>;
    assert.deepEqual(Object.keys(state).sort(), ["programName", "secretName", "stackName"]);
    const programName = await resolved(state.programName as pulumi.Output<string>);
    assert.match(programName, /^[a-z0-9-]+$/);
    assert.equal(await resolved(state.secretName as pulumi.Output<string>), `${programName}-secrets`);
  });

  it("passes on only the inputs schema.json declares, and knows no other token", async () => {
    let received: ProgramStackArgs | undefined;
    class Recording extends ProgramStackBase {
      readonly programName = pulumi.output("p");
      readonly stackName = pulumi.output("s");
      readonly secretName = pulumi.output("x");
      constructor(name: string, args: ProgramStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super(name, opts);
        received = args;
        this.registerSchemaOutputs();
      }
    }
    const classes = { [PROGRAM_STACK_TOKEN]: Recording };
    const result = constructComponent(classes, PROGRAM_STACK_TOKEN, "r", { ...DATABASE, undeclared: 1 }, {});
    assert.ok(result && received);
    assert.equal(received.backend, "s3://state");
    assert.deepEqual(received.inputs, DATABASE.inputs);
    assert.ok(!Object.hasOwn(received, "undeclared"), "an input schema.json does not declare was passed on");
    assert.equal(
      await resolved(
        (result.state as Record<string, pulumi.Output<string>>).stackName as pulumi.Output<string>,
      ),
      "s",
    );
    assert.equal(constructComponent(classes, "stackwright:index:Other", "r", DATABASE, {}), undefined);
  });
});
