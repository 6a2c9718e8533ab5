import type * as pulumi from "@pulumi/pulumi";
import type { ConstructResult } from "@pulumi/pulumi/provider";
import { PROGRAM_STACK_OUTPUTS, PROGRAM_STACK_TOKEN, ProgramStack } from "../src/components/program-stack";

/** Builds one component from the engine's inputs and says what its outputs are. */
type Constructor = (
  name: string,
  inputs: pulumi.Inputs,
  options: pulumi.ComponentResourceOptions,
) => ConstructResult;

/**
 * Every component the provider serves, by type token: the same classes the npm package exports,
 * so Python, Go and YAML programs get exactly what TypeScript programs get.
 */
export const COMPONENTS: Readonly<Record<string, Constructor>> = {
  [PROGRAM_STACK_TOKEN]: (name, inputs, options) => {
    const component = new ProgramStack(name, inputs as never, options);
    return {
      urn: component.urn,
      state: Object.fromEntries(PROGRAM_STACK_OUTPUTS.map((output) => [output, component[output]])),
    };
  },
};
