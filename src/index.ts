/** The `stackwright` npm package: components for `pulumi up`, and the translation core. */
export { ACCESS_TOKEN_CONFIG, ACCESS_TOKEN_ENV } from "./components/access-token";
export {
  PROGRAM_STACK_TOKEN,
  ProgramStack,
  type ProgramStackArgs,
} from "./components/program-stack";
export { StackwrightInputError } from "./core/errors";
export { buildProgram, buildStack, prepareComponent } from "./core/manifests";
export { parsePackageSchema } from "./core/package-schema";
