import { ProgramStack } from "../src/components/program-stack";
import type { ComponentClasses } from "../src/components/schema-types";

/**
 * The class of every component the provider serves, by type token: the same classes the npm
 * package exports, so Python, Go and YAML programs get exactly what TypeScript programs get. The
 * type, generated from schema.json, makes the compiler insist on one line per component there,
 * each a class taking that component's arguments and extending its generated base.
 */
export const COMPONENTS: ComponentClasses = {
  "stackwright:index:ProgramStack": ProgramStack,
};
