/** The `stackwright` npm package: components for `pulumi up`, and the translation core. */
export { ACCESS_TOKEN_CONFIG, ACCESS_TOKEN_ENV } from "./components/access-token";
export { ProgramStack } from "./components/program-stack";
export { PROGRAM_STACK_TOKEN, type ProgramStackArgs } from "./components/schema-types";
export { StackwrightInputError } from "./core/errors";
export { buildProgram, buildStack, prepareComponent } from "./core/manifests";
export { parsePackageSchema } from "./core/package-schema";
